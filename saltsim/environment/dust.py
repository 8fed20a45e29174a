"""PM10 dust: wind erosion of the exposed lakebed, stockpile handling, haul roads, mitigation.

Lakebed (Owens Lake / Gillette-type scaling)
    The vertical PM10 flux is proportional to the horizontal saltation flux [D4][D5]:

    (1) F = K · E · q,      K = 2.75 × 10⁻⁴ m⁻¹ (Owens loam playa [D4]), E = surface emissivity
    (2) q = C ρₐ/g · u*³ (1 − r)(1 + r)²,   r = u*ₜ/u* < 1, else q = 0   (White 1979 [D13])
    (3) u* = κ U / ln(z/z₀)     (neutral log profile, U at z = 10 m)

    The threshold wind Uₜ is lower where the crust is disturbed by harvest (friable crust ≈ 7 m/s
    [D7]) than on the intact halite crust (stable [D7][D8], EST 10 m/s). Days bring only a daily
    mean wind, and (1)–(2) are strongly non-linear, so the daily flux is the expectation of
    F(U) over a Weibull distribution of hourly winds with that mean (shape EST 2), computed by a
    Gauss–Laguerre rule (vectorised over days). No emission on rain days (≥ 0.254 mm,
    AP-42's rain-day definition).

Stockpiles (AP-42 13.2.4): per tonne per drop,
    (4) e = k · 0.0016 · (U/2.2)^1.3 / (M/2)^1.4   kg/Mg,  PM10 k = 0.35

Haul roads (AP-42 13.2.2, industrial unpaved roads): per vehicle distance,
    (5) e = k (s/12)^a (W/3)^b   lb/VMT,  PM10 k = 1.5, a = 0.9, b = 0.45 (W in short tons)

Mitigation: a measure controls an area A of a target surface of area S(t) with efficiency η and
water rate w: emission × (1 − η · min(A, S)/S), water w · min(A, S) · Δt.

All functions are pure NumPy, SI in and out.

References
----------
[D4] D. A. Gillette et al., J. Geophys. Res. 102(D22), 1997, doi:10.1029/97JD02252.
[D5] D. Ono et al., 2003, doi:10.1029/2003JF000025.   [D7] Nield et al., Aeolian Res. 23, 2016.
[D13] B. R. White, J. Geophys. Res. 84(B9), 4643, 1979, doi:10.1029/JB084iB09p04643.
[AP42-13.2.2], [AP42-13.2.4] US EPA AP-42, 5th ed., Nov 2006.
"""
from __future__ import annotations

import math

import numpy as np

__all__ = [
    "VON_KARMAN",
    "GRAVITY",
    "AIR_DENSITY",
    "ANEMOMETER_HEIGHT",
    "friction_velocity",
    "saltation_flux",
    "pm10_flux",
    "expected_pm10_flux",
    "lakebed_pm10",
    "handling_pm10_per_kg",
    "unpaved_road_pm10_per_m",
    "haul_road_distance",
    "apply_mitigation",
]

#: von Kármán constant. [-]
VON_KARMAN = 0.40
#: Standard gravity. [m s⁻²]
GRAVITY = 9.80665
#: Air density at ~800 m a.s.l. and 20 °C (ISA 1.225 kg/m³ scaled by pressure ratio ~0.91). [kg m⁻³]
AIR_DENSITY = 1.12
#: Height of the wind speeds in the weather tables. [m]
ANEMOMETER_HEIGHT = 10.0
#: Gauss–Laguerre nodes for the expectation over hourly winds (32 nodes agree with adaptive
#: scipy.integrate.quad to < 1e-6 relative for mean winds 1–15 m/s; tested).
WIND_NODES = 32

_POUND_KG = 0.45359237
_MILE_M = 1609.344
_SHORT_TON_KG = 907.18474


def friction_velocity(wind_speed, roughness_length, height=ANEMOMETER_HEIGHT):
    """Friction velocity from the wind at ``height`` over a surface of roughness ``z₀``, eq. (3).

    Parameters
    ----------
    wind_speed : float or ndarray
        Wind speed at ``height``. [m s⁻¹]
    roughness_length : float
        Aerodynamic roughness length z₀. [m]
    height : float
        Measurement height z. [m]

    Returns
    -------
    float or ndarray
        u*. [m s⁻¹]
    """
    return VON_KARMAN * np.asarray(wind_speed, dtype=float) / math.log(height / roughness_length)


