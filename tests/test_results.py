"""Results: tidy tables with documented, unit-suffixed columns; atomic run directories."""
import dataclasses
import json
import os
import re

import numpy as np
import pandas as pd
import pytest

from saltsim import runner
from saltsim.constants import COMPONENTS
from saltsim.errors import ResultsError
from saltsim.examples import load_example
from saltsim.results import COLUMNS, TABLES, Results, describe_column, empty_table

#: Unit suffixes a numeric column may end with (docs/architecture.md, STYLE.md convention 13).
UNIT_SUFFIXES = ("_kg", "_m", "_m2", "_m3", "_s", "_K", "_J", "_W", "_kg_per_m3", "_mol_per_kg",
                 "_frac", "_m_per_s", "_degBe", "_rel", "_t_per_yr")
#: Columns of tables that carry their unit in a `unit` column, or are not quantities.
UNITLESS_NUMERIC = {("kpis", "value"), ("impacts", "value"), ("shipments", "train"), ("shipments", "wagons"),
                    ("wagon_states", "wagons")}  # counts


def _example_results():
    time = pd.to_datetime(["2026-03-22", "2026-03-23"])
    tables = {
        "kpis": pd.DataFrame({"kpi": ["nacl_harvested"], "value": [123.5], "unit": ["kt/yr"],
                              "description": ["NaCl harvested per year"]}),
        "ponds": pd.DataFrame({"time": time, "pond": ["E1", "E1"], "depth_m": [0.4, 0.38],
                               "volume_m3": [2.8e5, 2.66e5], "density_kg_per_m3": [1203.0, 1210.0],
                               "layer_halite_kg": [0.0, 12.5]}),
        "mass_balance": pd.DataFrame({"element": list(COMPONENTS), "in_kg": np.ones(10), "out_kg": np.zeros(10),
                                      "stored_start_kg": np.zeros(10), "stored_end_kg": np.ones(10),
                                      "closure_rel": np.zeros(10)}),
    }
    return Results.from_tables(tables, {"seed": 3, "scenario_hash": "abc"})


def test_every_registered_column_is_described_and_unit_suffixed():
    for table, columns in COLUMNS.items():
        for name, column in columns.items():
            assert column.description
            if column.dtype in ("float64", "int64") and (table, name) not in UNITLESS_NUMERIC:
                assert name.endswith(UNIT_SUFFIXES), f"{table}.{name} lacks a unit suffix"


def test_missing_tables_are_empty_skeletons():
    results = Results.from_tables({}, {})
    for name in TABLES:
        frame = getattr(results, name)
        assert frame.empty and list(frame.columns) == list(empty_table(name).columns)
    assert list(results.kpis.columns) == ["kpi", "value", "unit", "description"]
    assert list(results.mass_balance.columns)[0] == "element"


def test_results_are_frozen_and_report_undocumented_columns():
    results = _example_results()
    with pytest.raises(dataclasses.FrozenInstanceError):
        results.kpis = pd.DataFrame()
    assert results.undocumented_columns() == {}
    odd = Results.from_tables({"lake": pd.DataFrame({"time": [], "mystery": []})}, {})
    assert odd.undocumented_columns() == {"lake": ["mystery"]}
    assert describe_column("ponds", "layer_carnallite_kg") is not None
    with pytest.raises(ResultsError, match="unknown result tables"):
        Results.from_tables({"pond": pd.DataFrame()}, {})
    assert results.kpi("nacl_harvested") == 123.5


@pytest.mark.parametrize("parquet", [False, True])
def test_write_read_round_trip(tmp_path, parquet):
    results = _example_results()
    target = results.write(tmp_path / "run", parquet=parquet)
    files = sorted(os.listdir(target))
    assert files == sorted([f"{n}.csv" for n in TABLES] + (["%s.parquet" % n for n in TABLES] if parquet else [])
                           + ["metadata.json"])
    assert json.loads((target / "metadata.json").read_text())["seed"] == 3
    back = Results.read(target)
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(back, name), getattr(results, name), check_dtype=False)
    assert pd.api.types.is_datetime64_any_dtype(back.ponds["time"])


#: Rows enough for pandas' CSV writer to format timestamps in more than one chunk (it writes
#: ~100,000 cells per chunk, and a chunk of midnights only as bare dates).
MANY_ROWS = 20_000


