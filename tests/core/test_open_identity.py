"""A database whose office or role (headquarters or an office) this fieldplan does not
know, or that do not go together, is refused at opening with one line naming it: it
was opened, then every screen and command that read them failed (the client with no
window at all, the command line with an "internal error")."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from fieldplan.errors import DamagedDatabaseError
from fieldplan.replica import init_hq, open_replica


def office(tmp_path: Path) -> Path:
    from fieldplan.sync import enroll_office, init_from_setup

    hq_path = tmp_path / "hq" / "hq.sqlite3"
    hq_path.parent.mkdir()
    with init_hq(hq_path) as hq:
        enroll_office(hq, "SN", tmp_path / "setup.fieldplan")
    path = tmp_path / "sn.sqlite3"
    init_from_setup(path, tmp_path / "setup.fieldplan").close()
    return path


def rewrite(path: Path, sql: str) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute(sql)
    conn.close()


@pytest.mark.parametrize(("sql", "said"), [
    ("UPDATE meta SET value = 'ZZ' WHERE key = 'office'",
     "its office, 'ZZ', is not one this version of fieldplan knows (if a newer "
     "fieldplan made it, update fieldplan)"),
    ("UPDATE meta SET value = 'RO-Atlantis' WHERE key = 'office'",
     "its office, 'RO-Atlantis', is not one"),
    ("UPDATE meta SET value = 'regional' WHERE key = 'role'",
     "it does not say clearly whether it is the database of headquarters or of an office"),
    ("DELETE FROM meta WHERE key = 'role'", "does not say clearly"),
    # an office's database that says it is headquarters', and the other way round
    ("UPDATE meta SET value = 'HQ' WHERE key = 'office'", "does not say clearly"),
    ("UPDATE meta SET value = 'hq' WHERE key = 'role'", "does not say clearly"),
])
def test_an_office_or_role_not_known_is_refused_at_opening(tmp_path, sql, said):
    path = office(tmp_path)
    rewrite(path, sql)
    with pytest.raises(DamagedDatabaseError) as caught:
        open_replica(path).close()
    assert said in str(caught.value)
    assert str(caught.value).startswith(f"{path} is not a usable fieldplan database: ")
    assert "\n" not in str(caught.value)


def test_headquarters_that_says_it_is_an_office_is_refused(tmp_path):
    path = tmp_path / "hq.sqlite3"
    init_hq(path).close()
    rewrite(path, "UPDATE meta SET value = 'office' WHERE key = 'role'")
    with pytest.raises(DamagedDatabaseError, match="does not say clearly"):
        open_replica(path).close()


def test_known_offices_and_roles_open(tmp_path):
    path = office(tmp_path)
    rewrite(path, "UPDATE meta SET value = 'sn' WHERE key = 'office'")  # (any case)
    with open_replica(path) as rep:
        assert rep.role == "office"
    with open_replica(tmp_path / "hq" / "hq.sqlite3") as rep:
        assert rep.is_hq
