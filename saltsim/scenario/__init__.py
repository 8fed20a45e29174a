"""saltsim.scenario."""
