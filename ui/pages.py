"""Tabs built when first shown (``LazyTab``) and the headquarters' set of them
(``HqDesk``): the first screen makes only the page it shows, and the modules of the
other pages are imported when one is first opened."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QFrame, QScrollArea, QTabWidget, QVBoxLayout, QWidget

from fieldplan.i18n import _
from ui.context import Identity
from ui.ops import Session
from ui.qtcompat import Qt


class LazyTab(QWidget):
    """A tab whose page is made by ``factory`` the first time it is shown. A page
    wider or taller at its smallest than the window can be (a large font on a laptop
    at 200 %) scrolls: the window is no longer made as large, and cut off by the
    screen's edge."""

    def __init__(self, factory: Callable[[], QWidget]) -> None:
        super().__init__()
        self._factory = factory
        self._page: QWidget | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

    def built(self) -> bool:
        return self._page is not None

    def page(self) -> QWidget:
        if self._page is None:
            self._page = self._factory()
            scroll = QScrollArea()
            scroll.setObjectName("page-scroll")
            scroll.setFrameShape(QFrame.Shape.NoFrame)
            scroll.setWidgetResizable(True)  # the page's size, or its smallest
            # no stop for Tab of its own: it follows the focus (ensureWidgetVisible)
            scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            scroll.setWidget(_AtItsLeast(self._page))
            self.layout().addWidget(scroll)
            # shown with the tab now, not once Qt's queued show comes: Ctrl+2 (which
            # builds the page) found no field in it to put the focus on, and left it
            # on the tab bar
            scroll.show()
        return self._page

    def showEvent(self, event) -> None:  # (Qt's name)
        super().showEvent(event)
        # shown for the first time with its page built before (a look at it), the
        # keyboard on the page left: Qt gives it to the first field of this page's
        # focus chain (the Inbox's Gaps list, which a screen reader said) before the
        # window moves it to the page's own first field (``first_focus``). The fields
        # before that one are passed over by Qt's search, for the moment of it
        named = getattr(self._page, "first_focus", None)
        if named is None or self.focusWidget() is not None:
            return
        tab_focus = Qt.FocusPolicy.TabFocus
        passed, widget = [], self.nextInFocusChain()
        while widget is not None and widget is not self and widget is not named:
            if self.isAncestorOf(widget) and widget.focusPolicy() & tab_focus:
                passed.append((widget, widget.focusPolicy()))
                widget.setFocusPolicy(widget.focusPolicy() & ~tab_focus)
            widget = widget.nextInFocusChain()
        if not passed:
            return
        from PySide6.QtCore import QTimer

        def restore() -> None:
            while passed:
                widget, policy = passed.pop()
                widget.setFocusPolicy(policy)

        # once the tabs' stack has shown it (Qt's search is done by then: its signal
        # comes after), or the window was shown with it (no search)
        stack = self.parentWidget()
        if hasattr(stack, "currentChanged"):
            stack.currentChanged.connect(restore, Qt.ConnectionType.SingleShotConnection)
        QTimer.singleShot(0, self, restore)


class _AtItsLeast(QWidget):
    """Holds a tab's page in its scroll area, as high as the tab or as the page at its
    least. Qt's scroll area gives a page whose layout has a height for its width (a
    wrapped label) its preferred height at that width, and scrolls the whole page
    where the tab is shorter: on a laptop at 150 % the Inbox scrolled, its table
    inside a scroll bar of its own and the line under it out of sight, where the
    table could have given up a few rows."""

    def __init__(self, page: QWidget) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(page)

    def heightForWidth(self, width: int) -> int:  # (Qt's name)
        return self.layout().totalMinimumHeightForWidth(width)


def desk_page(name: str) -> type[QWidget]:
    """A page class of ui.hq_desk, imported on first use."""
    from ui import hq_desk

    return getattr(hq_desk, name)


def inbox_tab(session: Session) -> LazyTab:
    return LazyTab(lambda: desk_page("InboxPage")(session))


def conflicts_tab(session: Session, identity: Callable[[], Identity]) -> LazyTab:
    """``identity``: the window's, as it is when the page is first shown (the plan may
    have changed since the window opened)."""
    return LazyTab(lambda: desk_page("ConflictsPage")(session, identity()))


def _tab_widget_of(widget: QWidget) -> QTabWidget | None:
    """The tabs ``widget`` is a page of (the window's), if any."""
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QTabWidget):
        parent = parent.parentWidget()
    return parent


