"""saltsim validate / schema / --help from the command line."""
import subprocess
import sys
from pathlib import Path

import pytest

from saltsim import cli

ROOT = Path(__file__).resolve().parents[1]


def test_validate_bundled_scenarios_exit_0(capsys):
    files = sorted(str(p) for p in (ROOT / "scenarios").glob("*.toml"))
    assert len(files) >= 2
    assert cli.main(["validate", *files]) == 0
    out = capsys.readouterr().out
    assert out.count(": ok (") == len(files)


def test_validate_mixed_files_reports_each_and_exits_2(capsys, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text((ROOT / "scenarios" / "qom_small.toml").read_text().replace('area = "70 ha"', 'area = "70 kg"'))
    code = cli.main(["validate", str(ROOT / "scenarios" / "qom_small.toml"), str(bad)])
    captured = capsys.readouterr()
    assert code == 2
    assert "qom_small.toml: ok" in captured.out
    assert f"{bad}: invalid (1 problem)" in captured.err
    assert "  error: ponds[0].area: found '70 kg' of dimension [mass]" in captured.err


def test_validate_missing_file(capsys, tmp_path):
    assert cli.main(["validate", str(tmp_path / "nope.toml")]) == 2
    assert "nope.toml: no such file" in capsys.readouterr().err


def test_every_subcommand_help_has_an_example():
    for name in cli.COMMANDS:
        parser = cli.build_parser()
        actions = [a for a in parser._actions if a.dest == "command"]
        sub = actions[0].choices.get(name)
        if sub is None:
            continue  # command module not installed yet
        assert "example" in (sub.epilog or ""), f"saltsim {name} --help has no example"
    result = subprocess.run([sys.executable, "-m", "saltsim", "validate", "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "saltsim validate scenarios/qom_baseline.toml" in result.stdout


def test_top_level_help_lists_every_command():
    # Command HELP texts are plain text (a '%' in one is escaped by the dispatcher, once).
    result = subprocess.run([sys.executable, "-m", "saltsim", "--help"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    for name in cli.COMMANDS:
        assert name in result.stdout


@pytest.mark.parametrize("argv", [["schema", "--reference"], ["schema"]])
def test_schema_writes_to_a_file(tmp_path, argv):
    out = tmp_path / "out.txt"
    assert cli.main([*argv, "--out", str(out)]) == 0
    assert out.read_text().startswith("# Scenario field reference" if "--reference" in argv else "{")
