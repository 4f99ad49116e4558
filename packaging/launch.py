"""Entry point for frozen builds (PyInstaller): the same as the `fieldplan` command."""

from fieldplan.cli import main

raise SystemExit(main())
