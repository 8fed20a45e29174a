"""A seeded stochastic toy model with the evaluator signature of :mod:`saltsim.sweeps`.

Its outputs are known in closed form, so the sweep machinery (seeds, common random numbers,
backends, store) can be checked independently of the simulation:

    salt_kg   = area_m2 · 20 kg m⁻² · (1 + 0.1 z) · f_strategy        z ~ N(0, 1) from the run seed
    pm10_kg   = area_m2 · 1e-3 kg m⁻² · w · g_strategy                w ~ Gamma(2, 1/2) from the run seed

The scenario is a flat mapping ``path → raw value``; overrides replace entries.
"""
from __future__ import annotations

import time
import warnings

import numpy as np
import pandas as pd

from saltsim.errors import ConvergenceError
from saltsim.units import to_si

#: Multiplicative strategy effects on salt (f) and dust (g).
SALT_FACTOR = {None: 1.0, "salt_only": 1.0, "salt_mg": 0.9, "crust": 1.3}
DUST_FACTOR = {None: 1.0, "salt_only": 1.0, "salt_mg": 1.0, "crust": 4.0}
YIELD_KG_PER_M2 = 20.0
PM10_KG_PER_M2 = 1e-3


def draws(seed: int) -> tuple[float, float]:
    """The two random numbers a run with ``seed`` uses: z ~ N(0, 1), w ~ Gamma(2, 0.5)."""
    rng = np.random.default_rng(seed)
    return float(rng.standard_normal()), float(rng.gamma(2.0, 0.5))


def evaluate(scenario, overrides, seed, strategy):
    params = {**dict(scenario), **dict(overrides)}
    params.pop("variants", None)
    area = to_si(params["ponds[0].area"], "m^2", where="ponds[0].area")
    mode = params.get("strategy.name", strategy)
    if params.get("fail_above_km2") is not None and area > 1e6 * float(params["fail_above_km2"]):
        raise ConvergenceError(f"toy model: no convergence for area {area} m^2", area_m2=area)
    if params.get("warn_message"):
        warnings.warn(str(params["warn_message"]), UserWarning, stacklevel=2)
    delay = float(params.get("sleep_s", 0.0))
    if delay:
        time.sleep(delay)
    z, w = draws(seed)
    salt = area * YIELD_KG_PER_M2 * (1.0 + 0.1 * z) * SALT_FACTOR[mode]
    pm10 = area * PM10_KG_PER_M2 * w * DUST_FACTOR[mode]
    co2 = 0.05 * salt + float(params.get("co2_offset_kg", 0.0))
    return pd.DataFrame({"kpi": ["salt_harvested_kg", "pm10_emitted_kg", "co2e_kg"],
                         "value": [salt, pm10, co2], "unit": ["kg", "kg", "kg"]})
