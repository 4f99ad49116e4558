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
