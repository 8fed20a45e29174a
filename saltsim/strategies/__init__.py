"""saltsim.strategies."""
