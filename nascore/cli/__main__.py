"""``python -m nascore.cli``: the ``nascore`` command."""
import sys

from . import main

sys.exit(main())
