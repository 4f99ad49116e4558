"""A conflict of more versions than the Conflicts page shows (SHOWN_VERSIONS): it
shows one version of each value first, says whether the versions not shown hold
other values, and each Keep settles the whole conflict. Before, with 33 versions or
more every Keep was refused ("more than one resolution can settle") for good, and the
one version of another value, listed last, was not shown."""

from __future__ import annotations

import pytest

from fieldplan import progress
from fieldplan.replica import open_replica
from fieldplan.sync.conflicts import SHOWN_VERSIONS
from tests.scenes import laptop_with_a_wide_conflict
from tests.ui.conftest import wait_idle
from tests.ui.test_conflict_versions import conflicts_page, versions


def wide_conflict_page(open_window, qtbot, hq, make_office, tmp_path):
    """(window, its Conflicts page) on a laptop with a conflict of 45 versions, the
    page showing its 32."""
    path, _conflict = laptop_with_a_wide_conflict(hq, make_office, tmp_path, many=45)
    return conflicts_page(open_window, qtbot, path, buttons=SHOWN_VERSIONS)

def test_any_value_of_a_wide_conflict_is_kept_from_the_page(
        open_window, qtbot, hq, make_office, tmp_path) -> None:
    window, page = wide_conflict_page(open_window, qtbot, hq, make_office, tmp_path)
    path = window.identity.db_path
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
    window, page = wide_conflict_page(open_window, qtbot, hq, make_office, tmp_path)
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
    assert QApplication.focusWidget().accessibleName().startswith("Version ")
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


@pytest.mark.parametrize("language", ["en", "ar"])
def test_every_version_of_a_wide_conflict_has_a_name_of_its_own(
        open_window, qtbot, hq, make_office, tmp_path, qapp, language) -> None:
    """45 versions of five values, all from one computer in one minute: their 32 Keep
    buttons had 7 names ("Keep “4%”, written on computer 7285272a" again and again) and
    their panes one, nothing telling a screen reader user which is which. Each now says
    its place among those shown, in the user's language."""
    from ui.app import apply_language

    path, _conflict = laptop_with_a_wide_conflict(hq, make_office, tmp_path, many=45)
    apply_language(qapp, language)
    try:
        window = open_window(path)
        page = window.conflicts
        window.show_page(page)
        qtbot.waitUntil(lambda: len(page.keep_buttons) == SHOWN_VERSIONS, timeout=5000)
        wait_idle(qtbot, window.session)
        keeps = [b.accessibleName() for b in page.keep_buttons]
        panes = [p.accessibleName() for p in versions(page)]
        assert len(set(keeps)) == len(set(panes)) == SHOWN_VERSIONS
        assert not any("{" in name for name in keeps + panes)
        if language == "en":
            assert f"version 2 of {SHOWN_VERSIONS}, written on computer " in keeps[1]
            assert panes[1].startswith(f"Version 2 of {SHOWN_VERSIONS}, written on")
    finally:
        apply_language(qapp, "en")


def test_versions_alike_but_for_their_time_are_told_apart_by_it(qapp) -> None:
    """Same value, same computer: the time of each (as its heading says it) tells them
    apart, where it differs; their place, where it does not; the one shown now and a
    version of another value keep their short names."""
    from fieldplan.sync.conflicts import Candidate
    from ui.conflict_versions import told_apart_names

    def version(i: int, value: int, at: str, winner: bool = False) -> Candidate:
        return Candidate(f"aaaaaaaa:{i}", f"aaaaaaaa-{i}:{i}", value, "mallory", at, winner)

    names = told_apart_names(
        [version(1, 5, "2026-03-01T10:00:00Z", winner=True),
         version(2, 5, "2026-03-01T10:00:00Z"), version(3, 5, "2026-03-01T11:00:00Z"),
         version(4, 5, "2026-03-01T11:00:00Z"), version(5, 5, "2026-03-01T12:00:00Z"),
         version(6, 7, "2026-03-01T10:00:00Z")],
        ["5%", "5%", "5%", "5%", "5%", "7%"])
    keeps = [keep for _pane, keep in names]
    assert keeps[0] == "Keep “5%”, written on computer aaaaaaaa, shown now"
    assert keeps[1].startswith("Keep “5%”, written by mallory on computer aaaaaaaa, 1 Mar")
    assert keeps[2] == "Keep “5%”, version 3 of 6, written on computer aaaaaaaa"
    assert keeps[3] == "Keep “5%”, version 4 of 6, written on computer aaaaaaaa"
    assert keeps[4].startswith("Keep “5%”, written by mallory on computer aaaaaaaa, 1 Mar")
    assert keeps[5] == "Keep “7%”, written on computer aaaaaaaa"
    assert len(set(keeps)) == 6
    # the panes name no value: all but the one shown now were alike
    panes = [pane for pane, _keep in names]
    assert panes[0] == "Version written on computer aaaaaaaa, shown now"
    assert panes[4].startswith("Version written by mallory on computer aaaaaaaa, 1 Mar")
    assert panes[5] == "Version 6 of 6, written on computer aaaaaaaa"
    assert len(set(panes)) == 6


def test_two_versions_keep_their_short_names(qapp) -> None:
    from fieldplan.sync.conflicts import Candidate
    from ui.conflict_versions import told_apart_names

    names = told_apart_names(
        [Candidate("aaaaaaaa:1", "aaaaaaaa-1:1", 5, "root", "2026-03-01T10:00:00Z", True),
         Candidate("bbbbbbbb:1", "bbbbbbbb-1:1", 5, "root", "2026-03-01T10:00:00Z", False)],
        ["5%", "5%"])
    assert names == [
        ("Version written on computer aaaaaaaa, shown now",
         "Keep “5%”, written on computer aaaaaaaa, shown now"),
        ("Version written on computer bbbbbbbb", "Keep “5%”, written on computer bbbbbbbb")]


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_a_conflict_one_computer_wrote_is_said_to_be_its_history(
        open_window, qtbot, qapp, hq, make_office, tmp_path, lang) -> None:
    """Thousands of versions of one field from a single computer, none replacing
    another: the page said nothing of where they came from, and every other screen
    had it that two computers of the office wrote it differently."""
    import os

    from ui.app import apply_language

    apply_language(qapp, lang)
    try:
        window, page = wide_conflict_page(open_window, qtbot, hq, make_office, tmp_path)
        origin = page.model.row_at(0).candidates[0].full_id.split(":")[0]
        text = page.message.text().replace("\u2068", "").replace("\u2069", "")
        assert origin[:8] in text
        if lang == "en":
            assert (f"Every version comes from one computer, {origin[:8]}: its history "
                    "holds versions that do not replace each other, no other computer "
                    "wrote this field.") in text
        if os.environ.get("FIELDPLAN_SHOTS"):
            window.grab().save(os.path.join(os.environ["FIELDPLAN_SHOTS"],
                                            f"one-computer-conflict-{lang}.png"))
    finally:
        apply_language(qapp, "en")