def saltation_flux(friction_velocity, threshold_friction_velocity, constant=2.61, air_density=AIR_DENSITY):
    """Horizontal saltation mass flux, eq. (2) (White 1979 [D13]).

    Parameters
    ----------
    friction_velocity : float or ndarray
        u*. [m s⁻¹]
    threshold_friction_velocity : float or ndarray
        u*ₜ. [m s⁻¹]
    constant : float
        C. [-]
    air_density : float
        ρₐ. [kg m⁻³]

    Returns
    -------
    ndarray
        q, mass per unit width and time; 0 where u* ≤ u*ₜ. [kg m⁻¹ s⁻¹]
    """
    u = np.asarray(friction_velocity, dtype=float)
    ratio = np.asarray(threshold_friction_velocity, dtype=float) / np.maximum(u, 1e-12)
    flux = constant * air_density / GRAVITY * u**3 * (1.0 - ratio) * (1.0 + ratio) ** 2
    return np.where(ratio < 1.0, flux, 0.0)


def pm10_flux(wind_speed, threshold_wind, flux_ratio, emissivity=1.0, roughness_length=1e-4,
              constant=2.61):
    """Vertical PM10 flux at a wind speed, eqs. (1)–(3).

    Parameters
    ----------
    wind_speed : float or ndarray
        Wind at 10 m. [m s⁻¹]
    threshold_wind : float
        Threshold wind at 10 m. [m s⁻¹]
    flux_ratio : float
        K, vertical PM10 over horizontal flux. [m⁻¹]
    emissivity : float
        Relative emissivity of the surface. [-]
    roughness_length : float
        z₀. [m]
    constant : float
        Saltation constant C. [-]

    Returns
    -------
    ndarray
        F. [kg m⁻² s⁻¹]
    """
    u = friction_velocity(wind_speed, roughness_length)
    ut = friction_velocity(threshold_wind, roughness_length)
    return flux_ratio * emissivity * saltation_flux(u, ut, constant)


def expected_pm10_flux(mean_wind, threshold_wind, flux_ratio, emissivity=1.0, weibull_shape=2.0,
                       roughness_length=1e-4, constant=2.61, nodes=WIND_NODES):
    """Daily-mean PM10 flux when hourly winds follow a Weibull law with the given mean.

    U ~ Weibull(k, λ) with λ = Ū / Γ(1 + 1/k), so x = (U/λ)^k is exponential. Only winds above
    the threshold emit; with xₜ = (Uₜ/λ)^k and x = xₜ + y,

        E[F(U)] = e^(−xₜ) ∫₀^∞ F(λ (xₜ + y)^(1/k)) e^(−y) dy,

    evaluated by Gauss–Laguerre quadrature (vectorised over days).

    Parameters
    ----------
    mean_wind : float or ndarray
        Daily mean wind at 10 m, shape (n,). [m s⁻¹]
    threshold_wind, flux_ratio, emissivity, roughness_length, constant
        As for :func:`pm10_flux`.
    weibull_shape : float
        k. [-]
    nodes : int
        Number of Gauss–Laguerre nodes.

    Returns
    -------
    ndarray
        Expected F, shape of ``mean_wind``. [kg m⁻² s⁻¹]
    """
    mean_wind = np.asarray(mean_wind, dtype=float)
    scale = np.maximum(mean_wind, 1e-9) / math.gamma(1.0 + 1.0 / weibull_shape)
    y, weights = np.polynomial.laguerre.laggauss(nodes)
    x_threshold = (threshold_wind / scale) ** weibull_shape
    winds = scale[..., None] * (x_threshold[..., None] + y) ** (1.0 / weibull_shape)
    flux = pm10_flux(winds, threshold_wind, flux_ratio, emissivity, roughness_length, constant)
    expected = np.exp(-x_threshold) * (flux @ weights)
    return np.where(mean_wind > 0.0, expected, 0.0)


