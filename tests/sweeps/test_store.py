"""The crash-safe run store: atomic files, manifest, recovery after a kill."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from saltsim.errors import ResultsError
from saltsim.store import MANIFEST_FILE, RunStore, atomic_write_bytes

SPEC = {"scenario": "x.toml", "seed": 1, "run_ids": ["a", "b"]}


def frame(run_id, value):
    return pd.DataFrame({"run_id": [run_id, run_id], "kpi": ["k1", "k2"], "value": [value, 2 * value],
                         "unit": ["kg", "kg"], "error": ["", ""]})


def test_write_and_read_back_exactly(tmp_path):
    store = RunStore.create(tmp_path / "s", SPEC)
    store.write_run("b", frame("b", 0.1 + 0.2))
    store.write_run("a", frame("a", 1 / 3))
    assert store.done == {"a", "b"}
    table = store.read_all()
    assert list(table["run_id"]) == ["a", "a", "b", "b"]  # run-id order, not writing order
    assert table["value"].tolist() == [1 / 3, 2 / 3, 0.1 + 0.2, 2 * (0.1 + 0.2)]  # bit for bit
    assert not list((tmp_path / "s" / "runs").glob(".tmp-*"))
    assert [json.loads(l)["run_id"] for l in (tmp_path / "s" / MANIFEST_FILE).read_text().splitlines()] == ["b", "a"]


def test_a_run_is_never_written_twice(tmp_path):
    store = RunStore.create(tmp_path / "s", SPEC)
    store.write_run("a", frame("a", 1.0))
    with pytest.raises(ResultsError, match="run 'a' is already stored"):
        store.write_run("a", frame("a", 2.0))
    reopened = RunStore.open(tmp_path / "s", SPEC)
    with pytest.raises(ResultsError):
        reopened.write_run("a", frame("a", 2.0))


def test_create_refuses_an_existing_sweep(tmp_path):
    RunStore.create(tmp_path / "s", SPEC)
    with pytest.raises(ResultsError, match="a sweep already exists here; use --resume"):
        RunStore.create(tmp_path / "s", SPEC)


def test_resume_requires_the_same_spec(tmp_path):
    RunStore.create(tmp_path / "s", SPEC)
    with pytest.raises(ResultsError, match=r"differs in: seed"):
        RunStore.open(tmp_path / "s", {**SPEC, "seed": 2})
    with pytest.raises(ResultsError, match="no sweep to resume"):
        RunStore.open(tmp_path / "elsewhere", SPEC)


def test_recovery_after_a_kill_between_file_and_manifest(tmp_path):
    """Simulate the states a SIGKILL can leave: a stray temporary file (killed while writing),
    and a run file without its manifest line (killed after os.replace)."""
    store = RunStore.create(tmp_path / "s", SPEC)
    store.write_run("a", frame("a", 1.0))
    runs = tmp_path / "s" / "runs"
    (runs / ".tmp-abc.parquet").write_bytes(b"PAR1 half written")
    atomic_write_bytes(runs / "b.parquet", frame("b", 5.0).to_parquet(index=False))  # no manifest line
    reopened = RunStore.open(tmp_path / "s", SPEC)
    assert reopened.done == {"a", "b"}
    assert not list(runs.glob(".tmp-*"))
    manifest = reopened.manifest()
    assert sorted(manifest["run_id"]) == ["a", "b"]
    assert manifest.set_index("run_id").loc["b", "recovered"] == True  # noqa: E712


def test_a_torn_file_is_discarded_and_run_again(tmp_path):
    """A file cut short by a power loss (not possible by a process kill) is not counted as done."""
    store = RunStore.create(tmp_path / "s", SPEC)
    store.write_run("a", frame("a", 1.0))
    path = tmp_path / "s" / "runs" / "a.parquet"
    path.write_bytes(path.read_bytes()[:20])
    assert RunStore.open(tmp_path / "s", SPEC).done == set()
    assert not path.exists()
