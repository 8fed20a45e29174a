"""Subcommands of the ``saltsim`` command; see :mod:`saltsim.cli`."""
