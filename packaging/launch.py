"""Entry point for frozen builds (PyInstaller): the same as the `fieldplan` command.

``--smoke-report-preview`` (first, alone of its kind) is packaging/smoke.sh's check
of the report preview and printing inside the built program (ui.smoke): it is no
option of the command line, which never sees it, nor in its --help."""

import os
import sys

from fieldplan.frozen import give_back_environment

# (first: the programs fieldplan starts get the user's library path, not the build's)
give_back_environment(os.environ)

if sys.argv[1:2] == ["--smoke-report-preview"]:
    from ui.smoke import main as smoke

    raise SystemExit(smoke(sys.argv[2:]))

from fieldplan.cli import main  # noqa: E402 (after the environment is given back)

raise SystemExit(main())
