"""Strategy registry: name → factory. Other modules add strategies with :func:`register`."""
from __future__ import annotations

import difflib
from collections.abc import Callable

from ..errors import ScenarioError
from .rules import CrustHarvest, ThresholdHarvest

__all__ = ["register", "create", "names"]

_REGISTRY: dict[str, Callable] = {}


def register(name: str, factory: Callable) -> None:
    """Register ``factory(parameters: dict) -> Strategy`` under ``name``."""
    _REGISTRY[name] = factory


def names() -> tuple[str, ...]:
    return tuple(sorted(_REGISTRY))


def create(name: str, parameters=None):
    """The strategy ``name`` with its parameters; an unknown name raises ScenarioError."""
    try:
        factory = _REGISTRY[name]
    except KeyError:
        close = difflib.get_close_matches(name, _REGISTRY, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ScenarioError(f"strategy.name: found {name!r}{hint}; expected one of {', '.join(names())}") from None
    return factory(dict(parameters or {}))


register("ponds_salt", lambda p: ThresholdHarvest(p, name="ponds_salt"))
register("ponds_salt_mg", lambda p: ThresholdHarvest(p, name="ponds_salt_mg"))
register("crust_harvest", lambda p: CrustHarvest(p))

# The named strategies (saltsim.strategies.named) register themselves on import; importing them
# here makes every registered name available wherever the registry is used.
from . import named as _named  # noqa: E402,F401
