"""The Keys tab tells an office's computers apart: two laptops of one office differed
only by their key id and an 8-character replica id, so the officer could not tell
which was the lost one. Each key shows who writes on its computer, when its last
bundle came, and when it was registered; the revoke confirmation says the same."""

from __future__ import annotations

import os

import pytest
from PySide6.QtCore import Qt

from fieldplan import progress
from fieldplan.replica import open_replica
from tests.ui.conftest import wait_idle

sync = pytest.importorskip("fieldplan.sync")


@pytest.fixture
def two_laptops(hq, make_office, tmp_path, monkeypatch):
    """HQ with two laptops of ML, each written on by its own person and each bundle
    merged; the second laptop's latest writer is another person. Returns HQ's path and
    {person: key id}."""
    out = tmp_path / "out"
    out.mkdir()
    keys = {}

    def send(laptop) -> None:
        bundle = sync.export_bundle(laptop, out_dir=out).path
        with monkeypatch.context() as hq_desk:  # HQ's own events: its officer's
            hq_desk.setenv("FIELDPLAN_AUTHOR", "hq.officer")
            assert sync.import_bundle(hq, bundle).outcome == "merged"

    for person, later in (("amina", None), ("bakary", "moussa")):
        monkeypatch.setenv("FIELDPLAN_AUTHOR", person)
        laptop = make_office("ML", f"ml-{person}")
        code = laptop.plan().actions_of(level="national")[0].code
        progress.record_progress(laptop, code, "2026-S1", status="on-track", percent=10)
        send(laptop)
        if later:
            monkeypatch.setenv("FIELDPLAN_AUTHOR", later)
            progress.record_progress(laptop, code, "2026-S1", status="at-risk", percent=20)
            send(laptop)
        keys[later or person] = laptop.meta("key_id")
    path = hq.path
    hq.close()
    return path, keys


def keys_page(open_window, qtbot, path, rows: int):
    window = open_window(path)
    page = window.hq_desk.keys
    window.show_page(page)
    qtbot.waitUntil(lambda: page.model.rowCount() == rows, timeout=5000)
    return window, page


