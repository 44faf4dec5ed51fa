"""``python -m provgraph.cli`` is the ``provgraph`` command."""

import sys

from provgraph.cli import main

sys.exit(main())
