"""The HQ Inbox's Reason cell is written once for the language shown, not at each
paint: the table asks for every row in sight again at each paint (36 rows a step of a
scroll through 1,000 bundles), and each time the reason was made again from the
record its import kept (its JSON read, its messages translated and joined)."""

from __future__ import annotations

import json

from fieldplan.sync import exchange
from fieldplan.sync.exchange import COMPUTER_REGISTERED_NEWS, InboxEntry
from ui.bidi import isolated_codes
from ui.models import InboxModel, inbox_reason


def _entry(office: str, n: int) -> InboxEntry:
    record = {"kind": "clauses", "joined": [
        {"msg": {"id": COMPUTER_REGISTERED_NEWS, "kw": {"office": office}}}]}
    return InboxEntry(f"{office}-{n}.fieldplan", office, f"2026-07-0{n}T10:00:00+00:00",
                      "merged", "the key of a new computer is now registered", 5, 5,
                      f"bundle-{office}-{n}", reason_msg=json.dumps(record), inbox_id=n)


def _counting(monkeypatch) -> dict[str, int]:
    calls = {"made": 0}
    made = exchange._reason_in

    def counted(*args, **kwargs):
        calls["made"] += 1
        return made(*args, **kwargs)

    monkeypatch.setattr(exchange, "_reason_in", counted)
    return calls


def test_a_rows_reason_is_written_once_for_all_its_paints(qapp, monkeypatch):
    model = InboxModel()
    model.set_rows([_entry("ML", 1), _entry("SN", 2)])
    calls = _counting(monkeypatch)
    cells = [model.index(row, model.REASON) for row in range(2)]
    for _paint in range(5):
        shown = [cell.data() for cell in cells]
    assert shown == ["a new computer's key is now registered"] * 2
    assert calls["made"] == 2  # (one a row: 10 before)
    # rows listed again (a refresh): written again, from the new rows
    model.set_rows([_entry("BF", 3)])
    assert model.index(0, model.REASON).data() == "a new computer's key is now registered"
    assert calls["made"] == 3


def test_the_reason_written_follows_the_language_and_direction(qapp, language):
    entry = _entry("ML", 1)
    model = InboxModel()
    model.set_rows([entry])
    cell = model.index(0, model.REASON)
    english = cell.data()
    seen = {}
    for code in ("fr", "ar", "en"):
        language(code)
        seen[code] = cell.data()
        # as written anew in that language and direction (isolates in Arabic)
        assert seen[code] == isolated_codes(inbox_reason(entry, short=True)), code
    assert seen["en"] == english
    assert len({seen["fr"], seen["ar"], english}) == 3
    # the tooltip and the detail say it whole, as before
    assert model.whole_reason(entry) == isolated_codes(inbox_reason(entry))