def test_the_keys_tab_tells_an_offices_laptops_apart(open_window, qtbot, two_laptops):
    from ui.context import date_text, time_text

    path, keys = two_laptops
    with open_replica(path) as rep:
        merged = {e.bundle_id: e for e in sync.list_inbox(rep)}
        last = {k: max(r[0] for r in rep.conn.execute(
            "SELECT received_at FROM inbox WHERE key_id = ?", (k,))) for k in keys.values()}
        own = rep.meta("key_id")
        uses = sync.keys.key_uses(rep)
    assert len(merged) == 3
    window, page = keys_page(open_window, qtbot, path, rows=3)
    model = page.model
    rows = {model.row_at(i).key_id: i for i in range(3)}

    def cell(key_id: str, column: int) -> str:
        return model.display(model.row_at(rows[key_id]), column)

    for person, key_id in keys.items():
        assert cell(key_id, model.AUTHOR) == person  # the latest event's, not the first
        assert cell(key_id, model.LAST_BUNDLE) == date_text(last[key_id])
        assert cell(key_id, model.REGISTERED) == date_text(uses[key_id].registered) != ""
    assert cell(own, model.AUTHOR) == "hq.officer"
    # offices named as on every other page ("HQ" alone, in French too, read as a code)
    assert cell(own, model.OFFICE) == "HQ · Headquarters"
    assert {cell(k, model.OFFICE) for k in keys.values()} == {"ML · Mali"}
    assert cell(own, model.LAST_BUNDLE) == "—"  # headquarters' bundles are its own

    # the confirmation says which laptop is revoked
    page.view.selectRow(rows[keys["moussa"]])
    qtbot.mouseClick(page.revoke_button, Qt.MouseButton.LeftButton)
    confirm = page.findChild(object, "revoke-dialog")
    assert confirm is not None
    # (names and times isolated in their own direction, as in every sentence)
    lines = confirm.text.text().replace("\u2068", "").replace("\u2069", "").split("\n")
    assert "Written by: moussa" in lines
    assert f"Last bundle: {time_text(last[keys['moussa']])}" in lines
    assert f"Key: {keys['moussa']}" in lines
    assert f"Registered: {time_text(uses[keys['moussa']].registered)}" in lines
    assert confirm.details.toPlainText() == model.row_at(rows[keys["moussa"]]).fingerprint
    if os.environ.get("FIELDPLAN_SHOTS"):
        confirm.grab().save(os.path.join(os.environ["FIELDPLAN_SHOTS"], "revoke-dialog.png"))
    confirm.reject()
    wait_idle(qtbot, window.session)


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_the_keys_table_is_read_without_scrolling_on_a_laptop_screen(
        open_window, qtbot, two_laptops, qapp, lang):
    """At 1366×768 every column is as wide as its header and contents, side by side:
    no column is cut off and nothing is out of sight to the side."""
    from ui.app import apply_language

    apply_language(qapp, lang)
    try:
        path, _keys = two_laptops
        window, page = keys_page(open_window, qtbot, path, rows=3)
        window.resize(1366 - 16, 768 - 48)  # the frame and title bar
        qtbot.waitUntil(lambda: page.view.viewport().width() > 1000, timeout=5000)
        view, model = page.view, page.model
        header = view.horizontalHeader()
        assert view.horizontalScrollBar().maximum() == 0
        for column in range(model.columnCount()):
            needed = max(view.sizeHintForColumn(column), header.sectionSizeHint(column))
            assert view.columnWidth(column) >= needed, model.headers()[column]
        if os.environ.get("FIELDPLAN_SHOTS"):
            window.grab().save(os.path.join(os.environ["FIELDPLAN_SHOTS"],
                                            f"keys-{lang}.png"))
    finally:
        apply_language(qapp, "en")


