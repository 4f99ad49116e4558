"""A status sheet prints whatever number of computers wrote its office's data. Each
laptop, and each database restored from a backup, is a replica the QR code lists;
with some fifty of them the code could not hold its text and the sheet, and with it
the whole review pack, failed to print ("code length overflow")."""

from __future__ import annotations

import json
import uuid

import pytest

from fieldplan import progress
from fieldplan.reports import build_status_sheet
from fieldplan.reports import common as cm

PERIOD = "2026-S1"


def _many(n: int) -> dict[str, int]:
    return {str(uuid.UUID(int=(i + 1) * 0x1234_5678_9ABC_DEF0_1357_9BDF)): 1_000_000 + i
            for i in range(n)}


def test_few_computers_are_listed_whole() -> None:
    replicas = _many(3)
    data = json.loads(cm.qr_payload("ML", PERIOD, "a" * 64, replicas))
    assert data["replicas"] == replicas and "more" not in data


@pytest.mark.parametrize("n", [60, 400])
def test_many_computers_fit_in_the_code(n: int) -> None:
    replicas = _many(n)
    text = cm.qr_payload("ML", PERIOD, "a" * 64, replicas)
    assert len(text.encode("utf-8")) <= cm.QR_MAX_BYTES
    data = json.loads(text)
    assert (data["office"], data["period"], data["digest"]) == ("ML", PERIOD, "a" * 64)
    # each listed by its id's first characters, as its bundles' names give it; those
    # that do not fit counted
    assert all(replicas[next(r for r in replicas if r.startswith(k))] == seq
               for k, seq in data["replicas"].items())
    assert len(data["replicas"]) + data.get("more", 0) == n
    footer = cm.Footer("ML", "a" * 64, text)

    class Canvas:  # what draw_qr asks of a canvas
        def __getattr__(self, name):
            return lambda *a, **k: self

    footer.draw_qr(Canvas(), cm.QR_SIZE)  # encodes: no "code length overflow"
    assert footer.modules


def test_a_sheet_of_an_office_of_many_computers_prints(hq, make_office, tmp_path,
                                                       monkeypatch) -> None:
    ml = make_office("ML")
    code = ml.plan().actions_of(level="national")[0].code
    progress.record_progress(ml, code, PERIOD, status="on-track", percent=10)
    monkeypatch.setattr(cm, "office_replicas", lambda rep, office: _many(60))
    out = build_status_sheet(ml, PERIOD, out=tmp_path / "sheet.pdf")
    assert out.read_bytes().startswith(b"%PDF")


def test_the_limit_is_what_the_encoder_takes() -> None:
    from reportlab.graphics.barcode import qrencoder

    qr = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    qr.addData("a" * cm.QR_MAX_BYTES)
    qr.make()  # no "code length overflow"
    assert qr.modules
