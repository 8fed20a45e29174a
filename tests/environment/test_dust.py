"""PM10 dust model: hand calculations, an independent quadrature and AP-42 unit conversions."""
import math

import numpy as np
import pytest
from scipy import integrate

from saltsim.environment import dust
from saltsim.environment.factors import default_factors, factor_values

# Floating-point agreement of two evaluations of the same closed form.
RTOL_FORMULA = 1e-12
# Gauss-Laguerre (32 nodes) vs adaptive quadrature of the same integral.
RTOL_QUADRATURE = 1e-5
# AP-42 prints its conversion factor 281.9 g/VKT per lb/VMT to 4 significant figures.
RTOL_AP42_PRINTED = 5e-4

FACTORS = factor_values(default_factors())


def _white_flux_by_hand(u10, ut10, z0=1e-4, c=2.61, rho=dust.AIR_DENSITY, g=dust.GRAVITY, k=0.4):
    """q from White (1979) written out independently, with u* from the log law."""
    ustar = k * u10 / math.log(10.0 / z0)
    ustar_t = k * ut10 / math.log(10.0 / z0)
    if ustar <= ustar_t:
        return 0.0
    r = ustar_t / ustar
    return c * rho / g * ustar**3 * (1 - r) * (1 + r) ** 2


def test_friction_velocity_log_law():
    assert dust.friction_velocity(10.0, 1e-4) == pytest.approx(0.4 * 10 / math.log(1e5), rel=RTOL_FORMULA)


@pytest.mark.parametrize("wind", [3.0, 7.0, 7.5, 10.0, 15.0, 25.0])
def test_pm10_flux_matches_hand_formula(wind):
    expected = 2.75e-4 * _white_flux_by_hand(wind, 7.0)
    assert dust.pm10_flux(wind, 7.0, 2.75e-4) == pytest.approx(expected, rel=RTOL_FORMULA, abs=0)


def test_no_flux_at_or_below_threshold_and_monotone_above():
    winds = np.linspace(0, 30, 301)
    flux = dust.pm10_flux(winds, 7.0, 2.75e-4)
    assert np.all(flux[winds <= 7.0] == 0.0)
    assert np.all(np.diff(flux[winds > 7.0]) > 0)


@pytest.mark.parametrize("mean_wind", [1.0, 3.0, 5.0, 8.0, 12.0])
@pytest.mark.parametrize("shape", [1.5, 2.0, 3.0])
def test_expected_flux_over_weibull_hours_matches_adaptive_quadrature(mean_wind, shape):
    scale = mean_wind / math.gamma(1 + 1 / shape)

    def integrand(u):
        pdf = shape / scale * (u / scale) ** (shape - 1) * math.exp(-((u / scale) ** shape))
        return 2.75e-4 * _white_flux_by_hand(u, 7.0) * pdf

    reference, _ = integrate.quad(integrand, 7.0, np.inf, epsabs=0, epsrel=1e-11, limit=400)
    got = dust.expected_pm10_flux(np.array([mean_wind]), 7.0, 2.75e-4, weibull_shape=shape)[0]
    assert got == pytest.approx(reference, rel=RTOL_QUADRATURE, abs=1e-30)


def test_lakebed_disturbed_crust_emits_more_per_area_and_rain_suppresses():
    n = 4
    wind = np.full(n, 6.0)
    rain = np.array([0.0, 0.0, 0.001, 0.0])
    intact, disturbed = dust.lakebed_pm10(wind, rain, np.full(n, 2e6), np.full(n, 1e6), 86400.0, FACTORS)
    # equal areas of intact and disturbed crust (2e6 exposed, of which 1e6 disturbed)
    assert np.all(disturbed[[0, 1, 3]] > 10 * intact[[0, 1, 3]])
    assert intact[2] == 0 and disturbed[2] == 0
    per_m2 = dust.expected_pm10_flux(np.array([6.0]), 7.0, FACTORS["dust_flux_ratio"])[0] * 86400.0
    assert disturbed[0] == pytest.approx(per_m2 * 1e6, rel=RTOL_FORMULA)


def test_disturbed_area_never_exceeds_exposed_area():
    intact, disturbed = dust.lakebed_pm10(np.array([8.0]), np.array([0.0]), np.array([1e5]),
                                          np.array([5e5]), 86400.0, FACTORS)
    only = dust.lakebed_pm10(np.array([8.0]), np.array([0.0]), np.array([1e5]), np.array([1e5]), 86400.0, FACTORS)
    assert intact[0] == 0 and disturbed[0] == only[1][0]


def test_ap42_handling_equation_by_hand():
    # U = 2.2 m/s and M = 2 % make both ratios 1: E = k * 0.0016 kg/Mg
    assert dust.handling_pm10_per_kg(2.2, 2.0) == pytest.approx(0.35 * 0.0016e-3, rel=RTOL_FORMULA)
    # doubling the wind multiplies by 2^1.3; doubling moisture divides by 2^1.4
    assert dust.handling_pm10_per_kg(4.4, 4.0) == pytest.approx(0.35 * 0.0016e-3 * 2**1.3 / 2**1.4, rel=RTOL_FORMULA)


def test_ap42_unpaved_road_equation_and_unit_conversion():
    # s = 12 %, W = 3 short tons -> E = k = 1.5 lb/VMT = 1.5 * 281.9 g/VKT (AP-42's conversion)
    per_m = dust.unpaved_road_pm10_per_m(12.0, 3 * 907.18474)
    assert per_m * 1e6 == pytest.approx(1.5 * 281.9, rel=RTOL_AP42_PRINTED)  # g per km


def test_haul_distance_round_trips():
    assert dust.haul_road_distance(90e3, 30e3, 2000.0) == pytest.approx(3 * 2 * 2000.0)


def test_mitigation_partial_cover_by_hand():
    emission = np.array([10.0, 10.0, 0.0])
    target = np.array([100.0, 40.0, 0.0])
    controlled, water = dust.apply_mitigation(emission, target, 50.0, 0.9, 1e-8, 86400.0)
    np.testing.assert_allclose(controlled, [10 * (1 - 0.9 * 0.5), 10 * (1 - 0.9), 0.0], rtol=RTOL_FORMULA)
    np.testing.assert_allclose(water, [1e-8 * 50 * 86400, 1e-8 * 40 * 86400, 0.0], rtol=RTOL_FORMULA)


# Owens Lake [D1][D2]: 79,200 t/yr PM10 from ~259 km^2 of dry bed, a crude mean of ~0.31 kg/m^2/yr
# over the whole bed (the emissive part is smaller, so its own flux is higher). The model has no
# Qom calibration; this checks that its constants give an emissive-crust flux of the Owens order
# (within a factor of 10) for a dry-season daily mean wind of 3.5 m/s.
OWENS_MEAN_FLUX = 79_200e3 / 259e6  # kg m^-2 yr^-1
OWENS_ORDER = 10.0


def test_emissive_crust_flux_is_of_the_owens_order():
    per_year = dust.expected_pm10_flux(np.array([3.5]), FACTORS["dust_threshold_disturbed"],
                                       FACTORS["dust_flux_ratio"])[0] * 365.25 * 86400.0
    assert OWENS_MEAN_FLUX / OWENS_ORDER < per_year < OWENS_MEAN_FLUX * OWENS_ORDER
