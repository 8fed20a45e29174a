"""Bundled example scenarios (package data, so they work after a plain ``pip install``).

>>> from saltsim.examples import load_example      # doctest: +SKIP
>>> scenario = load_example("qom_small")
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path

from .errors import ScenarioError

__all__ = ["list_examples", "example_path", "load_example", "DEFAULT_EXAMPLE"]

#: The scenario ``saltsim run`` uses without an argument.
DEFAULT_EXAMPLE = "qom_baseline"


def list_examples() -> list[str]:
    """Names of the bundled scenarios (without ``.toml``)."""
    folder = resources.files("saltsim").joinpath("scenarios")
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def example_path(name: str = DEFAULT_EXAMPLE) -> Path:
    """Path of a bundled scenario file."""
    names = list_examples()
    if name not in names:
        import difflib

        close = difflib.get_close_matches(name, names, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ScenarioError(f"example: found {name!r}; expected one of {', '.join(names)}{hint}")
    return Path(str(resources.files("saltsim").joinpath("scenarios", f"{name}.toml")))


def load_example(name: str = DEFAULT_EXAMPLE, **kwargs):
    """Load a bundled scenario; keyword arguments go to :func:`saltsim.load_scenario`."""
    from .scenario import load_scenario

    return load_scenario(example_path(name), **kwargs)
