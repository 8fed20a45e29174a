"""examples/fleet_size_sweep.py against its golden output (.out), on two of its fleet sizes."""
import importlib.util
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "fleet_size_sweep.py"


def _example():
    spec = importlib.util.spec_from_file_location("fleet_size_sweep", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _golden_rows():
    lines = EXAMPLE.with_suffix(".out").read_text().splitlines()
    return {int(line.split()[0]): line for line in lines[1:] if line.split()[0].isdigit()}, lines


def test_sweep_rows_match_the_golden_output():
    example = _example()
    golden, _ = _golden_rows()
    for wagons, delivered, blocked, utilisation, trains in example.sweep((10, 60)):
        line = f"{wagons:>6d} {delivered:>12.1f} {blocked:>9d} {utilisation:>11.3f} {trains:>6d}"
        assert line == golden[wagons]


def test_golden_output_shows_the_knee():
    example = _example()
    golden, lines = _golden_rows()
    rows = [(int(p[0]), float(p[1]), int(p[2]), float(p[3]), int(p[4]))
            for p in (golden[w].split() for w in sorted(golden))]
    blocked = [r[2] for r in rows]
    # Blocking falls monotonically with the fleet and vanishes at the knee.
    assert blocked == sorted(blocked, reverse=True) and blocked[0] > 0 and blocked[-1] == 0
    assert lines[-1] == f"wagons needed to ship everything: {example.knee(rows)}"
