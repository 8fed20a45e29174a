"""Variants: one scenario file defines the strategies to compare.

A scenario file may hold ``[[variants]]`` tables, each a name, a description and ``overrides``
of any field by path, applied to the file before loading (the same mechanism as sweeps)::

    [[variants]]
    name = "crust_harvest"
    description = "Harvest the natural crust instead of building ponds"
    overrides = { "strategy.name" = "crust_harvest", "impacts.mitigation" = [] }

On the command line a variant is addressed as ``FILE#NAME``; ``FILE#base`` (or plain ``FILE``)
is the file as written. :func:`expand_variants` loads the base and every variant, each a
validated :class:`~saltsim.scenario.schema.Scenario` whose ``variant`` field names it.
"""
from __future__ import annotations

import difflib
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path

from ..errors import ScenarioError

__all__ = ["BASE", "SEPARATOR", "split_spec", "read_raw", "variant_table", "load_variant", "expand_variants"]

#: Name of the scenario as written (no overrides).
BASE = "base"
#: Separator between a scenario file and a variant name on the command line.
SEPARATOR = "#"


def split_spec(spec: str) -> tuple[str, str | None]:
    """Split ``"path.toml#variant"`` into the path and the variant name (None if absent).

    Parameters
    ----------
    spec : str
        A scenario file, optionally followed by ``#`` and a variant name.
    """
    path, sep, name = str(spec).rpartition(SEPARATOR)
    if not sep:
        return str(spec), None
    if not name:
        raise ScenarioError(f"{spec}: found an empty variant name after '#'; expected FILE#NAME")
    return path, name


def read_raw(path: str | Path) -> dict:
    """The raw TOML of a scenario file (no unit parsing), for listing its variants."""
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ScenarioError(f"{path}: found no such file; expected a scenario file (TOML)") from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: found invalid TOML ({exc}); expected a scenario file") from None


def variant_table(raw: Mapping) -> dict[str, dict]:
    """Variant name → ``{"description": str, "overrides": dict}`` from a raw scenario.

    Raises
    ------
    ScenarioError
        One line per malformed variant (missing or duplicate name, overrides not a table, the
        reserved name ``base``).
    """
    variants = raw.get("variants", [])
    problems, table = [], {}
    if not isinstance(variants, list):
        raise ScenarioError(f"variants: found a {type(variants).__name__}; expected an array of tables [[variants]]")
    for i, entry in enumerate(variants):
        where = f"variants[{i}]"
        if not isinstance(entry, Mapping):
            problems.append(f"{where}: found a {type(entry).__name__}; expected a table")
            continue
        name = entry.get("name")
        overrides = entry.get("overrides", {})
        if not isinstance(name, str) or not name:
            problems.append(f"{where}.name: found {name!r}; expected a non-empty string")
            continue
        if name == BASE or SEPARATOR in name:
            problems.append(f"{where}.name: found {name!r}; expected a name other than {BASE!r} without '#'")
        if name in table:
            problems.append(f"{where}.name: found {name!r} again; expected unique variant names")
        if not isinstance(overrides, Mapping):
            problems.append(f"{where}.overrides: found a {type(overrides).__name__}; expected a table of "
                            f"field path = value")
            continue
        table[name] = {"description": str(entry.get("description", "")), "overrides": dict(overrides)}
    if problems:
        raise ScenarioError(problems=problems)
    return table


def _check_name(name: str, table: Mapping[str, dict], path) -> None:
    if name == BASE or name in table:
        return
    known = [BASE, *table]
    close = difflib.get_close_matches(name, known, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise ScenarioError(f"{path}{SEPARATOR}{name}: found no variant {name!r}{hint} "
                        f"(variants: {', '.join(known)})")


def load_variant(path: str | Path, name: str | None = None, overrides: Mapping[str, object] | None = None):
    """Load one variant of a scenario file (the base when ``name`` is None or ``"base"``).

    Parameters
    ----------
    path : str or Path
        Scenario file.
    name : str, optional
        Variant name.
    overrides : mapping, optional
        Further overrides applied after the variant's own.

    Returns
    -------
    Scenario
        With ``variant`` set to the variant's name (None for the file as written).
    """
    from .load import load_scenario

    name = name or BASE
    table = variant_table(read_raw(path))
    _check_name(name, table, path)
    return load_scenario(path, overrides=dict(overrides) if overrides else None,
                         variant=None if name == BASE else name)


def expand_variants(path: str | Path, names: Sequence[str] | None = None, include_base: bool = True,
                    overrides: Mapping[str, object] | None = None) -> dict:
    """Every variant of a scenario file, loaded: name → Scenario (base first, then file order).

    Parameters
    ----------
    path : str or Path
        Scenario file.
    names : sequence of str, optional
        Only these variants (in this order); default all.
    include_base : bool
        Include the file as written, under ``"base"`` (ignored when ``names`` is given).
    overrides : mapping, optional
        Overrides applied to every variant after its own (e.g. a shorter horizon).
    """
    table = variant_table(read_raw(path))
    if names is None:
        names = ([BASE] if include_base else []) + list(table)
    for name in names:
        _check_name(name, table, path)
    return {name: load_variant(path, name, overrides) for name in names}
