"""What the client leaves on disk beside the database and in the user's cache is no
more readable by other users of the computer than the database it comes from: a
person's narratives (typed and not yet saved, set aside, or printed in a report)
are in it. The database is owner-only (tests/core/test_file_modes.py)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from fieldplan import files

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


@pytest.fixture
def umask():
    """Set the process's umask for the test (022: most desktops; 002: user private
    groups), put back after it."""
    old = os.umask(0o022)
    yield os.umask
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- the drafts journal and the text set aside ------------------------------------------


def _journal_with_a_narrative(db: Path):
    from ui.drafts import DraftJournal

    journal = DraftJournal(db)
    journal.put(("PA1.1", "2026-S1"), {"challenges": "the staff member who fell ill"}, {})
    journal.write()
    assert journal.flush(10) and journal.path.exists() and not journal.write_error
    return journal


def test_the_drafts_file_of_an_owner_only_database_is_owner_only(qtbot, tmp_path, umask):
    """Under the usual umask the journal was 0644 beside a 0600 database: what was
    typed and not yet saved could be read by every user of the computer whom the
    database keeps out."""
    db = tmp_path / "office.sqlite3"
    files.create_private(db)
    journal = _journal_with_a_narrative(db)
    assert mode(journal.path) == 0o600


def test_text_set_aside_is_as_private_as_its_database(qtbot, tmp_path, umask):
    db = tmp_path / "office.sqlite3"
    files.create_private(db)
    journal = _journal_with_a_narrative(db)
    assert journal.set_aside_reports({("PA1.1", "2026-S1"): "gone"}), journal.aside_error
    assert journal.aside_path.exists()
    assert mode(journal.aside_path) == 0o600
    # and once some of it is discarded, the file written again stays so
    journal.put(("PA1.2", "2026-S1"), {"challenges": "another"}, {})
    journal.write()
    assert journal.flush(10)
    assert journal.set_aside_reports({("PA1.2", "2026-S1"): "gone"}), journal.aside_error
    assert journal.discard_aside(journal.aside_entries()[:1]) == ""
    assert mode(journal.aside_path) == 0o600


def test_a_database_shared_on_purpose_shares_its_drafts_file_alike(qtbot, tmp_path, umask):
    """Two users of one database in a shared folder (the README's case): the person
    opened the database to the group, and its journal follows it, as SQLite's -wal
    does, never wider than the umask allows."""
    umask(0o002)
    db = tmp_path / "shared.sqlite3"
    files.create_private(db)
    db.chmod(0o660)
    journal = _journal_with_a_narrative(db)
    assert mode(journal.path) == 0o660


def test_a_drafts_file_with_no_database_beside_it_is_owner_only(qtbot, tmp_path, umask):
    journal = _journal_with_a_narrative(tmp_path / "not-made-yet.sqlite3")
    assert mode(journal.path) == 0o600


# --- the reports' cache ---------------------------------------------------------------


def test_built_reports_are_kept_where_only_their_owner_can_read_them(
        tmp_path, office_db, monkeypatch, umask):
    """A status sheet or a review pack built for its preview holds the offices'
    narratives; it was written 0644 into a 0755 cache folder. The folder is now
    the user's alone (0700), and so is what goes in it (the copies given to the
    system's viewer too)."""
    import ui.report_preview as preview_module
    from fieldplan.replica import open_replica
    from ui.report_cache import viewer_copy
    from ui.report_preview import ReportRequest, build_report

    cache = tmp_path / "cache" / "fieldplan" / "reports"
    monkeypatch.setattr(preview_module, "reports_dir", lambda: cache)
    with open_replica(office_db) as rep:
        built = build_report(rep, ReportRequest("sheet", "2026-S1"))
    assert built.parent == cache
    assert mode(cache) == 0o700
    copy = viewer_copy(built, cache, "status-sheet.pdf")
    assert copy.parent.parent == cache
    assert mode(copy) & 0o077 == 0, oct(mode(copy))


def test_a_reports_cache_an_earlier_fieldplan_left_open_is_closed(
        tmp_path, office_db, monkeypatch, umask):
    """The cache folder an earlier release made (0755, with reports in it) is
    fieldplan's own: it is made the user's alone at the next report."""
    import ui.report_preview as preview_module
    from fieldplan.replica import open_replica
    from ui.report_preview import ReportRequest, build_report

    cache = tmp_path / "cache" / "fieldplan" / "reports"
    cache.mkdir(parents=True, mode=0o755)
    cache.chmod(0o755)
    (cache / "review-pack-2026-S1-en-1a2b3c4d.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    monkeypatch.setattr(preview_module, "reports_dir", lambda: cache)
    with open_replica(office_db) as rep:
        build_report(rep, ReportRequest("sheet", "2026-S1"))
    assert mode(cache) == 0o700
