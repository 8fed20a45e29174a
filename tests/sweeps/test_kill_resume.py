"""A sweep killed with SIGKILL part way resumes to exactly the uninterrupted result."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from pandas.testing import assert_frame_equal

from conftest import TOY
from saltsim.sweeps import sweep

#: How long to wait for a sweep subprocess to make progress before failing the test. [s]
PROGRESS_TIMEOUT_S = 120.0

SWEEP_KWARGS = dict(vary=["ponds[0].area=10..40 km^2"], design="lhs", samples=4, replications=5,
                    strategies=["salt_only", "crust"], evaluator=TOY)
N_RUNS = 4 * 5 * 2


def _script(scenario: dict, out: Path, backend: str, resume: bool) -> str:
    return textwrap.dedent(f"""
        from saltsim.sweeps import sweep
        sweep({scenario!r}, out={str(out)!r}, resume={resume!r}, backend={backend!r}, workers=2,
              progress=False, **{SWEEP_KWARGS!r})
    """)


def _start(script: str, env) -> subprocess.Popen:
    # a new session, so that the sweep and its worker processes can be killed as one group
    return subprocess.Popen([sys.executable, "-c", script], env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _finished(runs: Path) -> list[Path]:
    """Run files present (not the temporary files of a write in progress)."""
    return [p for p in runs.glob("*.parquet") if not p.name.startswith(".")] if runs.exists() else []


def _kill_after(process: subprocess.Popen, runs: Path, at_least: int) -> int:
    deadline = time.monotonic() + PROGRESS_TIMEOUT_S
    while time.monotonic() < deadline:
        done = len(_finished(runs))
        if done >= at_least:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            return done
        if process.poll() is not None:
            pytest.fail(f"sweep ended before it could be killed: {process.stderr.read().decode()}")
        time.sleep(0.01)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    pytest.fail("sweep made no progress")


def test_sigkill_then_resume_gives_every_run_exactly_once(toy_path, toy_scenario, tmp_path):
    scenario = {**toy_scenario, "sleep_s": 0.05}
    out = tmp_path / "killed"
    env = dict(os.environ)
    # kill twice (process pool, then serial), at different points, then finish
    first = _start(_script(scenario, out, "processes", resume=False), env)
    killed_at = [_kill_after(first, out / "runs", 6)]
    second = _start(_script(scenario, out, "serial", resume=True), env)
    killed_at.append(_kill_after(second, out / "runs", killed_at[0] + 8))
    assert killed_at[-1] < N_RUNS, "the sweep finished before the kill; slow it down"

    present = len(_finished(out / "runs"))
    reference = sweep(scenario, backend="serial", progress=False, **SWEEP_KWARGS)
    finished = sweep(scenario, out=out, resume=True, backend="processes", workers=2, progress=False,
                     **SWEEP_KWARGS)
    assert len(finished.wall_time_s) == N_RUNS - present  # exactly the missing runs were run
    assert_frame_equal(finished.table, reference.table, check_exact=True)
    again = sweep(scenario, out=out, resume=True, backend="serial", progress=False, **SWEEP_KWARGS)
    assert again.wall_time_s == {}  # nothing left to run
    assert_frame_equal(again.table, reference.table, check_exact=True)

    files = sorted(p.stem for p in _finished(out / "runs"))
    assert files == sorted(reference.table["run_id"].unique()) and len(files) == N_RUNS
    logged = [json.loads(line)["run_id"] for line in (out / "manifest.jsonl").read_text().splitlines()]
    assert sorted(logged) == files  # every run logged exactly once
    assert not [p for p in out.rglob(".tmp-*")]