def lakebed_pm10(mean_wind, rain, exposed_area, disturbed_area, duration, factors):
    """PM10 emitted by the exposed lakebed, split into intact and disturbed crust.

    Parameters
    ----------
    mean_wind : ndarray
        Daily mean wind at 10 m, shape (n,). [m s⁻¹]
    rain : ndarray
        Daily rain, shape (n,). [m]
    exposed_area : ndarray
        Exposed (dry) lakebed, including disturbed crust, shape (n,). [m²]
    disturbed_area : ndarray
        Crust disturbed by harvest (part of the exposed lakebed), shape (n,). [m²]
    duration : float or ndarray
        Length of each period. [s]
    factors : mapping of str to float
        SI factor values by key (``dust_threshold_disturbed``, ``dust_threshold_intact``,
        ``dust_flux_ratio``, ``dust_intact_emissivity``, ``saltation_constant``,
        ``surface_roughness``, ``wind_weibull_shape``, ``rain_suppression``).

    Returns
    -------
    intact, disturbed : ndarray
        PM10 per period from intact and disturbed crust, shape (n,). [kg]
    """
    dry = np.asarray(rain, dtype=float) < factors["rain_suppression"]
    disturbed = np.minimum(np.asarray(disturbed_area, dtype=float), np.asarray(exposed_area, dtype=float))
    intact = np.maximum(np.asarray(exposed_area, dtype=float) - disturbed, 0.0)
    common = dict(flux_ratio=factors["dust_flux_ratio"], weibull_shape=factors["wind_weibull_shape"],
                  roughness_length=factors["surface_roughness"], constant=factors["saltation_constant"])
    flux_intact = expected_pm10_flux(mean_wind, factors["dust_threshold_intact"],
                                     emissivity=factors["dust_intact_emissivity"], **common)
    flux_disturbed = expected_pm10_flux(mean_wind, factors["dust_threshold_disturbed"], **common)
    return (np.where(dry, flux_intact * intact * duration, 0.0),
            np.where(dry, flux_disturbed * disturbed * duration, 0.0))


def handling_pm10_per_kg(mean_wind, moisture_percent, k=0.35):
    """PM10 per kg of material per drop (AP-42 13.2.4), eq. (4).

    Parameters
    ----------
    mean_wind : float or ndarray
        Mean wind speed. [m s⁻¹]
    moisture_percent : float
        Material moisture M, in percent (AP-42 validity 0.25–4.8). [%]
    k : float
        Particle-size multiplier (PM10 0.35). [-]

    Returns
    -------
    float or ndarray
        Emission factor. [kg kg⁻¹]
    """
    kg_per_megagram = k * 0.0016 * (np.asarray(mean_wind, dtype=float) / 2.2) ** 1.3 / (moisture_percent / 2.0) ** 1.4
    return kg_per_megagram * 1e-3


def unpaved_road_pm10_per_m(silt_percent, vehicle_weight, k=1.5, a=0.9, b=0.45):
    """PM10 per vehicle distance on an industrial unpaved road (AP-42 13.2.2), eq. (5).

    Parameters
    ----------
    silt_percent : float
        Surface silt content s. [%]
    vehicle_weight : float
        Mean vehicle weight W. [kg]
    k, a, b : float
        PM10 constants of AP-42 Table 13.2.2-2 (1.5 lb/VMT, 0.9, 0.45). [-]

    Returns
    -------
    float
        Emission factor. [kg m⁻¹]
    """
    pounds_per_mile = k * (silt_percent / 12.0) ** a * (vehicle_weight / _SHORT_TON_KG / 3.0) ** b
    return pounds_per_mile * _POUND_KG / _MILE_M


def haul_road_distance(hauled_mass, payload, one_way_distance):
    """Vehicle distance travelled to haul a mass (loaded out, empty back).

    Parameters
    ----------
    hauled_mass : float or ndarray
        Mass hauled. [kg]
    payload : float
        Payload per trip. [kg]
    one_way_distance : float
        Haul distance. [m]

    Returns
    -------
    float or ndarray
        2 · d · m / payload (trips are counted fractionally). [m]
    """
    return 2.0 * one_way_distance * np.asarray(hauled_mass, dtype=float) / payload


def apply_mitigation(emission, target_area, controlled_area, control_efficiency, water_rate, duration):
    """PM10 after a mitigation measure on part of a surface, and the water it uses.

    Parameters
    ----------
    emission : ndarray
        Uncontrolled PM10 of the target surface per period, shape (n,). [kg]
    target_area : ndarray
        Area of the target surface per period, shape (n,). [m²]
    controlled_area : float or ndarray
        Area under the measure (capped at the target area). [m²]
    control_efficiency : float
        η. [-]
    water_rate : float
        Water applied per controlled area and time. [m s⁻¹]
    duration : float or ndarray
        Length of each period. [s]

    Returns
    -------
    controlled_emission, water : ndarray
        PM10 left per period [kg] and water (or brine) used per period [m³].
    """
    target_area = np.asarray(target_area, dtype=float)
    covered = np.minimum(np.asarray(controlled_area, dtype=float), target_area)
    fraction = np.divide(covered, target_area, out=np.zeros_like(target_area), where=target_area > 0)
    return (np.asarray(emission, dtype=float) * (1.0 - control_efficiency * fraction),
            water_rate * covered * duration)
