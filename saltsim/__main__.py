"""``python -m saltsim`` is the ``saltsim`` command."""
import sys

from .cli import main

sys.exit(main())
