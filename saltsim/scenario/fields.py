"""The scenario schema as data: ``saltsim/data/scenario_fields.csv`` and ``scenario_sections.csv``.

One row per field (PyPSA ``component_attrs`` style) drives parsing, defaults, bounds, the JSON
Schema, the Markdown field reference and the error messages. Standard library only.

Field types
-----------
``str``, ``enum`` (one of ``choices``), ``int``, ``float`` (dimensionless; ``"50 %"`` accepted),
``bool``, ``date`` (TOML date), ``quantity`` (a string with a unit, converted to ``si_unit``),
``monthly`` (12 quantities, January first), ``quantity_list``, ``int_list``, ``str_list`` (a name
or a list of names), ``path`` (a file relative to the scenario), ``table`` (free key/value table),
``concentration`` (a brine ion, see :mod:`saltsim.scenario.brine`).

``min``/``max`` are inclusive bounds written in any unit of the field's dimension; a leading
``>`` or ``<`` makes the bound exclusive. ``ref`` lists what a name must refer to: a section of
named records (``ponds``, ``plants``, ``stockpiles``, ``rail.sections``, ``water.sources``) or a
literal word (``lake``, ``brine``).
"""
from __future__ import annotations

import csv
import dataclasses
import functools
from importlib import resources

__all__ = ["FieldSpec", "SectionSpec", "fields", "sections", "fields_of", "children_of",
           "section", "field", "REFERENCE_KEYS", "TYPES"]

TYPES = ("str", "enum", "int", "float", "bool", "date", "quantity", "monthly", "quantity_list",
         "int_list", "str_list", "path", "table", "concentration")

#: For a ``ref`` naming a section of records, the field that names each record.
REFERENCE_KEYS = {"ponds": "name", "pumps": "name", "plants": "name", "stockpiles": "product",
                  "rail.sections": "name", "rail.destinations": "name", "water.sources": "name",
                  "variants": "name"}


@dataclasses.dataclass(frozen=True, slots=True)
class FieldSpec:
    """One row of ``scenario_fields.csv``."""
    section: str
    name: str
    type: str
    si_unit: str
    display_unit: str
    default: str
    min: str
    max: str
    required: bool
    choices: tuple[str, ...]
    ref: tuple[str, ...]
    description: str
    example: str
    source: str

    @property
    def path(self) -> str:
        return f"{self.section}.{self.name}"

    @property
    def has_default(self) -> bool:
        return self.default != ""

    @property
    def dimensional(self) -> bool:
        return self.type in ("quantity", "monthly", "quantity_list") and self.si_unit not in ("", "1")


@dataclasses.dataclass(frozen=True, slots=True)
class SectionSpec:
    """One row of ``scenario_sections.csv``: a table (``[x]``) or an array of tables (``[[x]]``)."""
    path: str
    kind: str  # "table" or "array"
    presence: str  # "required", "default" (built from defaults when absent) or "optional"
    class_name: str
    description: str

    @property
    def key(self) -> str:
        return self.path.rsplit(".", 1)[-1]

    @property
    def parent(self) -> str:
        return self.path.rsplit(".", 1)[0] if "." in self.path else ""


def _rows(name: str) -> list[dict[str, str]]:
    with resources.files("saltsim").joinpath("data", name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _split(text: str) -> tuple[str, ...]:
    return tuple(t for t in text.split("|") if t)


@functools.cache
def fields() -> tuple[FieldSpec, ...]:
    """Every field of the scenario format, in file order."""
    return tuple(FieldSpec(section=r["section"], name=r["field"], type=r["type"],
                           si_unit=r["si_unit"], display_unit=r["display_unit"],
                           default=r["default"], min=r["min"], max=r["max"],
                           required=r["required"] == "yes", choices=_split(r["choices"]),
                           ref=_split(r["ref"]), description=r["description"],
                           example=r["example"], source=r["source"])
                 for r in _rows("scenario_fields.csv"))


@functools.cache
def sections() -> tuple[SectionSpec, ...]:
    """Every section of the scenario format, parents before children."""
    return tuple(SectionSpec(path=r["section"], kind=r["kind"], presence=r["presence"],
                             class_name=r["class_name"], description=r["description"])
                 for r in _rows("scenario_sections.csv"))


@functools.cache
def fields_of(section_path: str) -> tuple[FieldSpec, ...]:
    return tuple(f for f in fields() if f.section == section_path)


@functools.cache
def children_of(section_path: str) -> tuple[SectionSpec, ...]:
    """Direct sub-sections of ``section_path`` (``""`` for the top level)."""
    return tuple(s for s in sections() if s.parent == section_path)


def section(path: str) -> SectionSpec:
    for s in sections():
        if s.path == path:
            return s
    raise KeyError(path)


def field(path: str) -> FieldSpec:
    """The field ``"ponds.area"`` (section path, dot, field name)."""
    section_path, _, name = path.rpartition(".")
    for f in fields_of(section_path):
        if f.name == name:
            return f
    raise KeyError(path)