def test_csv_alone_reads_back_every_value_exactly(tmp_path):
    # What a reader without Parquet sees: a long flow table whose first days are booked at
    # midnight and whose last rows are within the day (a train's arrival), missing values,
    # booleans, text that needs quoting, and floats whose shortest round-trip form is long or
    # exponential.
    seconds = np.arange(MANY_ROWS) * 86400.0
    seconds[-3:] += [23656.32, 1.5, 0.001]
    n = MANY_ROWS
    flows = pd.DataFrame({"time": pd.Timestamp("2026-03-21") + pd.to_timedelta(seconds, unit="s"),
                          "source": np.where(np.arange(n) % 2, "lake", 'a "quoted", name'),
                          "sink": "pond:E1", "process": "pump",
                          "H2O_kg": np.tile([0.1 + 0.2, 1e-300, -0.0, 2.0 / 3.0], n // 4),
                          "Na_kg": np.where(np.arange(n) % 3, 3.0e21, np.nan), "time_s": seconds})
    plants = pd.DataFrame({"time": flows["time"].iloc[-2:].to_numpy(), "plant": ["salt_wash", "magnesia"],
                           "product": ["salt", "magnesia"], "production_kg": [0.0, 123.456],
                           "blocked_by_output": [False, True]})
    results = Results.from_tables({"flows": flows, "plants": plants}, {"seed": 1})
    target = results.write(tmp_path / "run", parquet=False)
    back = Results.read(target)
    for name in ("flows", "plants"):
        pd.testing.assert_frame_equal(getattr(back, name), getattr(results, name), check_dtype=False,
                                      check_exact=True)


def test_write_refuses_an_existing_directory_and_leaves_no_temporaries(tmp_path):
    results = _example_results()
    results.write(tmp_path / "run")
    with pytest.raises(ResultsError, match="already exists"):
        results.write(tmp_path / "run")
    changed = Results.from_tables({"kpis": pd.DataFrame({"kpi": ["x"], "value": [1.0], "unit": ["t"],
                                                         "description": ["d"]})}, {"seed": 4})
    changed.write(tmp_path / "run", overwrite=True)
    assert Results.read(tmp_path / "run").metadata["seed"] == 4
    assert sorted(os.listdir(tmp_path)) == ["run"]


def test_failed_write_leaves_nothing(tmp_path, monkeypatch):
    results = _example_results()

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("saltsim.results._write_csv", boom)
    with pytest.raises(OSError, match="disk full"):
        results.write(tmp_path / "run")
    assert os.listdir(tmp_path) == []


def test_runner_without_a_model_returns_the_skeleton_with_metadata(monkeypatch):
    monkeypatch.setattr(runner, "MODEL_MODULE", "saltsim._no_such_model")
    scenario = load_example("qom_small")
    results = runner.run(scenario, seed=5)
    meta = results.metadata
    assert meta["seed"] == 5 and meta["scenario_hash"] == scenario.hash
    assert meta["saltsim_version"] and meta["model"].startswith("skeleton")
    assert re.match(r"\d{4}-\d\d-\d\dT", meta["start_time"]) and meta["end_time"] >= meta["start_time"]
    assert {"S5", "U1", "S1"} <= set(meta["citations"])  # keys cited in qom_small.toml
    assert all(getattr(results, name).empty for name in TABLES)
    assert runner.run(scenario).metadata["seed"] == scenario.site.seed


def test_runner_accepts_both_model_output_shapes(monkeypatch):
    import sys
    import types

    module = types.ModuleType("saltsim_fake_model")
    kpis = pd.DataFrame({"kpi": ["a"], "value": [1.0], "unit": ["t"], "description": ["d"]})

    class Tables(dict):
        metadata = {"random_streams": ["weather"], "citations": ["Z9"]}

    module.simulate = lambda scenario, seed, strategy, progress: Tables({"kpis": kpis})
    monkeypatch.setitem(sys.modules, "saltsim_fake_model", module)
    monkeypatch.setattr(runner, "MODEL_MODULE", "saltsim_fake_model")
    monkeypatch.setattr(runner, "_model_available", lambda: True)
    results = runner.run(load_example("qom_small"))
    assert results.kpi("a") == 1.0 and results.metadata["random_streams"] == ["weather"]
    assert "Z9" in results.metadata["citations"]
    module.simulate = lambda scenario, seed, strategy, progress: ({"kpis": kpis}, {"n_days": 365})
    assert runner.run(load_example("qom_small")).metadata["n_days"] == 365


def test_runner_computes_impacts_with_the_no_project_counterfactual(monkeypatch):
    import sys
    import types

    pytest.importorskip("saltsim.environment.impacts")
    calls = []
    module = types.ModuleType("saltsim_fake_model_2")

    def simulate(scenario, seed, strategy, progress):
        calls.append(strategy)
        return {"kpis": pd.DataFrame({"kpi": ["a"], "value": [1.0], "unit": ["t"], "description": ["d"]})}, {}

    module.simulate = simulate
    monkeypatch.setitem(sys.modules, "saltsim_fake_model_2", module)
    monkeypatch.setattr(runner, "MODEL_MODULE", "saltsim_fake_model_2")
    monkeypatch.setattr(runner, "_model_available", lambda: True)
    scenario = load_example("qom_small")
    results = runner.run(scenario, seed=2)
    assert calls == [None, "no_project"]
    assert not results.impacts.empty and set(results.impacts.columns) >= set(COLUMNS["impacts"])
    assert results.metadata["counterfactual"] == "strategy no_project, seed 2"
    calls.clear()
    runner.run(scenario, seed=2, counterfactual=False)
    assert calls == [None]


def test_results_pickle_for_sweep_workers():
    import pickle

    results = _example_results()
    again = pickle.loads(pickle.dumps(results))
    assert again.metadata == results.metadata
    pd.testing.assert_frame_equal(again.ponds, results.ponds)
