"""saltsim compare from the command line: simulated variants (grid vs PV) and run directories."""
import contextlib
import io
import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from report_fixtures import cached_path_tables  # noqa: E402

from saltsim import cli  # noqa: E402

PAIRS = Path(__file__).parent / "environment" / "data" / "impact_pairs.toml"
GRID_KG_PER_J = 0.665 / 3.6e6  # [R20]
# The supply model splits each day's plant demand between PV and grid; daily splits summed.
RTOL_SUPPLY = 1e-6
# Sums over the daily plant records.
RTOL_SUM = 1e-9


@pytest.fixture(scope="module", autouse=True)
def _one_path_per_brine():
    patch = cached_path_tables()
    yield
    patch.undo()


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    """One simulated comparison (2 runs), keeping the runs as run directories."""
    out = tmp_path_factory.mktemp("compare")
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        code = cli.main(["compare", f"{PAIRS}#base", f"{PAIRS}#pv", "--no-counterfactual",
                         "--csv", str(out / "cmp.csv"), "--figures", str(out / "figs"),
                         "--keep-runs", str(out / "runs")])
    return code, stdout.getvalue(), out


def test_exit_code_csv_and_figures(compared):
    code, _, out = compared
    assert code == 0
    table = pd.read_csv(out / "cmp.csv")
    assert {"label", "metric", "unit", "n", "mean", "low", "high", "reference", "delta", "delta_pct"} <= set(table.columns)
    assert set(table.label) == {"impact_pairs#base", "impact_pairs#pv"}
    assert (out / "figs" / "impacts_co2e_total.png").read_bytes()[:4] == b"\x89PNG"


def test_grid_vs_pv_difference_in_the_csv_matches_the_hand_value(compared):
    _, _, out = compared
    table = pd.read_csv(out / "cmp.csv").set_index(["label", "metric"])
    pv_energy = table.loc[("impact_pairs#pv", "impacts:electricity_pv"), "mean"]  # J, = sum of plants.pv_J
    assert pv_energy > 0
    delta = table.loc[("impact_pairs#pv", "impacts:co2e_total"), "delta"]
    assert delta == pytest.approx(-pv_energy * GRID_KG_PER_J, rel=RTOL_SUPPLY)


def test_terminal_table_shows_differences_in_one_unit_per_metric(compared):
    _, text, _ = compared
    lines = text.splitlines()
    assert lines[0].split()[:4] == ["metric", "unit", "impact_pairs#base", "impact_pairs#pv"]
    rows = [line for line in lines if line.startswith("impacts:co2e_total ")]
    assert len(rows) == 1 and rows[0].split()[1] in ("t", "kt") and rows[0].rstrip().endswith("%")
    assert "Δ against impact_pairs#base" in text


def test_run_directories_compare_the_same(compared, capsys):
    _, _, out = compared
    runs = out / "runs"
    code = cli.main(["compare", str(runs / "impact_pairs-base"), str(runs / "impact_pairs-pv"), "--metrics",
                     "impacts:co2e_total,impacts:electricity_pv", "--reference", "impact_pairs-pv"])
    text = capsys.readouterr().out
    assert code == 0
    assert [line.split()[0] for line in text.splitlines()[2:4]] == ["impacts:co2e_total", "impacts:electricity_pv"]
    assert "Δ against impact_pairs-pv" in text
    # the run directories hold the same numbers as the simulated comparison
    assert cli.main(["compare", str(runs / "impact_pairs-base"), str(runs / "impact_pairs-pv"),
                     "--csv", str(out / "dirs.csv")]) == 0
    simulated = pd.read_csv(out / "cmp.csv").set_index(["metric"])
    from_dirs = pd.read_csv(out / "dirs.csv").set_index(["metric"])
    for label_sim, label_dir in (("impact_pairs#base", "impact_pairs-base"), ("impact_pairs#pv", "impact_pairs-pv")):
        a = simulated[simulated.label == label_sim]["mean"]
        b = from_dirs[from_dirs.label == label_dir]["mean"]
        pd.testing.assert_series_equal(a, b, check_names=False, rtol=1e-12)


def test_bad_variant_and_bad_metric_exit_2(compared, capsys):
    _, _, out = compared
    assert cli.main(["compare", f"{PAIRS}#base", f"{PAIRS}#pvv"]) == 2
    assert "did you mean 'pv'" in capsys.readouterr().err
    runs = out / "runs"
    assert cli.main(["compare", str(runs / "impact_pairs-base"), str(runs / "impact_pairs-pv"),
                     "--metrics", "impacts:co2e_totl"]) == 2
    assert "did you mean 'impacts:co2e_total'" in capsys.readouterr().err
    assert cli.main(["compare", str(runs / "impact_pairs-base")]) == 2
    assert "at least two" in capsys.readouterr().err


def test_per_tonne_intensities(compared, capsys):
    _, _, out = compared
    runs = out / "runs"
    code = cli.main(["compare", str(runs / "impact_pairs-base"), str(runs / "impact_pairs-pv"),
                     "--per-tonne", "salt", "--csv", str(out / "per_t.csv")])
    assert code == 0
    table = pd.read_csv(out / "per_t.csv").set_index(["label", "metric"])
    total = table.loc[("impact_pairs-pv", "impacts:co2e_total"), "mean"]
    per_t = table.loc[("impact_pairs-pv", "impacts:co2e_total per t salt"), "mean"]
    salt_t = total / per_t
    from saltsim.results import Results

    plants = Results.read(runs / "impact_pairs-pv").plants
    assert salt_t == pytest.approx(plants.loc[plants["product"] == "salt", "production_kg"].sum() / 1e3, rel=RTOL_SUM)
