"""Crash-safe store of sweep results: one Parquet file per finished run, written atomically.

Layout of a sweep directory::

    OUT/
      sweep.json          what the sweep is (scenario, design, replications, strategies, seed)
      runs/<run_id>.parquet   one per finished run (tidy KPI rows plus the run's columns)
      manifest.jsonl      append-only log, one JSON line per finished run
      results.parquet     the combined table, rewritten when a sweep completes

Guarantees (the store is the only writer; a single process writes it):

* A run file appears complete or not at all: it is written to a temporary file in ``runs/``,
  flushed and ``fsync``-ed, then ``os.replace``-d onto its final name, and the directory is
  ``fsync``-ed. A ``SIGKILL`` at any instant leaves at most a stray ``.tmp`` file, which
  :meth:`RunStore.open` removes.
* The set of finished runs is *derived from the files present*, not from the manifest, so the
  two cannot disagree in a way that loses or duplicates a run. The manifest is written after
  the file; a line missing after a crash is restored on resume.
* Writing a run id twice is refused (:class:`~saltsim.errors.ResultsError`).
"""
from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from .errors import ResultsError

__all__ = ["RunStore", "atomic_write_bytes", "SPEC_FILE", "MANIFEST_FILE", "RUNS_DIR", "COMBINED_FILE"]

SPEC_FILE = "sweep.json"
MANIFEST_FILE = "manifest.jsonl"
RUNS_DIR = "runs"
COMBINED_FILE = "results.parquet"
_TMP_PREFIX = ".tmp-"


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically: temporary sibling, fsync, ``os.replace``, fsync dir."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=_TMP_PREFIX, suffix=path.suffix, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _parquet_bytes(frame: pd.DataFrame) -> bytes:
    import io

    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False, engine="pyarrow")
    return buffer.getvalue()


