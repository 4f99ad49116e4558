"""``keys list`` lists the keys as the client's Keys page does: headquarters, the
regional offices, then the countries by their names in the language read (the Keys
page's ``office_order``). By code, TD (Chad) came after NG (Nigeria), the regional
offices' keys stood among the countries', and headquarters' between GY and ID."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fieldplan.cli import main
from fieldplan.sync import export_bundle, import_bundle
from tests.scenes import closed

#: Chad (TD) before Nigeria (NG) in English and in Arabic ("تشاد" before "نيجيريا"),
#: after it in French ("Nigéria" before "Tchad")
EXPECTED = {"en": ["HQ", "RO-Cairo", "TD", "NG"], "fr": ["HQ", "RO-Cairo", "NG", "TD"],
            "ar": ["HQ", "RO-Cairo", "TD", "NG"]}


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_keys_list_as_the_keys_page_lists_them(hq, make_office, tmp_path: Path, lang: str,
                                               capsys) -> None:
    out = tmp_path / "out"
    out.mkdir()
    for office in ("NG", "TD", "RO-Cairo"):
        import_bundle(hq, export_bundle(make_office(office), out_dir=out).path)
    path = closed(hq)
    capsys.readouterr()
    assert main(["--db", str(path), "--lang", lang, "--json", "keys", "list"]) == 0
    offices = [k["office"] for k in json.loads(capsys.readouterr().out)["keys"]]
    assert list(dict.fromkeys(offices)) == EXPECTED[lang]


@pytest.mark.parametrize(("lang", "order"), [("en", ["DZ", "TD", "EG"]),
                                             ("fr", ["DZ", "EG", "TD"])])
def test_keys_list_quarantine_as_the_quarantine_page_lists_it(hq, make_office,
                                                              tmp_path: Path, lang: str,
                                                              order: list, capsys) -> None:
    """The bundles waiting in quarantine, as the client's Quarantine page lists them
    (``in_quarantine_order``): by office, by its name in the language read, then as
    they came. 'keys list' gave them as they came (TD, EG, DZ): the office on the
    phone was searched for down the whole list, in another order than the page's."""
    from fieldplan import progress, store, sync

    for code in ("TD", "EG", "DZ"):
        rep = make_office(code)
        with store.write_transaction(rep.conn):  # (a key with no proof: quarantined)
            rep.conn.execute("DELETE FROM meta WHERE key = 'enrolment'")
        progress.record_progress(rep, rep.plan().actions_of(level="national")[0].code,
                                 "2026-S1", status="on-track")
        path = sync.export_bundle(rep, out_dir=tmp_path).path
        assert import_bundle(hq, path).outcome == "quarantined"
    path = closed(hq)
    capsys.readouterr()
    assert main(["--db", str(path), "--lang", lang, "--json", "keys", "list"]) == 0
    assert [q["office"] for q in json.loads(capsys.readouterr().out)["quarantine"]] == order
    assert main(["--db", str(path), "--lang", lang, "keys", "list"]) == 0
    out = capsys.readouterr().out.splitlines()
    start = out.index("Waiting in quarantine:") + 2 if lang == "en" else -4
    table = out[start:start + 3]  # (its title, its heads, then a line a bundle)
    assert [line.split()[1] for line in table] == order, out
