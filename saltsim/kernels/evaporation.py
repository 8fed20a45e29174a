"""Evaporation of fresh water and of brine.

Open-water evaporation of fresh water is the pan evaporation times a pan coefficient. Brine
evaporates more slowly because its water activity lowers the vapour pressure at the surface.
Salhotra, Adams and Harleman [E7][E8] write the mass-transfer evaporation of a saline water body
with the saturation vapour pressure reduced by the water activity β:

    E_brine = f(u) (β e_s(T_s) − e_a),    E_fresh = f(u) (e_s(T_s) − e_a)            (1)

With the same surface temperature for both (the variant used here; the higher surface
temperature of brine that [E8] also models is neglected, which errs on the low side) and the
relative humidity RH = e_a / e_s:

    E_brine / E_fresh = (a_w − RH) / (1 − RH)                                      (2)

The ratio is negative when a_w < RH: the brine then takes up water vapour (a hygroscopic
bittern in humid weather); this is the equilibrium that limits terminal brines such as the Dead
Sea's [E9]. It is a water-activity-dependent factor, not a fixed one: at halite saturation
(a_w ≈ 0.75 [U1]) and RH 0.3 it gives 0.64, at bischofite bitterns (a_w ≈ 0.5) 0.29, within the
range of the bench data in ../shared/domain.md §3.5 [E10][E11].

References
----------
[E7] A. M. Salhotra, E. E. Adams, D. R. F. Harleman, "Effect of salinity and ionic composition
     on evaporation: analysis of Dead Sea evaporation pans", Water Resour. Res. 21(9),
     1336–1344, 1985. doi:10.1029/WR021i009p01336
[E8] A. M. Salhotra, E. E. Adams, D. R. F. Harleman, "The alpha, beta, gamma of evaporation
     from saline water bodies", Water Resour. Res. 23(9), 1769–1774, 1987.
     doi:10.1029/WR023i009p01769
[E9] Zilberman et al., "Constraints on evaporation and dilution of terminal hypersaline lakes
     under negative water balance: the Dead Sea", (see ../shared/domain.md [E9]).
"""
from __future__ import annotations

import numpy as np

__all__ = ["open_water_evaporation", "brine_evaporation_ratio", "brine_evaporation",
           "MAX_RELATIVE_HUMIDITY"]

#: Relative humidity is capped below 1 so that the ratio (2) stays finite (fog days). [-]
MAX_RELATIVE_HUMIDITY = 0.98


def open_water_evaporation(pan_evaporation, pan_coefficient):
    """Fresh open-water evaporation from pan evaporation.

    Parameters
    ----------
    pan_evaporation : float or ndarray
        Class-A pan evaporation over the step (depth). [m]
    pan_coefficient : float
        Ratio of open-water to pan evaporation. [-]

    Returns
    -------
    float or ndarray
        Fresh-water evaporation depth. [m]
    """
    return np.asarray(pan_evaporation, dtype=float) * pan_coefficient


def brine_evaporation_ratio(water_activity, relative_humidity):
    """E_brine / E_fresh = (a_w − RH) / (1 − RH), equation (2).

    Parameters
    ----------
    water_activity : float or ndarray
        Water activity of the brine. [-]
    relative_humidity : float or ndarray
        Relative humidity of the air. [-]

    Returns
    -------
    float or ndarray
        The ratio; 1 for fresh water, negative when the brine takes up vapour. [-]
    """
    # (a float humidity: min() is np.minimum's value without the NumPy call)
    rh = min(relative_humidity, MAX_RELATIVE_HUMIDITY) if type(relative_humidity) is float \
        else np.minimum(relative_humidity, MAX_RELATIVE_HUMIDITY)
    return (np.asarray(water_activity, dtype=float) - rh) / (1.0 - rh)


def brine_evaporation(fresh_evaporation, water_activity, relative_humidity):
    """Evaporation depth of a brine, equation (2) applied to fresh-water evaporation.

    Parameters
    ----------
    fresh_evaporation : float or ndarray
        Fresh open-water evaporation over the step. [m]
    water_activity : float or ndarray
        Water activity of the brine. [-]
    relative_humidity : float or ndarray
        Relative humidity of the air. [-]

    Returns
    -------
    float or ndarray
        Evaporation depth (negative: vapour uptake). [m]
    """
    return fresh_evaporation * brine_evaporation_ratio(water_activity, relative_humidity)
