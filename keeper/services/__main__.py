"""``python -m keeper.services up|down|status``."""

import sys

from keeper.services import main

sys.exit(main())
