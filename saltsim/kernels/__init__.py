"""saltsim.kernels."""
