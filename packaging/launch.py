"""Entry point for frozen builds (PyInstaller): the same as the `fieldplan` command.

``--smoke-report-preview`` (first, alone of its kind) is packaging/smoke.sh's check
of the report preview and printing inside the built program (ui.smoke): it is no
option of the command line, which never sees it, nor in its --help."""

import sys

if sys.argv[1:2] == ["--smoke-report-preview"]:
    from ui.smoke import main as smoke

    raise SystemExit(smoke(sys.argv[2:]))

from fieldplan.cli import main

raise SystemExit(main())
