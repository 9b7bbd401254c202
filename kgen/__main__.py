"""`kgen` and `python -m kgen`: the command line, started with collection postponed (kgen/startup.py)."""

import sys
from typing import Any

from kgen.startup import postpone_collection


def main() -> Any:
    """The console script: postpone collection, then import and run the command line."""
    postpone_collection()
    from kgen.cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    sys.exit(main())
