"""saltsim.des."""
