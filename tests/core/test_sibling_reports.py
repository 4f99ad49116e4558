"""Two laptops set up from one setup bundle: the one that exports first has its
reports at headquarters, and headquarters' bundle for the office does not carry them
to the other laptop until headquarters has a bundle from it (before, headquarters
does not know that computer is there). The other laptop is told, from headquarters'
receipts in the bundle it imported, instead of saying it lacks nothing."""

from __future__ import annotations

from pathlib import Path

from fieldplan.progress import digest
from fieldplan.status import hq_only_text, replica_status
from fieldplan.sync import import_bundle
from fieldplan.sync.state import sync_state
from tests.scenes import second_laptop_behind, send
from ui.main_window import sync_text


def test_a_laptop_is_told_of_its_siblings_reports_until_they_arrive(hq, tmp_path: Path) -> None:
    one, two, hq_bundle, written = second_laptop_behind(hq, tmp_path)
    try:
        state = sync_state(two)
        assert state.hq_only == ({"origin": one.replica_id, "office": "ML", "first": 1,
                                  "last": written},)
        assert state.hq_only_count == written
        assert state.to_dict()["hq_only"] == [dict(state.hq_only[0])]
        assert state.gaps == ()  # not a hole: headquarters sends them once it can
        lines = dict(replica_status(two).lines("en"))
        assert lines["Not here yet"] == hq_only_text(written)
        assert (f"headquarters holds {written} changes from this office's other computers "
                "that this computer has not received yet") in lines["Not here yet"]
        assert (f"{written} changes of this office's other computers are not here yet"
                in sync_text(state))
        # the laptop that wrote them is told nothing of the sort
        import_bundle(one, hq_bundle)
        assert sync_state(one).hq_only == ()
        assert "Not here yet" not in dict(replica_status(one).lines("en"))

        # the other laptop exports; headquarters' next bundle brings them
        send(two, hq, tmp_path)
        assert send(hq, two, tmp_path)[1].outcome == "merged"
        assert sync_state(two).hq_only == ()
        assert "Not here yet" not in dict(replica_status(two).lines("en"))
        assert digest(two, "ML") == digest(one, "ML") == digest(hq, "ML")
    finally:
        one.close()
        two.close()


def test_nothing_is_said_before_headquarters_bundle(hq, make_office) -> None:
    # a new laptop has no receipts of headquarters to go by
    office = make_office("ML")
    assert sync_state(office).hq_only == ()
