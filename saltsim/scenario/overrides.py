"""Set fields of a raw scenario by path, before unit parsing (variants, sweeps, the CLI).

Path syntax: dotted keys with list indices, as in error messages::

    site.horizon            ponds[0].area            rail.sections[1].length
    brine.composition.Na    strategy.parameters.harvest_layer
    ponds[C1].depth_max     (a record of an array may be named instead of indexed)

Missing intermediate tables are created (``rail.border.dwell`` on a scenario without
``[rail.border]``); array entries must exist. Paths are checked against the schema, with a
did-you-mean for misspelt keys.
"""
from __future__ import annotations

import copy
import difflib
import re
from collections.abc import Mapping

from ..errors import ScenarioError
from . import fields as F

__all__ = ["apply_overrides", "parse_path"]

_TOKEN = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)((?:\[[^\]]*\])*)$")
#: Fields of type "table" (and the brine composition) take any key below them.
_FREE = ("brine.composition",)


def parse_path(path: str) -> list[tuple[str, list[str]]]:
    """``"ponds[0].area"`` → ``[("ponds", ["0"]), ("area", [])]``."""
    if not isinstance(path, str) or not path:
        raise ScenarioError(f"overrides: found the path {path!r}; expected a field path such as 'ponds[0].area'")
    parts = []
    for token in path.split("."):
        match = _TOKEN.match(token)
        if not match:
            raise ScenarioError(f"overrides: found the path {path!r}; expected dotted keys with "
                                f"optional [index], such as 'ponds[0].area'")
        indices = re.findall(r"\[([^\]]*)\]", match.group(2))
        parts.append((match.group(1), indices))
    return parts


def _suggest(word: str, options) -> str:
    matches = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f"; did you mean {matches[0]!r}?" if matches else ""


def _check_schema_path(path: str, parts) -> None:
    section_path = ""
    for depth, (key, indices) in enumerate(parts):
        children = {c.key: c for c in F.children_of(section_path)}
        field_names = {f.name: f for f in F.fields_of(section_path)} if section_path else {}
        if key in children:
            child = children[key]
            if indices and child.kind != "array":
                raise ScenarioError(f"overrides: {path!r}: [{child.path}] is a table, not an array; expected no index")
            if not indices and child.kind == "array" and depth < len(parts) - 1:
                raise ScenarioError(f"overrides: {path!r}: [[{child.path}]] is an array; expected an index such as {key}[0]")
            section_path = child.path
            if section_path in _FREE:
                return
            continue
        if key in field_names:
            spec = field_names[key]
            if depth < len(parts) - 1 and spec.type != "table":
                raise ScenarioError(f"overrides: {path!r}: {spec.path} is a field, not a table")
            return
        options = list(children) + list(field_names)
        where = f"[{section_path}]" if section_path else "the top level"
        raise ScenarioError(f"overrides: {path!r}: {key!r} is not a key of {where}; expected one "
                            f"of {', '.join(options)}{_suggest(key, options)}")


def apply_overrides(raw: Mapping, overrides: Mapping[str, object]) -> dict:
    """Return a deep copy of ``raw`` with each path in ``overrides`` set to its value.

    Parameters
    ----------
    raw : Mapping
        A raw scenario as ``tomllib`` returns it (not modified).
    overrides : Mapping[str, object]
        Field path → raw value, e.g. ``{"ponds[0].area": "20 km^2", "site.seed": 3}``.

    Returns
    -------
    dict
        The modified copy.

    Raises
    ------
    ScenarioError
        One line per bad path (unknown key with did-you-mean, index out of range).
    """
    result = copy.deepcopy(dict(raw))
    problems = []
    for path, value in overrides.items():
        try:
            parts = parse_path(path)
            _check_schema_path(path, parts)
            _set(result, path, parts, copy.deepcopy(value))
        except ScenarioError as exc:
            problems.append(str(exc))
    if problems:
        raise ScenarioError(problems=problems)
    return result


def _set(root: dict, path: str, parts, value) -> None:
    node = root
    for depth, (key, indices) in enumerate(parts):
        last = depth == len(parts) - 1
        if last and not indices:
            if not isinstance(node, dict):
                raise ScenarioError(f"overrides: {path!r}: the parent of {key!r} is not a table")
            node[key] = value
            return
        if not isinstance(node, dict):
            raise ScenarioError(f"overrides: {path!r}: the parent of {key!r} is not a table")
        if indices:
            items = node.get(key)
            if isinstance(items, dict):
                items = node[key] = [items]
            if not isinstance(items, list):
                raise ScenarioError(f"overrides: {path!r}: the scenario has no [[{key}]] entries")
            for i, index in enumerate(indices):
                position = _index(items, index, path, key)
                if last and i == len(indices) - 1:
                    items[position] = value
                    return
                node_or_list = items[position]
                if i < len(indices) - 1:
                    items = node_or_list
                else:
                    node = node_or_list
        else:
            child = node.get(key)
            if child is None:
                child = node[key] = {}
            node = child


def _index(items: list, index: str, path: str, key: str) -> int:
    if re.fullmatch(r"-?\d+", index.strip()):
        position = int(index)
        if not -len(items) <= position < len(items):
            raise ScenarioError(f"overrides: {path!r}: index {position} is out of range; the "
                                f"scenario has {len(items)} [[{key}]] entries")
        return position % len(items)
    name = index.strip().strip("'\"")
    names = [(it.get("name", it.get("product")) if isinstance(it, dict) else None) for it in items]
    if name in names:
        return names.index(name)
    raise ScenarioError(f"overrides: {path!r}: no [[{key}]] entry is named {name!r}; expected one "
                        f"of {', '.join(map(str, names))}{_suggest(name, [str(n) for n in names])}")
