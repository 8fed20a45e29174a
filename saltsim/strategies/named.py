"""Named extraction strategies, registered in :mod:`saltsim.strategies.registry`.

A named strategy says *how the lake is worked*: whether lake brine is pumped into the pond train,
whether the natural crust is harvested, and which processing plants of the scenario run. Harvest
timing follows the threshold rule (:class:`~saltsim.strategies.rules.ThresholdHarvest`: a
crystallizer is harvested when its layer reaches ``harvest_layer``).

==========================  =====  =====  ============================================
name                        ponds  crust  plants (scenario ``plants[].kind``)
==========================  =====  =====  ============================================
``no_project``              no     no     none — the counterfactual: the lake left alone
``crust_harvest``           no     yes    salt washing / refining
``ponds_salt``              yes    no     salt washing / refining (bitterns to storage
                                          or back to the lake)
``ponds_salt_mg``           yes    no     salt + MgCl2, Mg(OH)2, MgO, Mg metal, KCl
``ponds_salt_mg_na2so4``    yes    no     as ``ponds_salt_mg`` + sodium sulphate
==========================  =====  =====  ============================================

``ponds_salt_mg_sulphate`` is another name for ``ponds_salt_mg_na2so4``.

The no-project counterfactual is a run of the same scenario with ``strategy="no_project"`` and
the same seed: same weather and inflows (the model draws them from their own random streams),
no pumping, no harvest, no plants; comparing the two isolates what the project does to the lake
level, the exposed lakebed and its dust.

Parameters (``[strategy.parameters]``): ``harvest_layer`` [m], overriding the ponds' own
thresholds.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from . import registry
from .rules import ThresholdHarvest

__all__ = ["NamedStrategy", "SALT_PLANTS", "MAGNESIUM_PLANTS", "SULPHATE_PLANTS", "DEFINITIONS", "ALIASES",
           "create"]

#: Plant kinds (scenario ``plants[].kind``) of each product family.
SALT_PLANTS = frozenset({"salt_washing", "salt_refining"})
MAGNESIUM_PLANTS = frozenset({"mgcl2", "mg_hydroxide", "mgo", "mg_metal", "kcl"})
SULPHATE_PLANTS = frozenset({"sodium_sulphate"})


@dataclass
class NamedStrategy(ThresholdHarvest):
    """An extraction strategy from :data:`DEFINITIONS`.

    Attributes
    ----------
    parameters : dict
        ``harvest_layer`` [m] (optional).
    name, description : str
    uses_ponds : bool
        Pump lake brine into the pond train.
    crust_harvesting : bool
        Harvest the natural crust.
    plant_kinds : frozenset of str
        Plant kinds that run; the scenario's other plants stay idle.
    """

    name: str = "ponds_salt"
    description: str = ""
    uses_ponds: bool = True
    crust_harvesting: bool = False
    plant_kinds: frozenset = field(default_factory=frozenset)

    @property
    def uses_plants(self) -> bool:
        return bool(self.plant_kinds)

    def admits_plant(self, kind: str) -> bool:
        """Whether a plant of this kind runs under the strategy."""
        return kind in self.plant_kinds

    def select_plants(self, plants: Iterable) -> tuple:
        """The scenario plants (objects with a ``kind``) that run under the strategy, in order."""
        return tuple(p for p in plants if self.admits_plant(p.kind))


#: name → (description, uses_ponds, crust_harvesting, plant kinds)
DEFINITIONS: dict[str, tuple[str, bool, bool, frozenset]] = {
    "no_project": ("No project: no pumping, no harvest, no plants (the counterfactual)",
                   False, False, frozenset()),
    "crust_harvest": ("Mechanical harvest of the natural salt crust; salt plants only",
                      False, True, SALT_PLANTS),
    "ponds_salt": ("Solar ponds for salt only", True, False, SALT_PLANTS),
    "ponds_salt_mg": ("Solar ponds for salt and magnesium (and potash from carnallite)",
                      True, False, SALT_PLANTS | MAGNESIUM_PLANTS),
    "ponds_salt_mg_na2so4": ("Solar ponds for salt and magnesium with sodium sulphate recovery",
                             True, False, SALT_PLANTS | MAGNESIUM_PLANTS | SULPHATE_PLANTS),
}
#: Other names of the same strategies.
ALIASES = {"ponds_salt_mg_sulphate": "ponds_salt_mg_na2so4"}


def create(name: str, parameters: dict | None = None) -> NamedStrategy:
    """The named strategy ``name`` (or an alias) with its parameters."""
    description, uses_ponds, crust, kinds = DEFINITIONS[ALIASES.get(name, name)]
    return NamedStrategy(parameters=dict(parameters or {}), name=name, description=description,
                         uses_ponds=uses_ponds, crust_harvesting=crust, plant_kinds=kinds)


def _factory(name: str):
    return lambda parameters: create(name, parameters)


for _name in (*DEFINITIONS, *ALIASES):
    registry.register(_name, _factory(_name))
