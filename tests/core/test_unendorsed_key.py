"""A key headquarters does not know, in a bundle that names a registered computer's
replica id (any bundle's manifest shows it) and carries no rotation signed by that
computer's key. It waits in quarantine as a computer's key whose endorsement was lost
(test_sync.test_enrolment_token_registers_a_first_key_only), and the question asks
only to check its fingerprint. Trusted, it writes into that laptop's history at
headquarters: the forged event stands as the laptop's own, the laptop's next bundle
is refused as a forked history, and the laptop, told its database went back, goes on
as another replica. Whether such a key may be trusted at all is a design decision:
a strict xfail until it is made."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_review_security3 import bundle, expire_tokens, next_of
from test_sync import national, registered, send

from fieldplan import minisign, progress
from fieldplan.sync import import_bundle, trust_key


@pytest.mark.xfail(strict=True, reason="a trusted key may replace a registered "
                   "computer's key without its rotation: a design decision")
def test_a_trusted_key_does_not_write_into_a_registered_computers_history(
        hq, make_office, tmp_path: Path) -> None:
    a = registered(make_office("ML", "ml-a"), hq, tmp_path)
    b = registered(make_office("ML", "ml-b"), hq, tmp_path)
    send(hq, a, tmp_path)  # A holds B's events, as every ML laptop does
    expire_tokens(hq)
    key = minisign.generate_key()
    forged = next_of(a.conn, b.replica_id, "ML", national(a))
    path = bundle(tmp_path / "impostor.fieldplan", a.plan_id, sender=b.replica_id,
                  office="ML", signer=key, lines=[forged])
    outcome = import_bundle(hq, path)
    if outcome.outcome == "quarantined":
        trust_key(hq, key.public.fingerprint)  # "yes" on the phone
    # B's real next change still goes in, and B stays the computer it was
    progress.record_progress(b, national(b, 1), "2026-S1", percent=40)
    assert send(b, hq, tmp_path)[1].outcome == "merged"
    _, back = send(hq, b, tmp_path)
    assert back.outcome == "merged" and "written again" not in back.line(), back.line()
