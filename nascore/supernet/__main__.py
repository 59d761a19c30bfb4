"""``python -m nascore.supernet``: see :mod:`nascore.supernet.cli`."""
import sys

from .cli import main

sys.exit(main())