class RunStore:
    """A sweep directory: the spec, one Parquet file per finished run, and a manifest.

    Use :meth:`create` for a new sweep and :meth:`open` to resume one.
    """

    def __init__(self, root: Path, spec: dict):
        self.root = Path(root)
        self.spec = spec
        self.runs_dir = self.root / RUNS_DIR
        self.manifest_path = self.root / MANIFEST_FILE
        self._done: set[str] = set()

    # ----------------------------------------------------------------- opening
    @classmethod
    def create(cls, root: str | os.PathLike, spec: Mapping) -> "RunStore":
        """Start a new sweep directory; refuse one that already holds a sweep."""
        root = Path(root)
        if (root / SPEC_FILE).exists():
            raise ResultsError(f"{root}: a sweep already exists here; use --resume to continue it "
                               f"or choose another --out", path=str(root))
        if root.exists() and any(root.iterdir()):
            raise ResultsError(f"{root}: the directory is not empty; choose a new --out", path=str(root))
        (root / RUNS_DIR).mkdir(parents=True, exist_ok=True)
        spec = json.loads(json.dumps(spec))  # normalise (tuples → lists) for later comparison
        atomic_write_bytes(root / SPEC_FILE, (json.dumps(spec, indent=1, sort_keys=True) + "\n").encode())
        _fsync_dir(root)
        store = cls(root, spec)
        store.manifest_path.touch()
        return store

    @classmethod
    def open(cls, root: str | os.PathLike, spec: Mapping | None = None) -> "RunStore":
        """Reopen a sweep directory to resume it.

        Stray temporary files are removed, unreadable run files are discarded (they are run
        again), and manifest lines missing for files present are restored.

        Parameters
        ----------
        root : path
            The sweep directory. [-]
        spec : mapping, optional
            The spec of the sweep being resumed; it must equal the stored one.

        Raises
        ------
        ResultsError
            If there is no sweep in ``root`` or ``spec`` differs from the stored spec.
        """
        root = Path(root)
        spec_path = root / SPEC_FILE
        if not spec_path.exists():
            raise ResultsError(f"{root}: no sweep to resume ({SPEC_FILE} is missing)", path=str(root))
        stored = json.loads(spec_path.read_text())
        if spec is not None:
            wanted = json.loads(json.dumps(spec))
            if wanted != stored:
                keys = sorted(k for k in set(wanted) | set(stored) if wanted.get(k) != stored.get(k))
                raise ResultsError(f"{root}: --resume with a different sweep (differs in: "
                                   f"{', '.join(keys)}); repeat the original options",
                                   path=str(root), differs=keys)
        store = cls(root, stored)
        store.runs_dir.mkdir(exist_ok=True)
        store._recover()
        return store

    def _recover(self) -> None:
        for tmp in self.runs_dir.glob(_TMP_PREFIX + "*"):
            tmp.unlink()
        for tmp in self.root.glob(_TMP_PREFIX + "*"):
            tmp.unlink()
        present = set()
        for path in sorted(self.runs_dir.glob("*.parquet")):
            try:
                import pyarrow.parquet as pq

                pq.read_metadata(path)
            except Exception:  # a file torn by a power loss (not by a process kill): run it again
                path.unlink()
                continue
            present.add(path.stem)
        logged = set(self._manifest_ids())
        missing = sorted(present - logged)
        if missing:
            self._append_manifest([{"run_id": run_id, "recovered": True} for run_id in missing])
        self._done = present

    # ----------------------------------------------------------------- writing
    def _append_manifest(self, entries: Iterable[Mapping]) -> None:
        lines = "".join(json.dumps(dict(entry), sort_keys=True) + "\n" for entry in entries)
        with open(self.manifest_path, "a", encoding="utf-8") as fh:
            fh.write(lines)
            fh.flush()
            os.fsync(fh.fileno())

    def write_run(self, run_id: str, frame: pd.DataFrame, **manifest_fields) -> Path:
        """Write one finished run atomically, then log it in the manifest.

        Parameters
        ----------
        run_id : str
            The run's id, also its file name. [-]
        frame : pandas.DataFrame
            The run's rows (tidy KPI rows with the run's columns). [-]
        **manifest_fields
            Extra JSON-able fields for the manifest line (e.g. wall time). [-]
        """
        if run_id in self._done:
            raise ResultsError(f"run {run_id!r} is already stored in {self.root}", run_id=run_id)
        path = self.runs_dir / f"{run_id}.parquet"
        atomic_write_bytes(path, _parquet_bytes(frame))
        self._append_manifest([{"run_id": run_id, **manifest_fields}])
        self._done.add(run_id)
        return path

    def write_combined(self, frame: pd.DataFrame) -> Path:
        """Write the combined table atomically to ``results.parquet``."""
        path = self.root / COMBINED_FILE
        atomic_write_bytes(path, _parquet_bytes(frame))
        return path

    # ----------------------------------------------------------------- reading
    @property
    def done(self) -> frozenset[str]:
        """Ids of the runs whose files are present."""
        return frozenset(self._done)

    def _manifest_ids(self) -> list[str]:
        if not self.manifest_path.exists():
            return []
        ids = []
        with open(self.manifest_path, encoding="utf-8") as fh:
            for line in fh:
                line = line.strip()
                if not line:
                    continue
                try:
                    ids.append(json.loads(line)["run_id"])
                except (ValueError, KeyError):  # a line torn by a power loss
                    continue
        return ids

    def manifest(self) -> pd.DataFrame:
        """The manifest as a table (one row per logged run, in logging order)."""
        rows = []
        if self.manifest_path.exists():
            with open(self.manifest_path, encoding="utf-8") as fh:
                for line in fh:
                    try:
                        rows.append(json.loads(line))
                    except ValueError:
                        continue
        return pd.DataFrame(rows)

    def read_run(self, run_id: str) -> pd.DataFrame:
        return pd.read_parquet(self.runs_dir / f"{run_id}.parquet", engine="pyarrow")

    def read_all(self, run_ids: Iterable[str] | None = None) -> pd.DataFrame:
        """Concatenate run files (all present, or ``run_ids``) in run-id order."""
        ids = sorted(self._done if run_ids is None else run_ids)
        frames = [self.read_run(run_id) for run_id in ids]
        if not frames:
            return pd.DataFrame()
        return pd.concat(frames, ignore_index=True)
