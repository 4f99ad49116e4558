"""`python -m fieldplan` runs the command-line interface."""

from fieldplan.cli import main

raise SystemExit(main())
