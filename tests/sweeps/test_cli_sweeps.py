"""``saltsim sweep`` and ``saltsim bench-strategies`` end to end on ``qom_small`` (shortened)."""
from __future__ import annotations

from importlib import resources

import numpy as np
import pandas as pd
import pytest

from saltsim import cli
from saltsim.sweeps import replication_seeds

QOM_SMALL = resources.files("saltsim").joinpath("scenarios/qom_small.toml")
#: Paired differences recomputed here with pandas, in another summation order.
RTOL_SUM_ORDER = 1e-9


@pytest.mark.parametrize("argv, message", [
    (["--vary", "ponds[0].aera=60..90 ha"], r"'aera' is not a key of \[ponds\].*did you mean 'area'\?"),
    (["--vary", "ponds[0].area=90..60 ha"], r"--vary\[0\]: found the range 90\.\.60"),
    (["--vary", "ponds[0].area=60..90 hectare_x"], r"--vary\[0\]: found the unit 'hectare_x'"),
    (["--strategies", "crust_harvset"], r"--strategies: found 'crust_harvset'.*did you mean 'crust_harvest'\?"),
    (["--resume"], r"--resume: found no --out"),
])
def test_bad_input_exits_2_with_one_line_per_problem(argv, message, capsys, tmp_path):
    code = cli.main(["sweep", str(QOM_SMALL), "--serial", "--no-progress", *argv])
    err = capsys.readouterr().err
    assert code == 2
    assert "Traceback" not in err
    assert err.startswith("error: ")
    import re

    assert re.search(message, err), err


def test_sweep_command_writes_the_tidy_table(capsys, tmp_path):
    out = tmp_path / "sw"
    code = cli.main(["sweep", str(QOM_SMALL), "--vary", "site.horizon=30 d",
                     "--vary", "ponds[0].area=60,90 ha", "--design", "grid", "--replications", "1",
                     "--serial", "--no-progress", "--out", str(out), "--seed", "5"])
    text = capsys.readouterr().out
    assert code == 0, text
    assert "sweep: 2 runs (2 run now, 0 already stored), 2 points x 1 strategies x 1 replications, seed 5" in text
    table = pd.read_parquet(out / "results.parquet")
    assert sorted(table["run_id"].unique()) == ["p00000-s00-r0000", "p00001-s00-r0000"]
    assert set(table["ponds[0].area_ha"]) == {60.0, 90.0}
    assert set(table["seed"]) == set(replication_seeds(5, 1))
    pumped = table[table["kpi"] == "brine_pumped"].set_index("ponds[0].area_ha")["value"]
    assert np.all(np.isfinite(pumped)) and pumped.loc[60.0] > 0
    # resuming a finished sweep runs nothing
    code = cli.main(["sweep", str(QOM_SMALL), "--vary", "site.horizon=30 d",
                     "--vary", "ponds[0].area=60,90 ha", "--design", "grid", "--replications", "1",
                     "--serial", "--no-progress", "--out", str(out), "--seed", "5", "--resume"])
    assert code == 0
    assert "(0 run now, 2 already stored)" in capsys.readouterr().out


def test_bench_strategies_ranks_with_paired_intervals(capsys, tmp_path):
    text = QOM_SMALL.read_text(encoding="utf-8").replace('horizon = "1 yr"', 'horizon = "30 d"', 1)
    assert 'horizon = "30 d"' in text
    text += ('\n[[variants]]\nname = "large_concentrator"\n'
             '[variants.overrides]\n"ponds[0].area" = "120 ha"\n')
    scenario = tmp_path / "qom_small_variants.toml"
    scenario.write_text(text, encoding="utf-8")
    out = tmp_path / "bench"
    code = cli.main(["bench-strategies", str(scenario), "--replications", "2", "--serial",
                     "--no-progress", "--out", str(out), "--objective", "brine_pumped:max",
                     "--objective", "pumping_energy:min"])
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert "2 strategies x 2 replications" in printed and "Pareto front (brine_pumped, pumping_energy)" in printed
    for name in ("statistics.csv", "ranking.csv", "pareto.png", "results.parquet"):
        assert (out / name).stat().st_size > 0
    # the paired difference recomputed by hand from the stored runs
    table = pd.read_parquet(out / "results.parquet")
    pumped = table[table["kpi"] == "brine_pumped"].pivot(index="replication", columns="strategy",
                                                         values="value")
    diff = (pumped["large_concentrator"] - pumped["base"]).to_numpy()
    stats = pd.read_csv(out / "statistics.csv")
    row = stats[(stats["strategy"] == "large_concentrator") & (stats["kpi"] == "brine_pumped")].iloc[0]
    assert row["diff_mean"] == pytest.approx(diff.mean(), rel=RTOL_SUM_ORDER)
    assert row["n_pairs"] == 2
    ranking = pd.read_csv(out / "ranking.csv")
    assert set(ranking["strategy"]) == {"base", "large_concentrator"}
    assert ranking["pareto"].any()