@pytest.fixture
def long_names(hq, make_office, tmp_path, monkeypatch):
    """HQ with a laptop of AE and one of PS (long office names in French and Arabic),
    each written on by a person of a long name. Returns HQ's path."""
    out = tmp_path / "out"
    out.mkdir()
    for code, person in (("PS", "fatoumata.diarra-keita"), ("AE", "abdelrahman.al-mansouri")):
        monkeypatch.setenv("FIELDPLAN_AUTHOR", person)
        laptop = make_office(code)
        action = laptop.plan().actions_of(level="national")[0].code
        progress.record_progress(laptop, action, "2026-S1", status="on-track", percent=10)
        assert sync.import_bundle(hq, sync.export_bundle(laptop, out_dir=out).path) \
            .outcome == "merged"
    path = hq.path
    hq.close()
    return path


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_the_fingerprint_is_whole_first_beside_long_names_at_1024_pixels(
        open_window, qtbot, long_names, qapp, lang):
    """At 1024 pixels a long office name ("AE · Émirats arabes unis") and the name of
    who writes pushed the fingerprint off the table's edge, behind a scroll bar, and
    squeezed "Écrit par" to "…". The fingerprint (read aloud to be compared) and the
    other codes are whole; the office's name gives way, elided, whole in its tooltip,
    and "Written by" keeps at least its header's width."""
    from ui.app import apply_language

    apply_language(qapp, lang)
    try:
        window, page = keys_page(open_window, qtbot, long_names, rows=3)
        window.resize(1024 - 16, 768 - 48)  # the frame and title bar
        view, model = page.view, page.model
        qtbot.waitUntil(lambda: view.viewport().width() > 900, timeout=5000)
        header = view.horizontalHeader()
        qtbot.waitUntil(lambda: view.horizontalScrollBar().maximum() == 0, timeout=2000)
        viewport = view.viewport().rect()
        for column in range(model.columnCount()):
            if column in (model.OFFICE, model.AUTHOR):
                continue
            needed = max(view.sizeHintForColumn(column), header.sectionSizeHint(column))
            assert view.columnWidth(column) >= needed, model.headers()[column]
        for row in range(model.rowCount()):
            assert viewport.contains(view.visualRect(model.index(row, model.FINGERPRINT)))
        assert view.columnWidth(model.AUTHOR) >= header.sectionSizeHint(model.AUTHOR)
        # a name cut short is whole in its tooltip
        office = model.index(1, model.OFFICE)
        assert office.data(Qt.ItemDataRole.ToolTipRole) == office.data()
        if lang == "fr":  # (the case: "AE · Émirats arabes unis" does not fit whole)
            assert view.columnWidth(model.OFFICE) < view.sizeHintForColumn(model.OFFICE)
        if os.environ.get("FIELDPLAN_SHOTS"):
            window.grab().save(os.path.join(os.environ["FIELDPLAN_SHOTS"],
                                            f"keys-long-{lang}.png"))
    finally:
        apply_language(qapp, "en")


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_the_keys_table_fits_a_784_pixel_window(open_window, qtbot, long_names, qapp,
                                                lang, tmp_path):
    """At 784 pixels the fingerprint on one line took half the table and still ran off
    its edge, the offices' names were cut to "CI · C…" and "Écrit par" clipped. The
    fingerprint folds onto two lines of five groups, whole and in sight; the other
    codes and every header are whole, the office's name gives way (elided, whole in
    its tooltip) only to what is left; no scroll bar. Wider again (1024 pixels), the
    fingerprint is on one line."""
    from ui.app import apply_language

    apply_language(qapp, lang)
    try:
        window, page = keys_page(open_window, qtbot, long_names, rows=3)
        view, model = page.view, page.model
        header = view.horizontalHeader()
        window.resize(784, 560)
        qtbot.waitUntil(lambda: model.folded, timeout=5000)
        qtbot.waitUntil(lambda: view.horizontalScrollBar().maximum() == 0, timeout=2000)
        viewport = view.viewport().rect()
        for row in range(model.rowCount()):
            shown = model.index(row, model.FINGERPRINT)
            groups = model.row_at(row).fingerprint.split(" ")
            # whole, five groups a line, in sight; the tooltip on one line
            assert [line.strip("\u2066\u2069").split(" ") for line in
                    shown.data().split("\n")] == [groups[:5], groups[5:]]
            assert viewport.contains(view.visualRect(shown))
            assert view.rowHeight(row) >= 2 * view.fontMetrics().lineSpacing()
            assert "\n" not in shown.data(Qt.ItemDataRole.ToolTipRole)
        for column in range(model.columnCount()):
            assert view.columnWidth(column) >= header.sectionSizeHint(column), \
                model.headers()[column]  # no header clipped
            if column not in (model.OFFICE, model.AUTHOR):
                assert view.columnWidth(column) >= view.sizeHintForColumn(column), \
                    model.headers()[column]
        # the office's name gives way to what is left, no more: wider than its header
        assert view.columnWidth(model.OFFICE) > header.sectionSizeHint(model.OFFICE)
        window.grab().save(str(tmp_path / f"keys-784-{lang}.png"))
        window.resize(1024, 640)
        qtbot.waitUntil(lambda: not model.folded, timeout=5000)
        assert "\n" not in model.index(0, model.FINGERPRINT).data()
        qtbot.waitUntil(lambda: view.horizontalScrollBar().maximum() == 0, timeout=2000)
        window.grab().save(str(tmp_path / f"keys-1024-{lang}.png"))
    finally:
        apply_language(qapp, "en")


