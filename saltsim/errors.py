"""One error hierarchy for saltsim (modelled on pint's).

Every error carries structured fields and pickles cleanly (``__reduce__``), so sweep workers
can send them back to the parent process.
"""
from __future__ import annotations

__all__ = [
    "SaltsimError",
    "ScenarioError",
    "ConsistencyError",
    "ConvergenceError",
    "ProcessError",
    "ResultsError",
]


class SaltsimError(Exception):
    """Base class of every error saltsim raises on purpose."""

    def __init__(self, message: str = "", **fields):
        super().__init__(message)
        self.message = message
        self.fields = dict(fields)
        for key, value in fields.items():
            setattr(self, key, value)

    def __reduce__(self):
        return (_rebuild, (type(self), self.message, self.fields))

    def __str__(self) -> str:
        return self.message


def _rebuild(cls, message, fields):
    return cls(message, **fields)


class ScenarioError(SaltsimError, ValueError):
    """A scenario file (or a brine table) is malformed or invalid.

    ``problems`` is a list of one-line messages ``"path: found ...; expected ..."``.
    """

    def __init__(self, message: str = "", problems: list[str] | None = None, **fields):
        problems = list(problems) if problems else ([message] if message else [])
        if not message:
            message = "\n".join(problems)
        super().__init__(message, problems=problems, **fields)


class ConsistencyError(ScenarioError):
    """Fields are individually valid but inconsistent with each other (e.g. a dangling pond reference)."""


class ConvergenceError(SaltsimError, RuntimeError):
    """A nonlinear solve did not reach its residual tolerance; the fields describe the state."""


class ProcessError(SaltsimError, RuntimeError):
    """A simulation process failed; carries the simulation time ``time_s``."""


class ResultsError(SaltsimError, OSError):
    """Results could not be written or read (e.g. a run directory already exists)."""
