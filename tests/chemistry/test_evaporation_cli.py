"""``saltsim evaporate``: CSV columns, printed sequence, input errors (exit 2), PHREEQC comparison."""
import csv

import pytest

from saltsim.cli import main

SEAWATER = """[brine]
name = "seawater"
temperature = "25 degC"
basis = "water"
[brine.composition]
Na = "0.4858787161 mol/kg"
K = "0.01057448751 mol/kg"
Mg = "0.05474112341 mol/kg"
Ca = "0.0106489892 mol/kg"
Cl = "0.5687219455 mol/kg"
SO4 = "0.02925319637 mol/kg"
"""
#: Halite onset on the seawater path (PHREEQC reference README: CF 10.68 without carbonate).
HALITE_ONSET = 10.68
RTOL_ONSET = 0.01


@pytest.fixture
def brine_file(tmp_path):
    path = tmp_path / "seawater.toml"
    path.write_text(SEAWATER, encoding="utf-8")
    return path


def test_csv_and_sequence(brine_file, tmp_path, capsys):
    out = tmp_path / "path.csv"
    plot = tmp_path / "path.png"
    code = main(["evaporate", str(brine_file), "--steps", "25", "--to-water-fraction", "0.05",
                 "--out", str(out), "--plot", str(plot)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "Gypsum" in printed and "Halite" in printed and "Baumé" in printed
    with open(out, newline="") as fh:
        rows = list(csv.DictReader(fh))
    header = list(rows[0])
    assert header[:14] == ["step", "water_fraction", "concentration_factor", "water_kg", "water_activity",
                           "density_kg_per_m3", "ionic_strength_mol_per_kg", "valid", "m_Na", "m_K",
                           "m_Mg", "m_Ca", "m_Cl", "m_SO4"]
    assert "min_Halite" in header and "min_Labile_S" in header
    assert [int(r["step"]) for r in rows] == list(range(len(rows)))
    halite = [float(r["concentration_factor"]) for r in rows if float(r["min_Halite"]) > 0]
    assert halite[0] == pytest.approx(HALITE_ONSET, rel=RTOL_ONSET)
    assert float(rows[0]["density_kg_per_m3"]) == pytest.approx(1023.3, rel=3e-3)
    assert plot.stat().st_size > 10_000


def test_temperature_override_and_fractional_mode(brine_file, capsys):
    assert main(["evaporate", str(brine_file), "--steps", "12", "--to-water-fraction", "0.2",
                 "--temperature", "35degC", "--mode", "fractional"]) == 0
    assert "fractional evaporation at 35.00 °C" in capsys.readouterr().out


def test_bad_input_exits_2_with_one_line_per_problem(brine_file, tmp_path, capsys):
    code = main(["evaporate", str(brine_file), "--steps", "1", "--to-water-fraction", "2",
                 "--temperature", "80 degC", "--minerals", "Halite,Unobtainium"])
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert any(line.startswith("error: --steps: found 1") for line in err)
    assert any(line.startswith("error: --to-water-fraction: found 2") for line in err)
    assert any(line.startswith("error: --temperature: found 80.00 °C") for line in err)
    assert any("--minerals: found Unobtainium" in line for line in err)
    empty = tmp_path / "empty.toml"
    empty.write_text('[site]\nname = "x"\n', encoding="utf-8")
    assert main(["evaporate", str(empty)]) == 2
    assert "no [brine] table" in capsys.readouterr().err
    broken = tmp_path / "broken.toml"
    broken.write_text(SEAWATER.replace('"0.4858787161 mol/kg"', '"0.48 parsecs"'), encoding="utf-8")
    assert main(["evaporate", str(broken)]) == 2
    assert "brine.composition.Na" in capsys.readouterr().err


def test_compare_with_phreeqc(brine_file, capsys):
    pytest.importorskip("phreeqpython")
    assert main(["evaporate", str(brine_file), "--steps", "30", "--compare", "phreeqc"]) == 0
    printed = capsys.readouterr().out
    assert "comparison with PHREEQC" in printed
    pooled = float(printed.split("(pooled, major ions): ")[1].split("%")[0])
    assert pooled < 3.0
