"""The lake's level–area–volume relation (hypsometry) and the natural crust (NumPy only).

The relation is a table of levels with the wetted area and the water volume at each; between
rows the area is linear in level and the volume is read by linear interpolation too (the table
should be fine enough; with only areas given the volumes are the trapezoid integral, exact for an
area linear in level). Outside the table the area is held and the volume extrapolated linearly.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Hypsometry", "hypsometry", "crust_regeneration"]


@dataclass(frozen=True, slots=True)
class Hypsometry:
    """Level [m], wetted area [m²] and volume [m³] at each row (levels strictly increasing)."""

    levels: np.ndarray
    areas: np.ndarray
    volumes: np.ndarray

    def level(self, volume):
        """Level of a volume (linear in the table; beyond the top, volume / top area). [m]"""
        volume = np.asarray(volume, dtype=float)
        top = self.levels[-1] + (volume - self.volumes[-1]) / max(self.areas[-1], 1e-30)
        bottom = self.levels[0] + (volume - self.volumes[0]) / max(self.areas[0], 1e-30) \
            if self.areas[0] > 0 else np.full_like(volume, self.levels[0])
        inside = np.interp(volume, self.volumes, self.levels)
        return np.where(volume > self.volumes[-1], top, np.where(volume < self.volumes[0], bottom, inside))

    def area(self, volume):
        """Wetted area of a volume. [m²]"""
        return np.interp(np.asarray(volume, dtype=float), self.volumes, self.areas)

    def volume(self, level):
        """Volume at a level. [m³]"""
        return np.interp(np.asarray(level, dtype=float), self.levels, self.volumes)


def hypsometry(levels, areas, volumes=None, *, playa_area: float) -> Hypsometry:
    """Build the relation from a scenario's table (volumes optional) or a flat playa.

    Parameters
    ----------
    levels : ndarray (k,) or None
        [m]
    areas : ndarray (k,) or None
        [m²]
    volumes : ndarray (k,) or None
        [m³]; None integrates the areas (trapezoids).
    playa_area : float
        Area of the playa, used for a flat lake (0 to 1 m of water over the whole playa) when no
        table is given. [m²]

    Returns
    -------
    Hypsometry
    """
    if levels is None or areas is None:
        levels = np.array([0.0, 1.0])
        areas = np.array([playa_area, playa_area])
        volumes = np.array([0.0, playa_area])
    levels = np.asarray(levels, dtype=float)
    areas = np.asarray(areas, dtype=float)
    if volumes is None:
        volumes = np.concatenate([[0.0], np.cumsum(0.5 * (areas[1:] + areas[:-1]) * np.diff(levels))])
    volumes = np.asarray(volumes, dtype=float)
    # strictly increasing volumes for inversion (flat stretches are dry levels)
    ramp = 1e-9 * np.arange(volumes.size)
    return Hypsometry(levels=levels, areas=areas, volumes=np.maximum.accumulate(volumes) + ramp)


def crust_regeneration(disturbed_area, recovery_time, duration):
    """Disturbed crust area left after a period of natural recovery (exponential). [m²]

    Parameters
    ----------
    disturbed_area : float or ndarray
        [m²]
    recovery_time : float
        e-folding time of recovery. [s]
    duration : float
        [s]
    """
    if recovery_time <= 0.0:
        return np.zeros_like(np.asarray(disturbed_area, dtype=float))
    return np.asarray(disturbed_area, dtype=float) * np.exp(-duration / recovery_time)
