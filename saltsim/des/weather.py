"""Weather of a run: the daily series from the scenario's monthly normals or CSV series.

The whole series is drawn once, vectorised, from the weather stream of the run
(:func:`saltsim.kernels.weather.generate_daily`), and the daily tick reads it by day index.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from ..errors import ScenarioError
from ..kernels import weather as kernel
from ..kernels.evaporation import open_water_evaporation
from ..units import DAY

__all__ = ["daily_weather", "Forcing"]


class Forcing:
    """Daily forcing arrays: ``pan_evaporation``, ``fresh_evaporation``, ``rain`` [m per day],
    ``temperature`` [K], ``wind_speed`` [m s⁻¹], ``relative_humidity`` [-]."""

    def __init__(self, weather: kernel.DailyWeather, pan_coefficient: float):
        self.pan_evaporation = weather.pan_evaporation
        self.fresh_evaporation = open_water_evaporation(weather.pan_evaporation, pan_coefficient)
        self.rain = weather.rain
        self.temperature = weather.temperature
        self.wind_speed = weather.wind_speed
        self.relative_humidity = weather.relative_humidity


def _or(values, fallback):
    return fallback if values is None else np.asarray(values, dtype=float)


def daily_weather(climate, calendar, rng) -> Forcing:
    """Daily forcing for every day of the run.

    Parameters
    ----------
    climate : saltsim.scenario.schema.Climate
    calendar : saltsim.des.clock.Calendar
    rng : numpy.random.Generator
        The weather stream.

    Returns
    -------
    Forcing

    Raises
    ------
    ScenarioError
        A series that does not cover the run and may not be repeated.
    """
    n = calendar.n_days
    month = calendar.month[:n]
    series = climate.series_data
    if series is not None:
        offset = int((np.datetime64(calendar.start, "D") - np.datetime64(series.dates[0], "D")).astype(int))
        length = len(series.dates)
        if offset < 0 or offset >= length and not climate.series_repeat:
            raise ScenarioError(f"climate.series: found dates {series.dates[0]} to {series.dates[-1]}; "
                                f"expected a series covering the start {calendar.start}")
        if not climate.series_repeat and offset + n > length:
            raise ScenarioError(f"climate.series: found {length} days from {series.dates[0]}; expected at "
                                f"least {offset + n} to cover the run (or series_repeat = true)")
        normals = kernel.generate_daily(rng, month, calendar.days_in_month[:n], climate.pan_evaporation,
                                        climate.rainfall, climate.rain_days, climate.temperature_max,
                                        climate.temperature_min, climate.wind_speed,
                                        climate.relative_humidity, climate.variability, DAY)
        zeros = np.zeros(length)
        weather = kernel.from_series(offset % length, n, climate.series_repeat,
                                     _or(series.pan_evaporation, zeros), _or(series.rainfall, zeros),
                                     _or(series.temperature, np.full(length, 298.15)),
                                     _or(series.wind_speed, zeros), normals.relative_humidity, DAY)
        # columns the file does not have come from the monthly normals
        weather = dataclasses.replace(weather, **{
            name: getattr(normals, name) for name, column in (
                ("pan_evaporation", series.pan_evaporation), ("rain", series.rainfall),
                ("temperature", series.temperature), ("wind_speed", series.wind_speed)) if column is None})
    else:
        if climate.pan_evaporation is None:
            raise ScenarioError("climate.pan_evaporation: found nothing; expected 12 monthly values "
                                "such as \"8 mm/d\" or a climate.series file")
        weather = kernel.generate_daily(rng, month, calendar.days_in_month[:n], climate.pan_evaporation,
                                        climate.rainfall, climate.rain_days, climate.temperature_max,
                                        climate.temperature_min, climate.wind_speed,
                                        climate.relative_humidity, climate.variability, DAY)
    return Forcing(weather, climate.pan_coefficient)
