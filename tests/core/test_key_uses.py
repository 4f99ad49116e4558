"""What tells an office's computers apart beside their ids (``keys.key_uses``): who
writes on each, when its last bundle was merged, when its key was registered."""

from __future__ import annotations

from pathlib import Path

from fieldplan import events, progress
from fieldplan.sync import export_bundle, import_bundle, list_inbox
from fieldplan.sync.keys import KeyUse, key_uses


def test_each_key_says_who_writes_on_its_computer_and_when_it_last_sent(
        hq, make_office, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("FIELDPLAN_AUTHOR", "amina")
    first = make_office("ML")
    monkeypatch.setenv("FIELDPLAN_AUTHOR", "bakary")
    second = make_office("ML")
    code = first.plan().actions_of(level="national")[0].code

    def send(laptop, author: str, status: str) -> str:
        monkeypatch.setenv("FIELDPLAN_AUTHOR", author)
        progress.record_progress(laptop, code, "2026-S1", status=status)
        monkeypatch.setenv("FIELDPLAN_AUTHOR", "hq.officer")
        assert import_bundle(hq, export_bundle(laptop, out_dir=tmp_path).path).outcome \
            == "merged"
        return list_inbox(hq)[0].received_at

    first_sent = send(first, "amina", "on-track")
    send(second, "bakary", "on-track")
    last = send(second, "moussa", "at-risk")  # another person on the second laptop
    # a bundle that merged nothing new is not the computer's last bundle
    (tmp_path / "again").mkdir()
    assert import_bundle(hq, export_bundle(first, out_dir=tmp_path / "again").path) \
        .outcome == "duplicate"
    uses = key_uses(hq)
    one, two = first.meta("key_id"), second.meta("key_id")
    first_key_event = hq.conn.execute(
        "SELECT min(hlc) FROM events WHERE entity = 'key' AND entity_id = ?", (two,)
    ).fetchone()[0]
    assert uses[two] == KeyUse("moussa", last, events.hlc_to_iso(first_key_event))
    assert (uses[one].author, uses[one].last_bundle) == ("amina", first_sent)
    # headquarters' own key: its own events; no bundle of its own comes in
    own = uses[hq.meta("key_id")]
    assert own.author == "hq.officer" and own.last_bundle == "" and own.registered
