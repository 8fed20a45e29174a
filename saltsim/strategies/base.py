"""The strategy protocol: operating decisions taken from a read-only view of the site.

A strategy never changes state; the model asks it and acts. Physics stays in the kernels.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

__all__ = ["SiteView", "Strategy"]


@dataclass(frozen=True, slots=True)
class SiteView:
    """What a strategy may look at on a day (arrays over ponds; copies).

    ``time_s`` [s], ``month`` (1–12), ``pond_names``, ``roles``, ``layer_thickness`` [m],
    ``harvest_layer`` [m] (NaN where a pond is not harvested), ``online`` (bool),
    ``density`` [kg m⁻³], ``lake_level`` [m], ``depth_max`` [m] (wall height of each pond).
    """

    time_s: float
    month: int
    pond_names: tuple
    roles: tuple
    layer_thickness: np.ndarray
    harvest_layer: np.ndarray
    online: np.ndarray
    density: np.ndarray
    lake_level: float
    depth_max: np.ndarray = None


class Strategy(Protocol):
    """Operating policy of a run.

    Attributes
    ----------
    name : str
    uses_ponds : bool
        Pump lake brine into the pond train.
    crust_harvesting : bool
        Harvest the natural lake crust.
    """

    name: str
    uses_ponds: bool
    crust_harvesting: bool

    def ponds_to_harvest(self, view: SiteView, harvest_months) -> np.ndarray:
        """Indices of ponds whose harvest campaign starts today."""
        ...
