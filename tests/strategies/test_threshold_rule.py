"""The threshold harvest rule, against a pond-by-pond reading of its definition."""
import numpy as np
import pytest

from saltsim.strategies.base import SiteView
from saltsim.strategies.rules import ThresholdHarvest

#: Wall heights and layers are exact binary fractions: the comparisons are exact.
WALL_M = np.array([0.5, 0.5, 1.0, 1.0, 0.5, 0.5, 1.0])


def _view(layer, threshold, online):
    return SiteView(time_s=0.0, month=8, pond_names=tuple(f"P{i}" for i in range(len(layer))),
                    roles=("crystallizer",) * len(layer), layer_thickness=np.asarray(layer, dtype=float),
                    harvest_layer=np.asarray(threshold, dtype=float), online=np.asarray(online),
                    density=np.full(len(layer), 1250.0), lake_level=789.0, depth_max=WALL_M)


def _expected(layer, threshold, online, override=None, fraction=None):
    """The rule's text, one pond at a time: a pond with a threshold (the override replacing it), or
    without one but with a maintenance fraction of its wall height, is harvested when online and
    its layer has reached that threshold."""
    ready = []
    for i, (thickness, own, up) in enumerate(zip(layer, threshold, online)):
        limit = None if np.isnan(own) else (own if override is None else override)
        if limit is None and fraction is not None:
            limit = fraction * WALL_M[i]
        ready.append(bool(up) and limit is not None and thickness >= limit)
    return list(np.flatnonzero(ready))


@pytest.mark.parametrize("parameters", [{}, {"harvest_layer": 0.25}, {"maintenance_fraction": 0.5},
                                        {"harvest_layer": 0.125, "maintenance_fraction": 0.25}])
def test_ponds_without_a_threshold_are_never_ready_and_the_rest_at_their_threshold(parameters):
    layer = [0.25, 0.5, 0.0, np.nan, 0.375, 0.125, 0.5]
    threshold = [0.25, np.nan, 0.0, 0.25, 0.5, np.nan, np.nan]
    online = [True, True, True, True, True, False, True]
    rule = ThresholdHarvest(dict(parameters))
    with np.errstate(all="raise"):   # no floating-point warning from the NaN thresholds or layers
        got = list(rule.ponds_to_harvest(_view(layer, threshold, online), [8]))
    assert got == _expected(layer, threshold, online, parameters.get("harvest_layer"),
                            parameters.get("maintenance_fraction"))
    assert rule.ponds_to_harvest(_view(layer, threshold, online), [1, 2]).size == 0
