"""``python -m flask_boiler``: see :mod:`flask_boiler.cli`."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
