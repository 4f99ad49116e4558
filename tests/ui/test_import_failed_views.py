"""An import that ends on an error after merging some of its files: the files merged
stay merged (each its own transaction), and every view reads the database again, as
after an import that went to its end."""

from __future__ import annotations

import shutil
import sqlite3

from tests.ui.conftest import wait_idle


def test_views_show_the_files_merged_before_an_import_failed(
        open_window, qtbot, demo_world, tmp_path, monkeypatch):
    """Two bundles dropped, the second cut short by an error the import did not
    expect (the database locked by another program): the first office's reports were
    in the database, and the Overview went on saying "no report" for it."""
    import fieldplan.sync as sync

    hq = tmp_path / "hq.sqlite3"
    shutil.copy(demo_world / "hq.sqlite3", hq)
    first, second = sorted((demo_world / "bundles").glob("*.fieldplan"))[:2]
    office = first.name.split("-")[0]
    window = open_window(hq)
    page = window.hq_desk.overview
    window.show_page(page)
    wait_idle(qtbot, window.session)

    def row_text() -> str:
        model = page.model
        row = next(r for r in range(model.rowCount()) if model.office_at(r) == office)
        return " ".join(str(model.data(model.index(row, c)) or "")
                        for c in range(1, model.columnCount()))

    assert "no report" in row_text()
    real = sync.import_bundle

    def locked_on_the_second(rep, path, **kw):
        if str(path) == str(second):
            raise sqlite3.OperationalError("database is locked")
        return real(rep, path, **kw)

    monkeypatch.setattr(sync, "import_bundle", locked_on_the_second)
    window.import_files([str(first), str(second)])
    wait_idle(qtbot, window.session)
    from ui.dialogs import MessageDialog

    qtbot.waitUntil(lambda: window.findChild(MessageDialog) is not None)
    box = window.findChild(MessageDialog)
    said = box.text.text()
    assert "database is locked" in said and "\n" not in said.strip()  # (one line)
    box.close()
    with sqlite3.connect(hq) as conn:
        held = conn.execute("SELECT count(*) FROM progress WHERE office = ?",
                            (office,)).fetchone()[0]
    conn.close()
    assert held  # (merged before the error, and kept)
    wait_idle(qtbot, window.session)
    assert "no report" not in row_text()
