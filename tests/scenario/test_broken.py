"""Broken scenario files: each one exits with code 2 and names the field; never a traceback.

Each file under ``broken/`` starts with ``# expect: REGEX``, the message it must produce (files
that cannot carry a comment — empty, binary — have theirs in ``EXPECTED`` below).
"""
import re
import subprocess
import sys
from pathlib import Path

import pytest

from saltsim import cli

BROKEN = Path(__file__).parent / "broken"
FILES = sorted(BROKEN.glob("*.toml"))
EXPECTED = {
    "empty.toml": r"empty\.toml: the file is empty; expected a TOML scenario",
    "binary_junk.toml": r"binary_junk\.toml: line \d+: (not UTF-8 text|contains NUL bytes)",
}
#: The issue asks for at least 25 broken files.
MIN_BROKEN_FILES = 25


def _expectation(path: Path) -> str:
    if path.name in EXPECTED:
        return EXPECTED[path.name]
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect: "), f"{path.name} lacks its '# expect:' line"
    return first[len("# expect: "):]


def test_there_are_enough_broken_files():
    assert len(FILES) >= MIN_BROKEN_FILES


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_broken_file_exits_2_and_names_the_field(path, capsys):
    code = cli.main(["validate", str(path)])
    captured = capsys.readouterr()
    assert code == 2
    assert re.search(_expectation(path), captured.err), captured.err
    assert "Traceback" not in captured.err + captured.out
    # one line per problem, each prefixed
    problem_lines = [line for line in captured.err.splitlines() if line.startswith("  error: ")]
    assert problem_lines, captured.err


def test_all_broken_files_in_a_real_process():
    result = subprocess.run([sys.executable, "-m", "saltsim", "validate", *map(str, FILES)],
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.count(": invalid (") == len(FILES)
