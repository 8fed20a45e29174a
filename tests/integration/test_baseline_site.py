"""The bundled Qom baseline, 30 years daily through ``saltsim.run``: the run and its ledger.

One run (the session fixture ``baseline`` of ``conftest.py``) with plants and rail, as ``saltsim
run`` does it. Its KPIs against domain.md (yield, feed and drain Baumé, Mg enrichment, no stall)
are checked in ``test_baseline_plausibility.py``.
"""
import numpy as np
import pytest

from saltsim.units import YEAR

pytestmark = pytest.mark.slow

#: Acceptance bound of issue 4 on the closure of every element.
CLOSURE_RTOL = 1e-9


def test_runs_thirty_years_daily(baseline):
    lake = baseline.lake
    assert len(lake) >= 30 * 365 and lake["time_s"].iloc[-1] >= 30 * YEAR - 1.0
    assert np.all(np.diff(lake["time_s"]) == 86400.0)


def test_mass_balance_closes_over_thirty_years_with_failures_and_rain(baseline):
    assert (baseline.mass_balance["closure_rel"] <= CLOSURE_RTOL).all()
    kinds = set(baseline.events["kind"])
    assert {"pump_failure", "pump_repair", "campaign_start"} <= kinds
    assert baseline.lake["rain_m"].sum() > 0.0
    # overflows are covered by tests/des/test_site_model.py (storms on the small scenario)
