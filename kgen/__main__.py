"""`python -m kgen` runs the same command line as `kgen`."""

import sys

from kgen.cli import main

sys.exit(main())