class HqDesk:
    """The HQ pages, added to the main window's tabs and built when first shown."""

    def __init__(self, session: Session, identity: Identity, period: str,
                 filters_changed: Callable[[], None] | None = None) -> None:
        """``filters_changed``: called when a filter or divider of a page kept
        (``KEPT``) changes, once the page is built (the window writes them)."""
        self.session, self.identity, self.period = session, identity, period
        self._filters_changed = filters_changed
        #: the filters and dividers of pages not built yet, set once they are
        #: (``restore_filters``): the next start builds only the page it shows
        self._to_restore: dict[str, dict] = {}
        self._tabs = {
            # the identity as it is when a page is first shown (set_identity)
            "overview": LazyTab(self._make_overview),
            "reports": LazyTab(lambda: self._restored("reports", desk_page("ReportsPage")(
                session, self.identity, self.period))),
            "inbox": inbox_tab(session),
            "quarantine": LazyTab(
                lambda: desk_page("QuarantinePage")(session, self.identity)),
            "conflicts": LazyTab(lambda: self._restored("conflicts", desk_page(
                "ConflictsPage")(session, self.identity))),
            "keys": LazyTab(lambda: desk_page("KeysPage")(session, self.identity)),
        }

    def _restored(self, name: str, page: QWidget) -> QWidget:
        """``page``, just built, with the filters and dividers kept for it."""
        kept = self._to_restore.pop(name, None)
        if kept is not None:
            page.restore_filters(kept)
        if self._filters_changed is not None:
            page.filters_did_change.connect(self._filters_changed)
        return page

    def _make_overview(self) -> QWidget:
        page = desk_page("OverviewPage")(self.session, self.identity, self.period)
        page.reports_were_asked.connect(self.open_reports)
        return self._restored("overview", page)

    def open_reports(self, office: str, area: str = "") -> None:
        """The Reports page in front, listing ``office``'s reports of the period, in
        ``area`` ("" for every area): an Overview cell opened."""
        tab = self._tabs["reports"]
        page = tab.page()
        page.show_office(office, area)
        tabs = _tab_widget_of(tab)
        if tabs is not None:
            tabs.setCurrentWidget(tab)
        page.view.setFocus(Qt.FocusReason.OtherFocusReason)  # on with the keyboard

    overview = property(lambda self: self._tabs["overview"].page())
    reports = property(lambda self: self._tabs["reports"].page())
    inbox = property(lambda self: self._tabs["inbox"].page())
    quarantine = property(lambda self: self._tabs["quarantine"].page())
    conflicts = property(lambda self: self._tabs["conflicts"].page())
    keys = property(lambda self: self._tabs["keys"].page())

    def pages(self) -> list[tuple[QWidget, str]]:
        t = self._tabs
        return [
            (t["overview"], _("&Overview")),
            (t["reports"], _("&Reports")),
            (t["inbox"], _("&Inbox")),
            (t["quarantine"], _("&Quarantine")),
            (t["conflicts"], _("&Conflicts")),
            (t["keys"], _("&Keys")),
        ]

    #: the pages whose filters and dividers are kept (``filters``)
    KEPT = ("overview", "reports", "conflicts")

    def filters(self) -> dict[str, dict]:
        """The Overview's and the Reports' filters, and the dividers of the Reports and
        the Conflicts, of the pages built so far; of the others, those still to set."""
        kept = {name: self._tabs[name].page().filters()
                for name in self.KEPT if self._tabs[name].built()}
        return {**self._to_restore, **kept}

    def restore_filters(self, filters: dict[str, dict]) -> None:
        """Set the pages' filters and dividers as ``filters`` says (a language change,
        the next start): those of a page not built yet once it is."""
        for name in self.KEPT:
            if not isinstance(filters.get(name), dict):
                continue
            if self._tabs[name].built():
                self._tabs[name].page().restore_filters(filters[name])
            else:
                self._to_restore[name] = filters[name]

    def set_period(self, period: str) -> None:
        self.period = period
        for name in ("overview", "reports"):
            if self._tabs[name].built():
                self._tabs[name].page().set_period(period)

    def set_identity(self, identity: Identity) -> None:
        """A new plan (an amendment): the pages built so far show it (the reports
        page reads which reports it hides itself, on each load; its areas from here)."""
        self.identity = identity
        for name in ("overview", "reports", "conflicts"):
            if self._tabs[name].built():
                self._tabs[name].page().set_identity(identity)
