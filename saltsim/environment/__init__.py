"""saltsim.environment."""
