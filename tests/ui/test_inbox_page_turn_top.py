"""A page of bundles turned to (Older or Newer bundles) is shown from its top: the
table kept scrolled as a reading of the same page keeps it (``scroll_kept``) showed
the page turned to from where the person had scrolled the page before, its newest
bundles out of sight."""

from __future__ import annotations

from fieldplan.sync.exchange import INBOX_SHOWN
from tests.ui.test_inbox_older import _inbox, _received


def test_the_older_page_is_shown_from_its_top(open_window, qtbot, hq_db):
    _received(hq_db, 2 * INBOX_SHOWN)
    page = _inbox(open_window, qtbot, hq_db)
    bar = page.view.verticalScrollBar()
    bar.setValue(bar.maximum())  # (read to the end of the page, then Older bundles)
    assert bar.value() > 0
    newest = page.model.data(page.model.index(0, page.model.FILE))
    page.older_button.click()
    qtbot.waitUntil(lambda: page.model.data(page.model.index(0, page.model.FILE)) != newest)
    assert bar.value() == 0
    page.view.verticalScrollBar().setValue(bar.maximum())
    page.newer_button.click()
    qtbot.waitUntil(lambda: page.model.data(page.model.index(0, page.model.FILE)) == newest)
    assert bar.value() == 0
