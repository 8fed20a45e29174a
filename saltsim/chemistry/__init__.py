"""saltsim.chemistry."""
