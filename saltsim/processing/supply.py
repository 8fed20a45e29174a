"""Energy and water supply: allocation of a period's demand to carriers and sources (pure).

Electricity is met in merit order: on-site PV first (its output in the period, capacity × monthly
capacity factor × duration), then the grid (up to its capacity), then diesel generators; what is
left is *unmet*. Water is met by sources in priority order up to each source's capacity. The
functions are vectorised over periods.
"""
from __future__ import annotations

import numpy as np

__all__ = ["allocate_electricity", "allocate_water", "month_of", "day_length_fraction"]


def day_length_fraction(latitude, day_of_year):
    """Share of the day between sunrise and sunset.

    Parameters
    ----------
    latitude : float or ndarray
        Geographic latitude, north positive. [°]
    day_of_year : int or ndarray
        1 = 1 January. [-]

    Returns
    -------
    float or ndarray
        ω₀/π with cos ω₀ = −tan φ tan δ and the declination δ = 23.45° sin(2π(284 + n)/365)
        (Cooper 1969, as in Duffie & Beckman, *Solar Engineering of Thermal Processes*, eq. 1.6.1
        and 1.6.10). [-]
    """
    declination = np.radians(23.45) * np.sin(2.0 * np.pi * (284.0 + np.asarray(day_of_year)) / 365.0)
    cos_sunset = np.clip(-np.tan(np.radians(latitude)) * np.tan(declination), -1.0, 1.0)
    return np.arccos(cos_sunset) / np.pi


def month_of(start, time_s):
    """Calendar month (1–12) of simulation times.

    Parameters
    ----------
    start : numpy.datetime64 or str
        Calendar date of the simulation start. [-]
    time_s : float or ndarray
        Seconds since the start. [s]

    Returns
    -------
    int or ndarray
        Month number, 1 = January. [-]
    """
    moment = np.datetime64(start, "s") + np.asarray(np.floor(time_s), dtype="timedelta64[s]")
    return moment.astype("datetime64[M]").astype(np.int64) % 12 + 1


def allocate_electricity(demand, duration, pv_capacity, pv_capacity_factor, grid_capacity,
                         diesel_capacity, daylight_fraction=1.0):
    """Split an electricity demand between PV, grid and diesel generators.

    Parameters
    ----------
    demand : float or ndarray
        Electricity demanded in the period. [J]
    duration : float or ndarray
        Length of the period. [s]
    pv_capacity : float
        Peak PV capacity (0 without PV). [W]
    pv_capacity_factor : float or ndarray
        Mean PV capacity factor of the period's month. [-]
    grid_capacity : float
        Largest grid draw (``inf``: unlimited; 0: no grid). [W]
    diesel_capacity : float
        Diesel generator capacity. [W]
    daylight_fraction : float or ndarray
        Share of the period with sun: a load spread evenly over the period can take at most
        this share from PV (no storage). [-]

    Returns
    -------
    tuple of ndarray
        ``(pv, grid, diesel, unmet)`` energy. [J]

    Notes
    -----
    PV output not used by the plants is curtailed (no storage, no export). Within the daylight
    share PV output is taken as available when needed (its shape over the day is not modelled).
    """
    demand = np.asarray(demand, dtype=float)
    pv = np.minimum(demand * daylight_fraction, pv_capacity * pv_capacity_factor * duration)
    rest = demand - pv
    grid = np.minimum(rest, grid_capacity * duration)
    rest = rest - grid
    diesel = np.minimum(rest, diesel_capacity * duration)
    return pv, grid, diesel, rest - diesel


def allocate_water(demand, duration, capacities):
    """Split a water demand between sources in priority order.

    Parameters
    ----------
    demand : float
        Volume demanded in the period. [m³]
    duration : float
        Length of the period. [s]
    capacities : ndarray
        Capacity of each source, in priority order (``inf``: unlimited). [m³ s⁻¹]

    Returns
    -------
    tuple
        ``(per_source, unmet)``: volume from each source [m³] and the demand left unmet [m³].
    """
    available = np.asarray(capacities, dtype=float) * duration
    before = np.concatenate(([0.0], np.cumsum(available)[:-1]))
    per_source = np.clip(demand - before, 0.0, available)
    return per_source, max(float(demand - per_source.sum()), 0.0)
