"""A stolen laptop's setup bundle may have set up a second computer before headquarters
revoked the laptop: the revocation ends the office's enrolment tokens, not that
computer. Headquarters is told which other computers the same setup bundle registered,
so that the person can revoke them too."""

from __future__ import annotations

import json
from pathlib import Path

from test_sync import registered

from fieldplan.cli import main
from fieldplan.sync import enroll_office, init_from_setup, revoke_key
from fieldplan.sync import keys as keyreg


def _two_from_one_setup(hq, tmp_path: Path):
    setup = tmp_path / "ml-setup.fieldplan"
    enroll_office(hq, "ML", setup)
    laptop = init_from_setup(tmp_path / "laptop.sqlite3", setup)
    spare = init_from_setup(tmp_path / "spare.sqlite3", setup)  # the thief's
    registered(laptop, hq, tmp_path)
    registered(spare, hq, tmp_path)
    return laptop, spare


def test_revoking_names_the_other_computer_of_the_same_setup_bundle(hq, make_office,
                                                                    tmp_path: Path) -> None:
    laptop, spare = _two_from_one_setup(hq, tmp_path)
    other = registered(make_office("ML"), hq, tmp_path)  # its own setup bundle: not named
    try:
        lost, thief = laptop.meta("key_id"), spare.meta("key_id")
        uses = keyreg.key_uses(hq)
        changes = revoke_key(hq, lost)
        assert [s.key_id for s in changes.same_setup] == [thief]
        assert changes.same_setup[0].replica == spare.replica_id
        assert changes.same_setup[0].first == uses[thief].registered != ""
        assert other.meta("key_id") not in changes.same_setup_text()
        assert changes.same_setup_text().startswith(
            "1 other computer was registered with the same setup bundle and stays "
            f"active: key {thief} (first reported ")
        # once revoked too, it is no longer named
        revoke_key(hq, thief)
        assert keyreg.same_setup(hq, lost) == ()
    finally:
        laptop.close()
        spare.close()


def test_keys_revoke_lists_them_in_json(hq, tmp_path: Path, capsys) -> None:
    laptop, spare = _two_from_one_setup(hq, tmp_path)
    try:
        lost, thief = laptop.meta("key_id"), spare.meta("key_id")
        hq.close()
        assert main(["--db", str(tmp_path / "hq.sqlite3"), "--json", "keys", "revoke",
                     lost]) == 0
        said = json.loads(capsys.readouterr().out)
        assert [s["key_id"] for s in said["same_setup_bundle"]] == [thief]
        assert said["same_setup_bundle"][0]["replica"] == spare.replica_id
        assert said["same_setup_bundle"][0]["first_reported"]
        assert main(["--db", str(tmp_path / "hq.sqlite3"), "keys", "revoke", thief]) == 0
        out = capsys.readouterr().out
        assert "same setup bundle" not in out  # the laptop is revoked already
    finally:
        laptop.close()
        spare.close()
