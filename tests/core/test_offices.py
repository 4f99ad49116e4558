"""Offices: the 57 OIC members, regional offices, HQ, names and working languages."""

from __future__ import annotations

import re

import pytest

from fieldplan.errors import ValidationError
from fieldplan.offices import (
    HQ,
    OIC_MEMBERS,
    REGION_OF,
    REGIONAL_OFFICES,
    all_offices,
    check_office,
    countries_of,
    level_for_office,
    office_kind,
    office_name,
    working_language,
)

EXPECTED = {
    "AF", "AL", "DZ", "AZ", "BH", "BD", "BJ", "BN", "BF", "CM", "TD", "KM", "CI", "DJ", "EG",
    "GA", "GM", "GN", "GW", "GY", "ID", "IR", "IQ", "JO", "KZ", "KW", "KG", "LB", "LY", "MY",
    "MV", "ML", "MR", "MA", "MZ", "NE", "NG", "OM", "PK", "PS", "QA", "SA", "SN", "SL", "SO",
    "SD", "SR", "SY", "TJ", "TG", "TN", "TR", "TM", "UG", "AE", "UZ", "YE",
}  # fmt: skip
ARABIC_LETTER = re.compile(r"[\u0600-\u06FF]")


def test_exactly_the_57_members():
    assert len(OIC_MEMBERS) == 57
    assert len(set(OIC_MEMBERS)) == 57
    assert set(OIC_MEMBERS) == EXPECTED


def test_every_member_has_a_regional_office():
    assert set(REGION_OF) == EXPECTED
    assert set(REGION_OF.values()) <= set(REGIONAL_OFFICES)
    assert REGION_OF["SN"] == "RO-Dakar" and REGION_OF["EG"] == "RO-Cairo"
    assert REGION_OF["TR"] == "RO-Vienna" and REGION_OF["ID"] == "RO-Bangkok"
    assert sorted(set().union(*(countries_of(ro) for ro in REGIONAL_OFFICES))) == sorted(EXPECTED)


def test_kinds_and_levels():
    assert office_kind("SN") == "country" and level_for_office("SN") == "national"
    assert office_kind("RO-Cairo") == "regional" and level_for_office("RO-Cairo") == "regional"
    assert office_kind("HQ") == "hq" and level_for_office("HQ") == "global"


def test_codes_are_normalised():
    assert check_office(" sn ") == "SN"
    assert check_office("ro-dakar") == "RO-Dakar"
    assert check_office("hq") == HQ


@pytest.mark.parametrize("code", ["XX", "FR", "RO", "", "S N"])
def test_unknown_office(code):
    with pytest.raises(ValidationError) as err:
        check_office(code)
    assert str(err.value) == (
        f"unknown office '{code}': use an OIC member's ISO code, RO-<name> or HQ"
    )
    with pytest.raises(ValidationError):
        level_for_office(code)


@pytest.mark.parametrize("code", ["RO-Istanbul", "ro-paris", "RO-"])
def test_unknown_regional_office_names_those_there_are(code):
    """"RO-Istanbul" was told to "use … RO-<name>", which it had: the error says which
    regional offices there are."""
    with pytest.raises(ValidationError) as err:
        check_office(code)
    assert str(err.value) == (
        f"unknown regional office '{code}': the regional offices are RO-Bangkok, RO-Cairo, "
        "RO-Dakar, RO-Nairobi, RO-Panama, RO-Pretoria, RO-Vienna"
    )


def test_all_offices():
    offices = all_offices()
    assert offices[0] == HQ
    assert len(offices) == 1 + len(REGIONAL_OFFICES) + 57
    assert len(set(offices)) == len(offices)


def test_names_in_three_languages():
    assert office_name("SN", "en") == "Senegal"
    assert office_name("SN", "fr") == "Sénégal"
    assert ARABIC_LETTER.search(office_name("SN", "ar"))
    assert office_name("RO-Cairo", "fr") == "Bureau régional, Le Caire"
    assert office_name("RO-Cairo", "ar") == "المكتب الإقليمي، القاهرة"
    assert office_name("HQ", "fr") == "Siège" and office_name("HQ", "ar") == "المقر الرئيسي"
    assert office_name("PS", "en") == "State of Palestine"
    assert office_name("SN", "de") == "Senegal"  # unsupported language: English


def test_every_office_has_a_name_in_each_language():
    for office in all_offices():
        en, fr, ar = (office_name(office, lang) for lang in ("en", "fr", "ar"))
        assert en and fr and ar
        assert ARABIC_LETTER.search(ar), office
        assert not ARABIC_LETTER.search(en + fr), office


def test_working_language():
    assert working_language("EG") == "ar" and working_language("MA") == "ar"
    assert working_language("SN") == "fr" and working_language("DJ") == "fr"
    assert working_language("ID") == "en" and working_language("SO") == "en"
    assert working_language("RO-Cairo") == "ar" and working_language("RO-Dakar") == "fr"
    assert working_language("HQ") == "en"
    assert {working_language(c) for c in OIC_MEMBERS} == {"en", "fr", "ar"}
