"""An office importing headquarters' stick or folder whole (the bundles `export
--all-offices` wrote for every office): each other office's bundle is refused, as one
sent to the wrong office is, but said "ask headquarters for the bundle for ML" while
ML's own was right beside it and imported in the same lot. In a lot that holds the
office's own bundle from headquarters, the others now say only whose they are and
where they go; alone, one still asks for the office's own."""

from __future__ import annotations

from pathlib import Path

from fieldplan.cli import main
from fieldplan.sync import export_bundle, import_bundle, import_bundles, list_inbox

FOR_SN = "bundle is addressed to SN, not to ML: headquarters wrote it for SN; send it there"
ASK = FOR_SN + ", and ask headquarters for the bundle for ML"


def hq_stick(hq, make_office, tmp_path: Path) -> tuple:
    """ML (a computer set up) and SN enrolled; headquarters' bundle for each on one
    stick."""
    ml = make_office("ML")
    make_office("SN")
    stick = tmp_path / "stick"
    stick.mkdir()
    for_ml = export_bundle(hq, for_office="ML", out_dir=stick).path
    for_sn = export_bundle(hq, for_office="SN", out_dir=stick).path
    return ml, for_ml, for_sn


def test_the_other_offices_bundles_beside_its_own_ask_for_nothing(
        hq, make_office, tmp_path: Path) -> None:
    ml, for_ml, for_sn = hq_stick(hq, make_office, tmp_path)
    out = import_bundles(ml, [for_sn, for_ml])  # (theirs first: said whatever the order)
    assert [(o.outcome, o.reason) for o in out] == [("rejected", FOR_SN), ("merged", "")]
    # the inbox (the client's Inbox, the status) says it so too, in every language
    inbox = {e.file: e for e in list_inbox(ml)}
    assert inbox[for_sn.name].reason_text("en") == FOR_SN
    assert inbox[for_sn.name].reason_text("fr").endswith("le Siège l’a écrit pour SN\u202f; "
                                                          "envoyez-le-lui")
    # alone (emailed to the wrong office), it still asks for the office's own
    assert import_bundle(ml, for_sn).reason == ASK
    # and a lot without the office's own (nothing of headquarters for it) asks too
    assert [o.reason for o in import_bundles(ml, [for_sn])] == [ASK]


def test_the_command_line_importing_the_stick_whole(hq, make_office, tmp_path: Path,
                                                    capsys) -> None:
    ml, _for_ml, for_sn = hq_stick(hq, make_office, tmp_path)
    path = ml.path
    ml.close()
    try:
        code = main(["--db", str(path), "import", str(for_sn.parent)])
    except SystemExit as exit_:
        code = exit_.code
    out = capsys.readouterr().out
    assert f"{for_sn.name}: rejected: {FOR_SN}\n" in out
    assert "ask headquarters" not in out and "merged" in out
    assert code == 1  # (still refused: a file not for this office)
