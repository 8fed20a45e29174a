"""Sweeps of the real model on the bundled ``qom_small`` (shortened to 60 days to stay fast):
every backend gives the same table bit for bit, and each row is the run its seed names."""
from __future__ import annotations

from importlib import resources

import numpy as np
import pytest
from pandas.testing import assert_frame_equal

from saltsim.sweeps import kpis_with_impacts, replication_seeds, sweep

pytest.importorskip("distributed")

QOM_SMALL = str(resources.files("saltsim").joinpath("scenarios/qom_small.toml"))
#: 60 days keep each run short; the path-table build is most of a run's cost.
SHORT = "site.horizon=60 d"
KWARGS = dict(vary=[SHORT], design="grid", replications=2, progress=False)

pytestmark = [
    # distributed may report sockets or event loops still closing at shutdown
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]


@pytest.fixture(scope="module")
def serial():
    return sweep(QOM_SMALL, backend="serial", **KWARGS)


def test_serial_rows_are_the_runs_their_seeds_name(serial):
    import saltsim

    table = serial.table
    assert table["seed"].unique().tolist() == replication_seeds(20260321, 2)  # site.seed of qom_small
    assert {"nacl_harvested", "brine_pumped", "lake_level_change"} <= set(table["kpi"])
    # replications differ (weather is stochastic) ...
    wide = serial.wide().set_index("replication")
    assert wide.loc[0, "lake_level_change_m"] != wide.loc[1, "lake_level_change_m"]
    # ... and replication 1 is exactly `saltsim run --seed <its seed>` of the same scenario
    scenario = saltsim.load_scenario(QOM_SMALL, overrides={"site.horizon": "60 d"})
    seed = int(wide.loc[1, "seed"])
    direct = saltsim.run(scenario, seed=seed, progress=False)
    expected = kpis_with_impacts(direct.kpis, direct.impacts)
    got = table.loc[table["replication"] == 1, ["kpi", "value", "unit"]].reset_index(drop=True)
    assert_frame_equal(got, expected, check_exact=True)


def test_dask_local_cluster_matches_serial(serial):
    """The acceptance test: a real LocalCluster on loopback with 2 process workers
    (``processes=True, threads_per_worker=1, host="127.0.0.1", dashboard_address=None``, started
    and closed by ``sweep``). The process pool is compared with serial on the toy model and, on
    100 replications of this scenario, by ``benchmarks/bench_sweeps.py``."""
    dask = sweep(QOM_SMALL, backend="dask", workers=2, **KWARGS)
    assert_frame_equal(dask.table, serial.table, check_exact=True)
    assert np.isfinite(dask.table["value"]).any()
