"""The command line's words for files that travelled by email and USB stick: a file
that came in a bundle's place says what to do with the file to get instead in the
words of the command it was given to (import, verify, init --from)."""

from __future__ import annotations

import json
from pathlib import Path

from fieldplan.sync import enroll_office
from tests.cli.test_cli_messages import run
from tests.core.test_bundle_transit import _email

SAVE = ("not a fieldplan bundle (an email message saved as a file); open it in the mail "
        "program and save its attachment ML-setup.fieldplan, then ")


def test_an_email_given_to_each_command_says_that_command(hq, tmp_path: Path,
                                                           capsys) -> None:
    """``init --from mail.eml`` ended "then import that file": init imports nothing."""
    setup = tmp_path / "ML-setup.fieldplan"
    enroll_office(hq, "ML", setup)
    mail = tmp_path / "mail.eml"
    mail.write_bytes(_email(setup.read_bytes(), setup.name))
    office = str(tmp_path / "ml.sqlite3")

    code, _out, err = run("--db", office, "init", "--from", str(mail), capsys=capsys)
    assert code == 1
    assert err == f"fieldplan: error: {SAVE}run init --from with that file\n"
    assert not Path(office).exists()

    code, out, _err = run("--json", "verify", str(mail), capsys=capsys)
    assert (code, json.loads(out)["reason"]) == (1, SAVE + "verify that file")

    code, out, _err = run("--db", str(hq.path), "import", str(mail), capsys=capsys)
    assert code == 1 and out.endswith(SAVE + "import that file\n")


def test_setting_up_again_from_an_email_says_init_too(hq, tmp_path: Path, capsys) -> None:
    """``init --replace-revoked --from mail.eml`` (the set-up-again path): the same."""
    from tests.cli.test_cli_revoked import lap_db, revoke

    db, _action = lap_db(hq, tmp_path, capsys)
    run("--db", db, "import", str(revoke(hq, db, tmp_path, capsys)), capsys=capsys)
    setup = tmp_path / "ML-setup.fieldplan"
    enroll_office(hq, "ML", setup)
    mail = tmp_path / "mail.eml"
    mail.write_bytes(_email(setup.read_bytes(), setup.name))
    code, _out, err = run("--db", db, "init", "--replace-revoked",
                          "--from", str(mail), capsys=capsys)
    assert code == 1 and err.endswith("then run init --from with that file\n"), err
