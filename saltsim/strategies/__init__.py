"""saltsim.strategies: operating policies (registry, threshold rules, named extraction strategies).

Importing the package registers the named strategies of :mod:`saltsim.strategies.named`.
"""
from . import named  # noqa: F401  (registers no_project, crust_harvest, ponds_salt, ...)
