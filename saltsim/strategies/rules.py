"""Threshold rules: harvest a crystallizer when its salt layer reaches a thickness."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .base import SiteView

__all__ = ["ThresholdHarvest", "CrustHarvest", "MAINTENANCE_FRACTION"]


#: Default of the ``maintenance_fraction`` parameter: None, off. With a value, a pond without a
#: harvest threshold (a concentrator fed with brine already near halite saturation, as the Qom
#: proxy brine is) is harvested when its salt layer fills that fraction of its wall height, so
#: that the deposit does not fill the pond (at Dead Sea Works the salt raises the pond floor
#: ~20 cm/yr and is harvested for that reason [M6][M8]). [-]
MAINTENANCE_FRACTION = None


@dataclass
class ThresholdHarvest:
    """Solar ponds: harvest each pond whose layer ≥ its ``harvest_layer`` in the harvest months
    (parameter ``harvest_layer`` [m] overrides the ponds' own thresholds); ponds without one are
    harvested when the layer reaches ``maintenance_fraction`` of their wall height, if that
    parameter is given (:data:`MAINTENANCE_FRACTION`).

    Parameters
    ----------
    parameters : mapping
        ``harvest_layer`` [m], ``maintenance_fraction`` [-] (optional).
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
        fraction = self.parameters.get("maintenance_fraction", MAINTENANCE_FRACTION)
        if fraction is not None and view.depth_max is not None:
            threshold = np.where(np.isnan(threshold), float(fraction) * view.depth_max, threshold)
        # a NaN threshold (a pond not harvested) compares False, without a floating-point warning
        ready = view.online & (view.layer_thickness >= threshold)
        return np.flatnonzero(ready)


@dataclass
class CrustHarvest(ThresholdHarvest):
    """Mechanical harvest of the natural lake crust; no ponds."""

    name: str = "crust_harvest"
    uses_ponds: bool = False
    crust_harvesting: bool = True
