"""Threshold rules: harvest a crystallizer when its salt layer reaches a thickness."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .base import SiteView

__all__ = ["ThresholdHarvest", "CrustHarvest"]


@dataclass
class ThresholdHarvest:
    """Solar ponds: harvest each crystallizer whose layer ≥ its ``harvest_layer`` in the harvest
    months (parameter ``harvest_layer`` [m] overrides the ponds' own thresholds).

    Parameters
    ----------
    parameters : mapping
        ``harvest_layer`` [m] (optional).
    name : str
    """

    parameters: dict
    name: str = "ponds_salt"
    uses_ponds: bool = True
    crust_harvesting: bool = False

    def ponds_to_harvest(self, view: SiteView, harvest_months) -> np.ndarray:
        if harvest_months is not None and view.month not in harvest_months:
            return np.zeros(0, dtype=np.int64)
        threshold = view.harvest_layer
        override = self.parameters.get("harvest_layer")
        if override is not None:
            threshold = np.where(np.isnan(threshold), np.nan, float(override))
        ready = view.online & ~np.isnan(threshold) & (view.layer_thickness >= np.nan_to_num(threshold, nan=np.inf))
        return np.flatnonzero(ready)


@dataclass
class CrustHarvest(ThresholdHarvest):
    """Mechanical harvest of the natural lake crust; no ponds."""

    name: str = "crust_harvest"
    uses_ponds: bool = False
    crust_harvesting: bool = True
