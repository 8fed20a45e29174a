"""Fixtures of the sweep tests: the toy model is importable by worker processes."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
TOY = "sweep_toy_model:evaluate"


@pytest.fixture
def toy_path(monkeypatch):
    """Make ``sweep_toy_model`` importable in spawned/forkserver/Dask worker processes."""
    existing = os.environ.get("PYTHONPATH", "")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(p for p in (str(HERE), existing) if p))
    monkeypatch.syspath_prepend(str(HERE))
    return HERE


@pytest.fixture
def toy_scenario():
    """A flat toy scenario with four variants (``wasteful`` is dominated by ``salt_only``)."""
    return {
        "site": {"seed": 424242},
        "ponds[0].area": "10 km^2",
        "variants": [
            {"name": "salt_only", "overrides": {"strategy.name": "salt_only"}},
            {"name": "salt_mg", "overrides": {"strategy.name": "salt_mg"}},
            {"name": "crust", "overrides": {"strategy.name": "crust"}},
            {"name": "wasteful", "overrides": {"strategy.name": "salt_only", "co2_offset_kg": 1e6}},
        ],
    }
