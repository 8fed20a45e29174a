"""Dask through an existing scheduler address gives the same results as the serial backend
(the LocalCluster of process workers is tested on the real model in test_real_model.py)."""
from __future__ import annotations

import pytest
from pandas.testing import assert_frame_equal

from conftest import TOY
from saltsim.sweeps import sweep

pytest.importorskip("distributed")

# distributed may report sockets or event loops it is still closing at shutdown; these are
# not results and do not affect them.
pytestmark = [
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore:.*unclosed.*:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]


def test_existing_scheduler_address(toy_path, toy_scenario, tmp_path):
    """``scheduler=tcp://...`` connects to a scheduler started elsewhere (here: a LocalCluster
    of threads on loopback, cheap to start)."""
    from distributed import LocalCluster

    kwargs = dict(vary=["ponds[0].area=10..40 km^2"], samples=4, replications=2, evaluator=TOY,
                  progress=False)
    serial = sweep(toy_scenario, backend="serial", **kwargs)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, protocol="tcp",
                      host="127.0.0.1", dashboard_address=None) as cluster:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        remote = sweep(toy_scenario, scheduler=cluster.scheduler_address, out=tmp_path / "d", **kwargs)
    assert_frame_equal(remote.table, serial.table, check_exact=True)


def test_unreachable_scheduler_is_a_clear_error(toy_path, toy_scenario, monkeypatch):
    import socket

    import saltsim.sweeps as sweeps
    from saltsim.errors import SaltsimError

    monkeypatch.setattr(sweeps, "SCHEDULER_TIMEOUT_S", 1.0)
    with socket.socket() as probe:  # a loopback port with nothing listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(SaltsimError, match=rf"--scheduler tcp://127.0.0.1:{port}: no Dask scheduler answered"):
        sweep(toy_scenario, replications=1, scheduler=f"tcp://127.0.0.1:{port}", evaluator=TOY,
              progress=False)