def drag_edge(qtbot, view, column: int, by: int) -> None:
    """A person's drag of ``column``'s trailing edge in the header, ``by`` pixels
    wider (narrower if negative), as the mouse does it."""
    from PySide6.QtCore import QPoint

    header = view.horizontalHeader()
    assert not view.isRightToLeft()  # (its trailing edge on the right)
    x = header.sectionViewportPosition(column) + header.sectionSize(column) - 1
    start = QPoint(x, header.height() // 2)
    target = header.viewport()
    qtbot.mousePress(target, Qt.MouseButton.LeftButton, pos=start)
    for step in (by // 2, by):
        qtbot.mouseMove(target, start + QPoint(step, 0))
    qtbot.mouseRelease(target, Qt.MouseButton.LeftButton, pos=start + QPoint(by, 0))


def test_a_fingerprint_sized_by_a_person_unfolds_when_it_fits_on_one_line(
        open_window, qtbot, long_names, tmp_path):
    """A person widened the fingerprint, folded onto two lines in a narrow table: it
    stayed folded, its rows twice as tall, at any width, the window made wide again
    too. Their width is kept; the fingerprint is on one line when it fits in it, on
    two when it does not."""
    window, page = keys_page(open_window, qtbot, long_names, rows=3)
    view, model = page.view, page.model
    header = view.horizontalHeader()
    window.resize(1024, 640)
    qtbot.waitUntil(lambda: not model.folded, timeout=5000)
    one_line = header.sectionSize(model.FINGERPRINT)
    window.resize(784, 560)
    qtbot.waitUntil(lambda: model.folded, timeout=5000)
    folded = header.sectionSize(model.FINGERPRINT)
    assert folded < one_line
    drag_edge(qtbot, view, model.FINGERPRINT, 10)  # a little wider: still two lines
    assert header.sectionSize(model.FINGERPRINT) == folded + 10
    assert model.folded and "\n" in model.index(0, model.FINGERPRINT).data()
    window.resize(1280, 640)  # room enough, but the person's width is too narrow
    qtbot.waitUntil(lambda: view.viewport().width() > 1100, timeout=5000)
    assert model.folded and header.sectionSize(model.FINGERPRINT) == folded + 10
    drag_edge(qtbot, view, model.FINGERPRINT, one_line - folded)  # wide enough
    assert header.sectionSize(model.FINGERPRINT) >= one_line
    assert not model.folded and "\n" not in model.index(0, model.FINGERPRINT).data()
    assert view.rowHeight(0) < 2 * view.fontMetrics().lineSpacing()
    window.grab().save(str(tmp_path / "keys-sized-unfolded.png"))
    drag_edge(qtbot, view, model.FINGERPRINT, -40)  # narrower again: two lines
    assert model.folded and view.rowHeight(0) >= 2 * view.fontMetrics().lineSpacing()
    # what the table fitted meanwhile (the office's name giving way) is not the person's
    from ui.table_fit import _Fitter

    assert view.findChild(_Fitter).by_person == {model.FINGERPRINT}


@pytest.fixture
def rotated_laptop(hq, make_office, tmp_path):
    """HQ knowing ML's laptop by two keys: its first, retired by a rotation, and its
    current one. Returns HQ's path, the first key's id and the current key's."""
    out = tmp_path / "out"
    out.mkdir()
    laptop = make_office("ML")
    first = laptop.meta("key_id")
    code = laptop.plan().actions_of(level="national")[0].code
    for percent in (10, 20):
        progress.record_progress(laptop, code, "2026-S1", status="on-track", percent=percent)
        assert sync.import_bundle(hq, sync.export_bundle(laptop, out_dir=out).path) \
            .outcome == "merged"
        if percent == 10:
            current = sync.rotate_key(laptop).key_id_hex
    path = hq.path
    hq.close()
    return path, first, current


def test_revoking_an_earlier_key_shows_the_current_one_revoked(open_window, qtbot,
                                                                rotated_laptop):
    """HQ revoked a laptop's retired key: the laptop was cut off, but the Keys tab
    still showed its current key active, with Revoke enabled, and nothing said the
    computer went with the retired key."""
    path, first, current = rotated_laptop
    window, page = keys_page(open_window, qtbot, path, rows=3)
    model = page.model

    def row(key_id: str) -> int:
        return next(i for i in range(model.rowCount()) if model.row_at(i).key_id == key_id)

    page.view.selectRow(row(first))
    assert page.revoke_button.isEnabled()
    qtbot.mouseClick(page.revoke_button, Qt.MouseButton.LeftButton)
    confirm = page.findChild(object, "revoke-dialog")
    said = ("It is an earlier key of its computer, whose current key "
            f"{current} is revoked with it: that computer is cut off")
    assert f"every office, and so will any new key it makes. This cannot be undone.\n\n" \
        f"{said}\n\n" in confirm.text.text()
    confirm.accept()
    qtbot.waitUntil(lambda: model.row_at(row(current)).status == "revoked", timeout=5000)
    wait_idle(qtbot, window.session)
    assert page.message.text() == (
        f"Key {first} revoked. Offices learn it from their next bundle.\n{said}\n"
        "The setup bundles written for ML no longer set up new computers (the revoked one "
        "may hold them): write a new one for any computer of ML still to be set up")
    status = model.index(row(current), model.STATUS)
    assert status.data() == "Revoked"
    assert status.data(Qt.ItemDataRole.ToolTipRole) == \
        f"Revoked with its computer's key {first}"
    page.view.selectRow(row(current))
    assert page.selected().key_id == current and not page.revoke_button.isEnabled()


def test_the_quarantine_tab_says_which_computer_and_where_it_reads_its_fingerprint(
        open_window, qtbot, hq, make_office, tmp_path):
    """With several laptops HQ could not tell the office which one to open, nor where
    on it the fingerprint is. The question named the office by its code alone ("Trust
    the key of office TR?"), where every other screen says "TR · Türkiye"."""
    from fieldplan import store

    laptop = make_office("ML")
    with store.write_transaction(laptop.conn):  # no enrolment proof: quarantine
        laptop.conn.execute("DELETE FROM meta WHERE key = 'enrolment'")
    code = laptop.plan().actions_of(level="national")[0].code
    progress.record_progress(laptop, code, "2026-S1", status="on-track")
    assert sync.import_bundle(hq, sync.export_bundle(laptop, out_dir=tmp_path).path) \
        .outcome == "quarantined"
    replica = laptop.replica_id
    path = hq.path
    hq.close()
    window = open_window(path)
    page = window.hq_desk.quarantine
    window.show_page(page)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=5000)
    model = page.model
    assert model.headers()[model.COMPUTER] == "Computer"
    assert model.index(0, model.COMPUTER).data() == replica[:8]
    where = ("The office reads its fingerprint in fieldplan under Help ▸ This computer's "
             "key…, or with 'fieldplan keys show'.")
    assert page.intro.text().endswith(" " + where)
    page.view.selectRow(0)
    qtbot.mouseClick(page.trust_button, Qt.MouseButton.LeftButton)
    confirm = page.findChild(object, "trust-dialog")
    assert confirm.text.text().startswith(
        f"The office reads the fingerprint on its computer {replica[:8]}: in fieldplan "
        "under Help ▸ This computer's key…, or with 'fieldplan keys show'\n\nTrust the key "
        "of office ML · Mali?")  # named as everywhere in the client, not by its code
    confirm.reject()
    qtbot.mouseClick(page.refuse_button, Qt.MouseButton.LeftButton)
    confirm = page.findChild(object, "refuse-dialog")
    assert "\n\nRefuse the key of office ML · Mali? " in confirm.text.text()
    confirm.reject()
    wait_idle(qtbot, window.session)


@pytest.fixture
def shared_setup(hq, tmp_path):
    """HQ knowing two ML computers set up from one setup bundle (a stolen laptop's, and
    a spare one its thief set up before HQ revoked the laptop). Returns HQ's path, the
    laptop's key id and the spare's."""
    out = tmp_path / "out"
    out.mkdir()
    setup = tmp_path / "ml-setup.fieldplan"
    sync.enroll_office(hq, "ML", setup)
    keys = []
    for name in ("laptop", "spare"):
        rep = sync.init_from_setup(tmp_path / f"{name}.sqlite3", setup)
        code = rep.plan().actions_of(level="national")[0].code
        progress.record_progress(rep, code, "2026-S1", status="on-track", percent=10)
        assert sync.import_bundle(hq, sync.export_bundle(rep, out_dir=out).path) \
            .outcome == "merged"
        keys.append(rep.meta("key_id"))
        rep.close()
    path = hq.path
    hq.close()
    return path, *keys


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_revoking_names_the_computers_its_setup_bundle_set_up(open_window, qtbot, qapp,
                                                              shared_setup, lang):
    """A revocation ends the office's enrolment tokens, not a computer the stolen
    laptop's setup bundle set up already: the confirmation and the message after it
    name that computer, so that the person can revoke it too."""
    from ui.app import apply_language
    from ui.context import time_text

    path, lost, spare = shared_setup
    apply_language(qapp, lang)
    try:
        window, page = keys_page(open_window, qtbot, path, rows=3)
        model = page.model
        wait_idle(qtbot, window.session)
        row = next(i for i in range(model.rowCount()) if model.row_at(i).key_id == lost)
        # (selectRow picks no cell in a right-to-left table narrower than its view)
        page.view.setCurrentIndex(model.index(row, 0))
        assert page.selected().key_id == lost and page.revoke_button.isEnabled()
        page.revoke_button.click()
        confirm = page.findChild(object, "revoke-dialog")
        text = confirm.text.text()
        assert spare in text
        if lang == "en":
            plain = text.replace("\u2068", "").replace("\u2069", "")
            first = model.use(next(model.row_at(i) for i in range(model.rowCount())
                                   if model.row_at(i).key_id == spare)).registered
            assert "\n\n1 other computer was registered with the same setup bundle and " \
                f"stays active: key {spare} (first reported {time_text(first)}); revoke " \
                "it too if it is not the office's own" in plain
        if os.environ.get("FIELDPLAN_SHOTS"):
            confirm.grab().save(os.path.join(os.environ["FIELDPLAN_SHOTS"],
                                             f"revoke-same-setup-{lang}.png"))
        confirm.accept()
        qtbot.waitUntil(lambda: {model.row_at(i).key_id: model.row_at(i).status
                                 for i in range(model.rowCount())}[lost] == "revoked",
                        timeout=5000)
        wait_idle(qtbot, window.session)
        assert spare in page.message.text()
        if os.environ.get("FIELDPLAN_SHOTS"):
            window.grab().save(os.path.join(os.environ["FIELDPLAN_SHOTS"],
                                            f"revoked-same-setup-{lang}.png"))
    finally:
        apply_language(qapp, "en")


#: the Keys tab's offices, in each language: headquarters, the regional offices, then
#: the countries by their names (Benin, Brunei, Chad; بروناي, بنين, تشاد)
KEYS_ORDER = {"en": ["HQ", "RO-Dakar", "BJ", "BN", "TD"],
              "ar": ["HQ", "RO-Dakar", "BN", "BJ", "TD"]}


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_keys_tab_lists_the_offices_as_every_other_page(lang, open_window, qtbot, hq,
                                                             make_office, tmp_path,
                                                             language):
    """The Keys tab listed the offices by code: a regional office's keys among the
    countries' (BN, RO-Dakar, TD), and in Arabic "BJ · بنين" before "BN · بروناي",
    in no order a reader sees; the Overview, the Reports page and the review pack list
    headquarters, the regional offices, then the countries by their names. Found by
    QA (a semester of a regional office)."""
    out = tmp_path / "out"
    out.mkdir()
    for code in ("TD", "RO-Dakar", "BN", "BJ"):
        office = make_office(code)
        assert sync.import_bundle(hq, sync.export_bundle(office, out_dir=out).path
                                  ).outcome == "merged"
    path = hq.path
    hq.close()
    language(lang)
    _window, page = keys_page(open_window, qtbot, path, rows=5)
    assert [page.model.row_at(r).office for r in range(5)] == KEYS_ORDER[lang]


def test_revoke_is_off_from_the_confirmation_until_the_keys_are_read_again(
        open_window, qtbot, two_laptops, monkeypatch):
    """Revoke stayed enabled on the key being revoked from the confirmation until the
    table was read again (the revocation's line shown meanwhile): a second click asked
    again, and a second confirmation revoked a key revoked already, an error."""
    from ui import hq_desk

    path, keys = two_laptops
    window, page = keys_page(open_window, qtbot, path, rows=3)
    model = page.model
    lost = keys["amina"]
    row = next(i for i in range(model.rowCount()) if model.row_at(i).key_id == lost)
    page.view.selectRow(row)
    assert page.revoke_button.isEnabled()
    said_with_button = []
    real_say = hq_desk.say_in_passing

    def say(source, text):  # the revocation's line said: the table not read again yet
        said_with_button.append(page.revoke_button.isEnabled())
        real_say(source, text)

    monkeypatch.setattr(hq_desk, "say_in_passing", say)
    qtbot.mouseClick(page.revoke_button, Qt.MouseButton.LeftButton)
    page.findChild(object, "revoke-dialog").accept()
    assert not page.revoke_button.isEnabled()  # (confirmed: under way)
    qtbot.waitUntil(lambda: lost in page.message.text(), timeout=10_000)
    assert said_with_button == [False]
    wait_idle(qtbot, window.session)
    assert page.selected().key_id == lost and page.selected().status == "revoked"
    assert not page.revoke_button.isEnabled()
    # another key chosen: on again
    other = next(i for i in range(model.rowCount()) if model.row_at(i).key_id == keys["moussa"])
    page.view.selectRow(other)
    assert page.revoke_button.isEnabled()


def test_a_revoke_that_fails_gives_the_button_back(open_window, qtbot, two_laptops,
                                                   monkeypatch):
    """(the revocation refused: nothing to read again) Revoke is on again at once."""
    path, keys = two_laptops
    window, page = keys_page(open_window, qtbot, path, rows=3)
    model = page.model
    row = next(i for i in range(model.rowCount()) if model.row_at(i).key_id == keys["amina"])
    page.view.selectRow(row)

    def refused(_rep, _key_id):
        from fieldplan.errors import ValidationError

        raise ValidationError("refused for the test")

    monkeypatch.setattr(sync, "revoke_key", refused)
    page.revoke(keys["amina"])
    assert not page.revoke_button.isEnabled()
    qtbot.waitUntil(lambda: "efused for the test" in page.message.text(), timeout=10_000)
    assert page.revoke_button.isEnabled()
    wait_idle(qtbot, window.session)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_revoke_question_names_the_office_as_every_other_page(
        open_window, qtbot, two_laptops, qapp, lang):
    """"Revoke the key of this computer of office ML?": the office by its bare code,
    where the table above, the quarantine's questions and every other page say
    "ML · Mali"."""
    from ui.app import apply_language
    from ui.context import office_label
    from ui.hq_desk import select_row

    apply_language(qapp, lang)
    try:
        path, keys = two_laptops
        window, page = keys_page(open_window, qtbot, path, rows=3)
        model = page.model
        row = next(i for i in range(model.rowCount())
                   if model.row_at(i).key_id == keys["amina"])
        select_row(page.view, row)  # (selectRow selects nothing right to left)
        qtbot.mouseClick(page.revoke_button, Qt.MouseButton.LeftButton)
        confirm = page.findChild(object, "revoke-dialog")
        question = confirm.text.text().split("\n")[0]
        assert office_label("ML") in question
        assert office_label("ML") != "ML"
        if os.environ.get("FIELDPLAN_SHOTS"):
            confirm.grab().save(os.path.join(os.environ["FIELDPLAN_SHOTS"],
                                             f"revoke-question-{lang}.png"))
        confirm.reject()
        wait_idle(qtbot, window.session)
    finally:
        apply_language(qapp, "en")
