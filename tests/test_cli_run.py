"""saltsim run: summary, KPIs and an atomic run directory (skeleton model: fast and independent)."""
import json
from pathlib import Path

import pytest

from saltsim import cli, runner
from saltsim.results import TABLES

ROOT = Path(__file__).resolve().parents[1]
SMALL = str(ROOT / "scenarios" / "qom_small.toml")
BASELINE = str(ROOT / "scenarios" / "qom_baseline.toml")


@pytest.fixture
def skeleton(monkeypatch):
    """Run without the site model: the command's own behaviour, not the simulation's."""
    monkeypatch.setattr(runner, "MODEL_MODULE", "saltsim._no_such_model")


def test_run_writes_the_run_directory(skeleton, tmp_path, capsys):
    out = tmp_path / "run"
    assert cli.main(["run", SMALL, "--out", str(out), "--seed", "7"]) == 0
    printed = capsys.readouterr().out
    assert "scenario  Qom Salt Lake (small test case)" in printed
    assert "ponds  3, 85 ha" in printed
    assert f"wrote {out}/" in printed
    for name in TABLES:
        assert (out / f"{name}.csv").is_file()
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["seed"] == 7 and len(meta["scenario_hash"]) == 64


def test_existing_run_directory_is_never_overwritten_silently(skeleton, tmp_path, capsys):
    out = tmp_path / "run"
    assert cli.main(["run", SMALL, "--out", str(out)]) == 0
    (out / "marker").write_text("keep")
    assert cli.main(["run", SMALL, "--out", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert (out / "marker").exists()
    assert cli.main(["run", SMALL, "--out", str(out), "--force"]) == 0
    assert not (out / "marker").exists()


def test_run_without_scenario_uses_the_bundled_baseline_from_any_directory(skeleton, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["run"]) == 0
    printed = capsys.readouterr().out
    assert "scenario  Qom Salt Lake\n" in printed and "horizon 30 yr" in printed
    runs = list((tmp_path / "runs").iterdir())
    assert len(runs) == 1 and runs[0].name.startswith("qom_baseline-")
    assert cli.main(["run"]) == 0
    assert len(list((tmp_path / "runs").iterdir())) == 2, "a second run gets a new directory"


def test_run_variant_and_set(skeleton, tmp_path, capsys):
    out = tmp_path / "run"
    assert cli.main(["run", f"{BASELINE}#crust_harvest", "--set", 'site.horizon="2 yr"', "--set", "site.seed=9",
                     "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "(variant crust_harvest)" in printed and "horizon 2 yr" in printed and "seed 9" in printed
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["variant"] == "crust_harvest" and meta["strategy"] == "crust_harvest"


@pytest.mark.parametrize("argv, message", [
    (["--set", "ponds[0].aera=1"], r"'aera' is not a key of \[ponds\]"),
    (["--set", "novalue"], r"--set: found 'novalue'; expected PATH=VALUE"),
    (["--variant", "nope"], r"variant: found 'nope'"),
])
def test_run_bad_input_exits_2(skeleton, tmp_path, capsys, argv, message):
    import re

    assert cli.main(["run", SMALL, "--out", str(tmp_path / "r"), *argv]) == 2
    err = capsys.readouterr().err
    assert re.search(message, err) and "Traceback" not in err


def test_readme_quick_start_has_exactly_two_commands_and_they_name_real_things():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = quick.split("```bash")[1:]
    assert len(blocks) == 2
    commands = [b.split("```", 1)[0].strip() for b in blocks]
    assert commands[0].endswith("pip install . && saltsim run")
    assert commands[1].endswith("pip install -e '.[test]' && pytest")
    assert "test = [" in (ROOT / "pyproject.toml").read_text()


@pytest.mark.parametrize("value, unit, expected_value, expected_unit", [
    (9.341e11, "J/yr", 9.341e11 / 3.6e9, "MWh/yr"),
    (5_665_244.0, "kg/yr", 5.665244, "kt/yr"),
    (1_037_857.0, "m^3/yr", 1.037857, "hm^3/yr"),
    (330_000.0, "s", 330_000.0 / 86400.0, "d"),
    (0.0, "s", 0.0, "s"),
    (0.0, "d", 0.0, "d"),                 # a zero day count stays in days
    (0.0, "J/yr", 0.0, "kWh/yr"),         # a zero in an SI unit: the family's first display unit
    (3.2e15, "kg*m", 3.2e3, "Mt*km"),     # transport work: 1 t km = 1e6 kg m
    (5.0e8, "kg*m", 500.0, "t*km"),
    (15.8, "t/ha/yr", 15.8, "t/ha/yr"),   # no display family: as given
    (29.7, "degBe", 29.7, "degBe"),       # not a pint unit: as given
])
def test_kpis_are_shown_in_display_units(value, unit, expected_value, expected_unit):
    from saltsim.commands.run import display_quantity

    shown, shown_unit = display_quantity(value, unit)
    assert shown_unit == expected_unit and shown == pytest.approx(expected_value, rel=1e-12)


def test_the_report_shows_kpis_in_the_same_display_units_as_the_run_summary():
    import pandas as pd

    from saltsim.report import _display_kpis

    kpis = pd.DataFrame({"kpi": ["net_tonne_km_kg_m", "production_blocked_d", "nacl_harvested"],
                         "value": [2.0e12, 0.0, 2.63e8], "unit": ["kg*m", "d", "kg/yr"]})
    shown = _display_kpis(kpis)
    assert list(shown["unit"]) == ["Mt*km", "d", "kt/yr"]   # 2e12 kg m = 2e6 t km
    assert shown["value"].tolist() == pytest.approx([2.0, 0.0, 263.0], rel=1e-12)
