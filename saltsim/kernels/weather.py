"""Daily weather from monthly normals (a WGEN-type generator) or from a series (NumPy only).

Rain occurrence is a two-state first-order Markov chain per day with the wet-day probability of
the month p = rain_days / days_in_month and lag-one persistence r:

    P(wet | dry) = p (1 − r),    P(wet | wet) = p + r (1 − p)                       (1)

whose stationary wet fraction is p. Wet-day amounts are gamma distributed with shape k and the
monthly mean per wet day, so the expected monthly total equals the normal [WG1][WG2]. Evaporation
and wind vary around the monthly means by a lognormal factor exp(σ z − σ²/2) with z an AR(1)
series (lag-one correlation ``persistence``) and σ² = ln(1 + cv²), so the expected values are the
normals. Temperature is the monthly mean of daily max and min plus an AR(1) anomaly. Relative
humidity is the monthly normal.

Without ``rain_days`` the monthly rain falls a little every day (deterministic).

References
----------
[WG1] C. W. Richardson, "Stochastic simulation of daily precipitation, temperature, and solar
     radiation", Water Resour. Res. 17(1), 182–190, 1981. doi:10.1029/WR017i001p00182
[WG2] D. S. Wilks, R. L. Wilby, "The weather generation game: a review of stochastic weather
     models", Prog. Phys. Geogr. 23(3), 329–357, 1999. doi:10.1177/030913339902300302
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["DailyWeather", "generate_daily", "from_series", "RAIN_PERSISTENCE", "RAIN_GAMMA_SHAPE",
           "ANOMALY_PERSISTENCE", "TEMPERATURE_ANOMALY_SD", "DEFAULT_RELATIVE_HUMIDITY"]

#: Lag-one autocorrelation of wet/dry days (EST; 0.2–0.4 is typical of semi-arid stations [WG2]). [-]
RAIN_PERSISTENCE = 0.3
#: Shape of the gamma distribution of wet-day rain (EST; fitted shapes are 0.6–0.9 [WG1][WG2]). [-]
RAIN_GAMMA_SHAPE = 0.75
#: Lag-one autocorrelation of daily evaporation, wind and temperature anomalies (EST [WG1]). [-]
ANOMALY_PERSISTENCE = 0.6
#: Standard deviation of daily mean temperature around the monthly mean (EST [WG1]). [K]
TEMPERATURE_ANOMALY_SD = 2.0
#: Relative humidity used when the scenario gives none (EST: Qom annual mean, Tehran proxy
#: 30–67 % [C9] scaled to the drier lake). [-]
DEFAULT_RELATIVE_HUMIDITY = 0.4


@dataclass(frozen=True, slots=True)
class DailyWeather:
    """One value per simulated day.

    ``pan_evaporation`` [m d⁻¹ as depth per day], ``rain`` [m per day], ``temperature`` [K],
    ``wind_speed`` [m s⁻¹], ``relative_humidity`` [-].
    """

    pan_evaporation: np.ndarray
    rain: np.ndarray
    temperature: np.ndarray
    wind_speed: np.ndarray
    relative_humidity: np.ndarray


def _ar1(rng: np.random.Generator, n: int, persistence: float) -> np.ndarray:
    """Stationary AR(1) series of unit variance (a short loop over days, run once per simulation)."""
    shocks = rng.standard_normal(n) * np.sqrt(1.0 - persistence ** 2)
    out = np.empty(n)
    value = rng.standard_normal()
    for i in range(n):
        value = persistence * value + shocks[i]
        out[i] = value
    return out


def _lognormal_factor(rng, n, cv, persistence):
    sigma = np.sqrt(np.log1p(cv ** 2))
    return np.exp(sigma * _ar1(rng, n, persistence) - 0.5 * sigma ** 2)


def _rain(rng, month, days_in_month, rain_rate, rain_days, day):
    mean_daily = rain_rate[month] * day                                # [m d⁻¹]
    if rain_days is None:
        return mean_daily
    p = np.clip(rain_days[month] / days_in_month, 0.0, 1.0)
    n = month.size
    u = rng.random(n)
    wet = np.zeros(n, dtype=bool)
    previous = rng.random() < p[0]
    r = RAIN_PERSISTENCE
    for i in range(n):
        threshold = p[i] + r * (1.0 - p[i]) if previous else p[i] * (1.0 - r)
        previous = u[i] < threshold
        wet[i] = previous
    per_wet_day = np.divide(mean_daily, p, out=np.zeros_like(mean_daily), where=p > 0.0)
    amounts = rng.gamma(RAIN_GAMMA_SHAPE, 1.0, n) * per_wet_day / RAIN_GAMMA_SHAPE
    return np.where(wet, amounts, 0.0)


def generate_daily(rng: np.random.Generator, month: np.ndarray, days_in_month: np.ndarray,
                   pan_evaporation, rainfall, rain_days, temperature_max, temperature_min,
                   wind_speed, relative_humidity, variability: float, day: float) -> DailyWeather:
    """Daily weather for the given sequence of calendar months.

    Parameters
    ----------
    rng : numpy.random.Generator
        The weather stream of the run.
    month : ndarray (n,) of int
        Calendar month of each day, 0 = January. [-]
    days_in_month : ndarray (n,)
        Length of the month of each day. [d]
    pan_evaporation, rainfall : ndarray (12,)
        Monthly mean rates. [m s⁻¹]
    rain_days : ndarray (12,) or None
        Mean rainy days per month. [-]
    temperature_max, temperature_min : ndarray (12,) or None
        Monthly mean daily extremes. [K]
    wind_speed : ndarray (12,) or None
        [m s⁻¹]
    relative_humidity : ndarray (12,) or None
        [-]
    variability : float
        Coefficient of variation of daily evaporation and wind. [-]
    day : float
        Length of a day. [s]

    Returns
    -------
    DailyWeather
    """
    n = month.size
    # independent streams per variable, spawned in a fixed order (changing one keeps the others)
    evap_rng, rain_rng, temp_rng, wind_rng = rng.spawn(4)
    zero = np.zeros(12)
    pan = np.asarray(pan_evaporation if pan_evaporation is not None else zero) * day
    pan_daily = pan[month] * _lognormal_factor(evap_rng, n, variability, ANOMALY_PERSISTENCE)
    rain = _rain(rain_rng, month, days_in_month, np.asarray(rainfall if rainfall is not None else zero),
                 None if rain_days is None else np.asarray(rain_days, dtype=float), day)
    if temperature_max is not None and temperature_min is not None:
        mean_t = 0.5 * (np.asarray(temperature_max) + np.asarray(temperature_min))
    else:
        mean_t = np.full(12, 298.15)
    temperature = mean_t[month] + TEMPERATURE_ANOMALY_SD * _ar1(temp_rng, n, ANOMALY_PERSISTENCE)
    wind_mean = np.asarray(wind_speed) if wind_speed is not None else zero
    wind = wind_mean[month] * _lognormal_factor(wind_rng, n, variability, ANOMALY_PERSISTENCE)
    rh = (np.asarray(relative_humidity) if relative_humidity is not None
          else np.full(12, DEFAULT_RELATIVE_HUMIDITY))[month]
    return DailyWeather(pan_evaporation=pan_daily, rain=rain, temperature=temperature,
                        wind_speed=wind, relative_humidity=rh.astype(float))


def from_series(offset: int, n_days: int, repeat: bool, pan_evaporation, rainfall, temperature,
                wind_speed, relative_humidity_by_day, day: float) -> DailyWeather:
    """Daily weather read from a series of any length (rates per day), wrapped when ``repeat``.

    Parameters
    ----------
    offset : int
        Index of the simulation's first day in the series. [-]
    n_days : int
        Days simulated. [-]
    repeat : bool
        Wrap around when the series is shorter than the run (otherwise the caller checks length).
    pan_evaporation, rainfall : ndarray (m,)
        Rates. [m s⁻¹]
    temperature : ndarray (m,)
        [K]
    wind_speed : ndarray (m,)
        [m s⁻¹]
    relative_humidity_by_day : ndarray (n_days,)
        Relative humidity of each simulated day (from the normals). [-]
    day : float
        [s]

    Returns
    -------
    DailyWeather
    """
    length = len(pan_evaporation)
    index = offset + np.arange(n_days)
    index = index % length if repeat else np.minimum(index, length - 1)
    return DailyWeather(pan_evaporation=np.asarray(pan_evaporation)[index] * day,
                        rain=np.asarray(rainfall)[index] * day,
                        temperature=np.asarray(temperature)[index],
                        wind_speed=np.asarray(wind_speed)[index],
                        relative_humidity=np.asarray(relative_humidity_by_day, dtype=float))
