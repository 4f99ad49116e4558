"""Labelled paragraphs (an action's narratives in full) that split across pages with
widow and orphan control."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.platypus import Flowable

from fieldplan.reports.common import TextFlow

#: the fewest lines of a paragraph on either side of a page break
MIN_LINES = 2
#: the fewest lines of text after a page break (a label's are not counted): two fields
#: of a line each, alone on the last page of an office's annex, were a near-empty page
MIN_TAIL = 3


@dataclass(frozen=True)
class Part:
    """One block of a ``KeptLines``: flow, its text; label, whether it is the label of
    the paragraph under it (kept with at least MIN_LINES of it, never split)."""

    flow: TextFlow
    label: bool = False


class KeptLines(Flowable):
    """Labels and paragraphs laid out one under the other, split across pages as one
    text: a paragraph leaves at least MIN_LINES lines on each side of a page break (one
    of fewer than twice as many is not split), a label stays with the first lines of
    its paragraph, and what goes on after the break holds at least MIN_TAIL lines of
    text. A field that did not fit at the foot of a page went over alone, and an
    office's annex ended with a page holding one line of it before the next office."""

    def __init__(self, parts: Sequence[Part]) -> None:
        super().__init__()
        self.parts = tuple(parts)

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self.width = aw
        self.height = sum(p.flow.wrap(aw, ah)[1] for p in self.parts)
        return aw, self.height

    def _breaks(self, aw: float):
        """Every allowed break: (height of what goes before it, part, lines of the part
        before it), from the top down."""
        self.wrap(aw, 1e9)
        lines = [len(p.flow._layout(aw)) for p in self.parts]
        text = sum(n for p, n in zip(self.parts, lines, strict=True) if not p.label)
        above, text_above = 0.0, 0
        for i, (p, n) in enumerate(zip(self.parts, lines, strict=True)):
            before = self.parts[i - 1] if i else None
            if before is not None and not before.label and text - text_above >= MIN_TAIL:
                # the space after the part above goes with the break
                yield above - before.flow.space_after, i, 0
            if not p.label:
                lead = p.flow.style.leading
                for j in range(MIN_LINES, n - MIN_LINES + 1):
                    if text - text_above - j >= MIN_TAIL:
                        yield above + j * lead, i, j
                text_above += n
            above += p.flow.height

    def least_height(self, aw: float) -> float:
        """How much of a page's foot its first part needs: down to its first allowed
        break, or all of it (``RoomFor`` keeps the heading above with it)."""
        for height, _i, _j in self._breaks(aw):
            return height
        return self.height - self.parts[-1].flow.space_after

    def split(self, aw: float, ah: float) -> list[Flowable]:
        self.wrap(aw, ah)
        last = self.parts[-1]
        fits = self.height - last.flow.space_after  # all but the space after
        if fits <= ah + 0.01:
            end = Part(last.flow._part(last.flow._layout(aw), 0.0), last.label)
            return [KeptLines([*self.parts[:-1], end])]
        best = None
        for height, i, j in self._breaks(aw):
            if height > ah + 0.01:
                break
            keep_space = False
            if j == 0:
                space = self.parts[i - 1].flow.space_after
                if fits - space <= ah + 0.01:
                    # without the space above the break, what goes below it would fit
                    # on this page too and follow there with no space between the
                    # fields: the break keeps the space, where it fits
                    if height + space > ah + 0.01:
                        continue
                    keep_space = True
            best = (i, j, keep_space)
        if best is None:
            frame = self._doctemplateAttr("frame")
            if frame is None or not getattr(frame, "_atTop", 0):
                return []  # all of it on the next page
            return self._plain_split(aw, ah)  # taller than a page: as it comes
        return self._cut(aw, *best)

    def _cut(self, aw: float, i: int, j: int, keep_space: bool = False) -> list[Flowable]:
        """The parts before and after a break (see ``_breaks``); at a break between
        parts, the space after the part above it is dropped unless ``keep_space``."""
        parts = list(self.parts)
        if j == 0:
            p = parts[i - 1]
            space = p.flow.space_after if keep_space else 0.0
            head = [*parts[:i - 1], Part(p.flow._part(p.flow._layout(aw), space), p.label)]
            tail = parts[i:]
        else:
            p = parts[i]
            lines = p.flow._layout(aw)
            rest = p.flow._part(lines[j:], p.flow.space_after)
            rest._split_rest = True
            head = [*parts[:i], Part(p.flow._part(lines[:j], 0.0))]
            tail = [Part(rest), *parts[i + 1:]]
        return [KeptLines(head), KeptLines(tail)]

    def _plain_split(self, aw: float, ah: float) -> list[Flowable]:
        """The most lines that fit, whatever is left on either side."""
        self.wrap(aw, ah)
        above = 0.0
        for i, p in enumerate(self.parts):
            if above + p.flow.height > ah + 0.01:
                n = int((ah - above + 0.01) // p.flow.style.leading)
                if n >= len(p.flow._layout(aw)):  # the lines fit, the space after not
                    return self._cut(aw, i + 1, 0) if i + 1 < len(self.parts) else [self]
                if n > 0 and not p.label:
                    return self._cut(aw, i, n)
                return self._cut(aw, i, 0) if i else []
            above += p.flow.height
        return [self]

    def draw(self) -> None:
        y = self.height
        for p in self.parts:
            y -= p.flow.height
            p.flow.drawOn(self.canv, 0, y)
