"""A conflict of more versions than the Conflicts page shows (SHOWN_VERSIONS): it
shows one version of each value first, says whether the versions not shown hold
other values, and each Keep settles the whole conflict. Before, with 33 versions or
more every Keep was refused ("more than one resolution can settle") for good, and the
one version of another value, listed last, was not shown."""

from __future__ import annotations

from fieldplan import progress
from fieldplan.replica import open_replica
from fieldplan.sync.conflicts import SHOWN_VERSIONS
from tests.scenes import laptop_with_a_wide_conflict
from tests.ui.conftest import wait_idle


def test_any_value_of_a_wide_conflict_is_kept_from_the_page(
        open_window, qtbot, hq, make_office, tmp_path) -> None:
    path, _conflict = laptop_with_a_wide_conflict(hq, make_office, tmp_path, many=45)
    window = open_window(path)
    page = window.conflicts
    window.show_page(page)
    qtbot.waitUntil(lambda: len(page.keep_buttons) == SHOWN_VERSIONS, timeout=5000)
    wait_idle(qtbot, window.session)
    assert ("13 more versions are not shown: each one's value is one of those shown. "
            "Keeping a value replaces every version, shown or not.") in page.message.text()
    # the one version of 99, written first and listed last, is shown (the Values cell
    # too), and every Keep can be pressed
    [keep] = [b for b in page.keep_buttons if "“99%”" in b.accessibleName()]
    assert "99%" in page.model.index(0, page.model.VALUES).data()
    assert all(b.isEnabled() for b in page.keep_buttons)
    keep.click()
    qtbot.waitUntil(lambda: page.model.rowCount() == 0, timeout=10_000)
    wait_idle(qtbot, window.session)
    assert page.message.text() == ""
    window.close()
    with open_replica(path) as rep:
        [report] = progress.list_reports(rep, office="ML")
        assert report.percent == 99


def test_versions_not_shown_of_other_values_are_said(open_window, qtbot, hq_db) -> None:
    from fieldplan.sync.conflicts import Candidate, Conflict

    candidates = tuple(
        Candidate(f"aaaaaaaa:{i}", f"aaaaaaaa-{i}:{i}", i, "mallory",
                  "2026-03-01T10:00:00Z", i == 1) for i in range(1, 41))
    window = open_window(hq_db)
    page = window.conflicts
    window.show_page(page)
    wait_idle(qtbot, window.session)
    page._loaded([Conflict("c1", "progress", "ML|PA1.1|2026-S1", "percent", candidates)])
    assert ("8 more versions are not shown, some with values not among those shown. "
            "Keeping a value replaces every version, shown or not.") in page.message.text()


def test_shown_now_and_keep_are_never_cut_in_french(open_window, qtbot, hq, make_office,
                                                    tmp_path, qapp) -> None:
    """Each version at its narrowest (45 side by side) still has room for its own
    words on one line: "Shown now" read "Affichée actuelleme" in French."""
    from PySide6.QtWidgets import QLabel

    from ui.app import apply_language

    path, _conflict = laptop_with_a_wide_conflict(hq, make_office, tmp_path, many=45)
    apply_language(qapp, "fr")
    try:
        window = open_window(path)
        window.resize(1366, 768)
        page = window.conflicts
        window.show_page(page)
        qtbot.waitUntil(lambda: len(page.keep_buttons) == SHOWN_VERSIONS, timeout=5000)
        wait_idle(qtbot, window.session)
        labels = [b.parentWidget().findChild(QLabel, "shown-now") for b in page.keep_buttons]
        [shown] = [label for label in labels if not label.isHidden()]
        qtbot.waitUntil(shown.isVisible, timeout=5000)  # (the boxes are shown queued)
        assert shown.text() == "Affichée actuellement"
        assert shown.width() >= shown.sizeHint().width()
        assert all(b.width() >= b.sizeHint().width() for b in page.keep_buttons)
    finally:
        apply_language(qapp, "en")


def test_the_versions_not_shown_are_read_with_tab_and_each_keep_names_its_value(
        open_window, qtbot, hq, make_office, tmp_path, monkeypatch, announced) -> None:
    """"13 more versions are not shown…", why a Keep is disabled, the conflict's field:
    the words above the versions were no stop of Tab, so that a keyboard or screen
    reader user went from the list to the versions never told that others were not
    shown, nor that keeping a value replaces them all; the versions' scroll area was
    a stop that said nothing. And a Keep that failed said so there, away from the
    focus on the button, to no one."""
    from PySide6.QtWidgets import QApplication

    from fieldplan.errors import StoreError
    from tests.ui.test_read_by_keyboard import read_by_keyboard
    from ui.qtcompat import Qt

    said = announced  # (tests.ui.conftest)
    path, _conflict = laptop_with_a_wide_conflict(hq, make_office, tmp_path, many=45)
    window = open_window(path)
    page = window.conflicts
    window.show_page(page)
    qtbot.waitUntil(lambda: len(page.keep_buttons) == SHOWN_VERSIONS, timeout=5000)
    wait_idle(qtbot, window.session)
    window.activateWindow()
    qtbot.waitActive(window)
    qtbot.waitUntil(page.keep_buttons[-1].isVisible, timeout=5000)  # (shown queued)
    qtbot.waitUntil(lambda: page.sides.width() >= page.sides.minimumSizeHint().width())
    page.view.setFocus()
    qtbot.keyClick(page.view, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is page.message and read_by_keyboard(page.message)
    assert "13 more versions are not shown" in page.message.text()
    # then the first version: the versions' scroll area was a stop that said nothing
    qtbot.keyClick(page.message, Qt.Key.Key_Tab)
    assert QApplication.focusWidget().accessibleName().startswith("Version written on")
    # and Tab brings each version into sight, the last too
    for _ in range(2 * SHOWN_VERSIONS - 1):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    last = page.keep_buttons[-1]
    assert QApplication.focusWidget() is last
    port = page.sides_scroll.viewport()
    assert port.rect().contains(last.mapTo(port, last.rect().center()))
    # each Keep named by its value ("Keep “99%”, written on computer …"), the one of
    # 99 (listed last) among them
    names = [b.accessibleName() for b in page.keep_buttons]
    assert all(n.startswith("Keep “") for n in names)
    assert any(n.startswith("Keep “99%”") for n in names)
    # a Keep that fails: said at once
    monkeypatch.setattr("fieldplan.sync.resolve_conflict",
                        lambda *_a: (_ for _ in ()).throw(StoreError("the disk is full")))
    page.keep_buttons[0].click()
    qtbot.waitUntil(lambda: "disk is full" in page.message.text(), timeout=5000)
    wait_idle(qtbot, window.session)
    assert said and "disk is full" in said[-1]
