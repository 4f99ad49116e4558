"""Column widths fitted to a table's contents once a load, not at every layout pass.

Qt's ``ResizeToContents`` measures every row of a column again at each layout pass
(the window resized, the page shown, a refresh), asking the model for each cell's
data several times: a thousand inbox rows held the window for seconds at each. Here
the columns are ``Interactive`` and fitted when the rows change: each column as wide
as its header and its widest text, measured with the column's font, plus what the
cell's delegate adds around its text. A model whose column is costly to write out
for every row (a time, a count in words) says instead which texts the column can
hold at its widest (``width_texts``). A column a person widened or narrowed keeps
their width at the next load: an import refreshing the inbox does not undo it.

A model's ``GIVES_WAY`` columns (names, which the cell's tooltip says whole) are
narrowed when the table is too narrow for every column, so that the others (a key
fingerprint) stay whole and in sight: the stretched column keeps at least its
header's width, and they take what is left, down to their headers' widths. Before
they do, a model's ``FOLDS`` columns (a key fingerprint) fold their text onto two
lines (the model's ``fold``), whole, the rows twice as tall: at 784 pixels a
fingerprint on one line took half the table and still ran off its edge.

A model's ``GIVES_WAY_NEXT`` columns (a period, a time in words: their tooltips say
them whole) give way in turn, once the ``GIVES_WAY`` ones are at their headers'
widths, down to theirs: the stretched column (a narrative) lost its header first.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QFont, QTextLayout, QTextOption
from PySide6.QtWidgets import QHeaderView, QTableView


def fit_on_load(view: QTableView) -> None:
    """Fit ``view``'s columns (but the stretched ones: its header's other sections
    are left ``Interactive``, Qt's default) now and whenever its rows change: a new
    load, a filter. A column a person resizes meanwhile keeps its width from then on."""
    model = view.model()
    fitter = _Fitter(view)
    for signal in (model.modelReset, model.rowsInserted, model.rowsRemoved):
        signal.connect(fitter.fit)
    view.horizontalHeader().sectionResized.connect(fitter.resized)
    fitter.fit()


def give_way_when_narrow(view: QTableView) -> None:
    """For a table whose columns were sized once, from samples (the Reports' thousands
    of rows are not measured): its model's ``GIVES_WAY`` columns narrow from those
    widths when the table is too narrow for every column, down to their headers'
    widths, as ``fit_on_load``'s do, so that the stretched column keeps its header's
    width. A column a person resizes keeps their width."""
    fitter = _Fitter(view)
    header = view.horizontalHeader()
    header.sectionResized.connect(fitter.resized)
    fitter.natural = {column: header.sectionSize(column)
                      for column in _gives_way(view.model())}
    fitter.give_way()


#: how many characters (on average) a ``GIVES_WAY`` column keeps before the ``FOLDS``
#: columns fold
GIVES_WAY_CHARS = 14

#: the events ``_Fitter`` looks at
_WATCHED = frozenset((QEvent.Type.Resize, QEvent.Type.MouseButtonPress,
                      QEvent.Type.MouseButtonDblClick, QEvent.Type.MouseButtonRelease))


class _Fitter(QObject):
    """Fits its view's columns but those a person sized; a child of the view, so that
    a model that outlives the view stops asking (Qt drops a dead receiver's
    connections)."""

    def __init__(self, view: QTableView) -> None:
        super().__init__(view)
        self.view = view
        self.by_person: set[int] = set()
        # a person sizes a column with the mouse on the header (a drag of an edge, a
        # double-click on it); Qt resizes sections itself too (a stretch, a change of
        # resize mode), which says nothing of what a person wants
        self.pressed = False
        #: the columns are being fitted (``fit``): no resize meanwhile is a person's
        self.fitting = False
        view.horizontalHeader().viewport().installEventFilter(self)
        #: the widths the ``GIVES_WAY`` columns were fitted to (``give_way``)
        self.natural: dict[int, int] = {}
        #: the widths the ``FOLDS`` columns were fitted to on one line
        self.unfolded: dict[int, int] = {}
        #: a row's height on one line (the table's own)
        self.row_height = view.verticalHeader().defaultSectionSize()
        if _gives_way(view.model()) or _folds(view.model()):
            view.viewport().installEventFilter(self)  # a narrower table: again

    def fit(self, *_args) -> None:
        # (what it resizes, a person's drag under way, is not the person's)
        was, self.fitting = self.fitting, True
        try:
            fit_columns(self.view, keep=self.by_person)
        finally:
            self.fitting = was
        header = self.view.horizontalHeader()
        self.natural = {column: header.sectionSize(column)
                        for column in _gives_way(self.view.model())}
        if not getattr(_source(self.view.model()), "folded", False):
            # (one a person sized keeps the width its line was fitted to: theirs
            # says nothing of what one line needs)
            self.unfolded.update({column: header.sectionSize(column)
                                  for column in _folds(self.view.model())
                                  if column not in self.by_person})
        self.give_way()

    def _fold(self, room: int, wanted: int) -> bool:
        """Fold the ``FOLDS`` columns when the others would go past the table's edge
        with them on one line (``room`` less than ``wanted``, their widths folded as
        they are now; ``wanted``: what the ``GIVES_WAY`` columns keep at least before
        that), or unfold them when one line fits again; fitted again then (True).

        One a person sized keeps their width, and is folded when its text does not fit
        in it on one line, unfolded when it does: left out, a fingerprint sized while
        folded stayed on two lines, its rows twice as tall, however wide it was made
        or the table grew."""
        model = _source(self.view.model())
        header = self.view.horizontalHeader()
        shown = [c for c in _folds(model) if not header.isSectionHidden(c)]
        if not shown or not hasattr(model, "fold"):
            return False
        folds = [c for c in shown if c not in self.by_person]
        sized = [c for c in shown if c in self.by_person]
        folded = bool(getattr(model, "folded", False))
        if folded:  # the room there would be with them on one line
            room -= sum(self.unfolded.get(c, header.sectionSize(c)) - header.sectionSize(c)
                        for c in folds)
        fold = (bool(folds) and room < wanted) or any(
            header.sectionSize(c) < self.unfolded.get(c, 0) for c in sized)
        if fold == folded:
            return False
        model.fold(fold)
        lines = 2 if fold else 1
        self.view.verticalHeader().setDefaultSectionSize(
            self.row_height + (lines - 1) * self.view.fontMetrics().lineSpacing())
        self.fit()
        return True

    def give_way(self) -> None:
        """The ``GIVES_WAY`` columns (but those a person sized) as wide as they were
        fitted, or narrower, down to their headers' widths, when the others would
        otherwise go past the table's edge; the stretched column keeps its header's
        width. A key's fingerprint went out of sight at 1024 pixels beside a long
        office name, the name of who writes squeezed to "…"."""
        was, self.fitting = self.fitting, True  # (not the person's: see ``fit``)
        try:
            self._give_way()
        finally:
            self.fitting = was

    def _give_way(self) -> None:
        view, header = self.view, self.view.horizontalHeader()
        tiers = [[c for c in tier if c in self.natural and c not in self.by_person
                  and not header.isSectionHidden(c)] for tier in _tiers(view.model())]
        giving = [c for tier in tiers for c in tier]
        stretch = QHeaderView.ResizeMode.Stretch
        stretched = [c for c in range(header.count()) if header.sectionResizeMode(c) == stretch
                     and not header.isSectionHidden(c)]
        taken = sum(header.sectionSize(c) for c in range(header.count())
                    if c not in giving and c not in stretched and not header.isSectionHidden(c))
        room = (view.viewport().width() - taken
                - sum(header.sectionSizeHint(c) for c in stretched))
        # they give way first, down to a few words ("CI · Côte d…", not "CI · C…"),
        # then the FOLDS columns fold, then they give way down to their headers
        first, later = tiers[0], [c for tier in tiers[1:] for c in tier]
        if self._fold(room, sum(min(self.natural[c], max(
                header.sectionSizeHint(c), GIVES_WAY_CHARS * view.fontMetrics()
                .averageCharWidth())) for c in first)
                + sum(self.natural[c] for c in later)):  # (fitted again, this too)
            return
        # each tier in turn, the later ones at their widths while an earlier one can
        # give way; in a tier, what is missing shared in proportion to their widths
        for n, tier in enumerate(tiers):
            after = sum(self.natural[c] for later_tier in tiers[n + 1:] for c in later_tier)
            widths = _shared({c: self.natural[c] for c in tier},
                             {c: header.sectionSizeHint(c) for c in tier}, room - after)
            for column, width in widths.items():
                if header.sectionSize(column) != width:
                    header.resizeSection(column, width)
                room -= width

    def resized(self, column: int, _old: int, _new: int) -> None:
        header = self.view.horizontalHeader()
        if (self.pressed and not self.fitting
                and header.sectionResizeMode(column) == QHeaderView.ResizeMode.Interactive):
            self.by_person.add(column)
            if column in _folds(self.view.model()):  # on one line or two, as it fits
                self.give_way()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in _WATCHED:
            return False
        # the header's sections, where a person sizes a column; the table's body for
        # its size only (a click on a row sizes no column)
        on_header = watched is not self.view.viewport()
        if kind == QEvent.Type.Resize:
            if not on_header:
                self.give_way()
        elif on_header:
            self.pressed = kind != QEvent.Type.MouseButtonRelease
        return False


def fit_columns(view: QTableView, keep: Iterable[int] = ()) -> None:
    """Each column not stretched (nor in ``keep``: sized by a person) as wide as its
    header and the widest of its texts."""
    model = view.model()
    header = view.horizontalHeader()
    stretch = QHeaderView.ResizeMode.Stretch
    keep = set(keep)
    for column in range(model.columnCount()):
        if (header.sectionResizeMode(column) == stretch or header.isSectionHidden(column)
                or column in keep):
            continue
        width = header.sectionSizeHint(column)
        texts = [t for t in set(column_texts(model, column)) if t]
        if texts and model.rowCount() > 0:
            first = model.index(0, column)
            font = first.data(Qt.ItemDataRole.FontRole)
            measure = _TextWidth(font if isinstance(font, QFont) else view.font(),
                                 view.layoutDirection())
            widest = max(measure(t) for t in texts)
            # what the cell's delegate adds around its text (margins), and the grid
            around = view.sizeHintForIndex(first).width() - measure(first.data() or "")
            width = max(width, widest + around + (1 if view.showGrid() else 0))
            most = _chars_at_most(model, column)
            if most:  # a long text cut short (its tip is whole): the others need room
                cap = math.ceil(most * view.fontMetrics().averageCharWidth()) + around
                width = min(width, max(header.sectionSizeHint(column), cap))
        header.resizeSection(column, width)


def _shared(natural: dict[int, int], least: dict[int, int], have: int) -> dict[int, int]:
    """Columns' widths in ``have`` pixels: as ``natural`` where there is room, else
    what is missing shared in proportion to them, none narrower than its ``least``
    (nor, for that, wider than its natural width); those at their least leave the
    rest to the others, which share it again."""
    widths: dict[int, int] = {}
    left = dict(natural)
    while left:
        wanted = sum(left.values())
        if have >= wanted:
            widths.update(left)
            break
        floor = {c: min(least[c], w) for c, w in left.items()}
        at_least = [c for c, w in left.items() if w * have // wanted < floor[c]]
        if not at_least:
            widths.update({c: w * have // wanted for c, w in left.items()})
            break
        for column in at_least:
            widths[column] = floor[column]
            have -= floor[column]
            del left[column]
    return widths


def _gives_way(model) -> tuple[int, ...]:
    """The columns of ``model`` narrowed when the table is too narrow for all of them
    (the model's ``GIVES_WAY``, then its ``GIVES_WAY_NEXT``)."""
    return tuple(c for tier in _tiers(model) for c in tier)


def _tiers(model) -> tuple[tuple[int, ...], ...]:
    """The columns of ``model`` that give way, in the order they do: its
    ``GIVES_WAY`` first, its ``GIVES_WAY_NEXT`` only once those are at their headers'
    widths."""
    source = _source(model)
    return (tuple(getattr(source, "GIVES_WAY", ())), tuple(getattr(source, "GIVES_WAY_NEXT", ())))


def _source(model):
    """The model a proxy shows, or ``model``."""
    return model.sourceModel() if hasattr(model, "sourceModel") else model


def _folds(model) -> tuple[int, ...]:
    """The columns of ``model`` folded onto two lines in a narrow table (the model's
    ``FOLDS``)."""
    return tuple(getattr(_source(model), "FOLDS", ()))


def _chars_at_most(model, column: int) -> int | None:
    """The characters a column is as wide as at most (the model's ``CHARS_AT_MOST``),
    or None: as wide as its widest text."""
    source = model.sourceModel() if hasattr(model, "sourceModel") else model
    return getattr(source, "CHARS_AT_MOST", {}).get(column)


def column_texts(model, column: int) -> Iterable[str]:
    """The texts ``column`` of ``model`` must have room for: the model's
    ``width_texts`` when it has them, else every row's (of a filter: the rows it
    lets through)."""
    texts = getattr(model, "width_texts", None)
    if texts is not None:
        return texts(column)
    return (model.index(row, column).data() or "" for row in range(model.rowCount()))


class _TextWidth:
    """A text's width on one line, in whole pixels, as the style lays a cell's text
    out (QTextLayout, in the view's direction: bidirectional text measures a little
    wider than its characters' advances)."""

    def __init__(self, font: QFont, direction: Qt.LayoutDirection) -> None:
        self.font = font
        self.option = QTextOption()
        self.option.setTextDirection(direction)
        self.option.setWrapMode(QTextOption.WrapMode.ManualWrap)

    def __call__(self, text: str) -> int:
        layout = QTextLayout(text.replace("\n", "\u2028"), self.font)
        layout.setTextOption(self.option)
        layout.beginLayout()
        widest = 0.0
        while (line := layout.createLine()).isValid():
            line.setLineWidth(1e6)  # (lays the line out)
            widest = max(widest, line.naturalTextWidth())
        layout.endLayout()
        return math.ceil(widest)
