"""Offices: the 57 OIC member states' country offices, IOM regional offices, and HQ.

Codes:

- a country office is the ISO 3166-1 alpha-2 code of an OIC member state (``SN``);
- a regional office is ``RO-<City>``, modelled on the IOM regional offices whose
  regions hold OIC members (Bangkok, Cairo, Dakar, Nairobi, Panama for the Americas,
  Pretoria, Vienna). Which office covers which country follows IOM's regions, but it
  is the app's own grouping for regional actions and reviews, not an official list;
- headquarters is ``HQ``.

National actions apply to country offices, regional actions to regional offices,
global actions to HQ. Country names come from babel (CLDR) in the user's language,
except Palestine, named as the OIC names its member ("State of Palestine").
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from babel import Locale

from fieldplan.errors import ValidationError
from fieldplan.i18n import _, join_list
from fieldplan.text import for_message, search_key

#: The 57 member states of the Organisation of Islamic Cooperation (ISO 3166-1 alpha-2).
OIC_MEMBERS: tuple[str, ...] = (
    "AF", "AL", "DZ", "AZ", "BH", "BD", "BJ", "BN", "BF", "CM", "TD", "KM", "CI", "DJ",
    "EG", "GA", "GM", "GN", "GW", "GY", "ID", "IR", "IQ", "JO", "KZ", "KW", "KG", "LB",
    "LY", "MY", "MV", "ML", "MR", "MA", "MZ", "NE", "NG", "OM", "PK", "PS", "QA", "SA",
    "SN", "SL", "SO", "SD", "SR", "SY", "TJ", "TG", "TN", "TR", "TM", "UG", "AE", "UZ",
    "YE",
)  # fmt: skip

#: Headquarters.
HQ = "HQ"

#: Regional offices: code → (English, French, Arabic) name.
REGIONAL_OFFICES: dict[str, tuple[str, str, str]] = {
    "RO-Bangkok": ("Regional Office, Bangkok", "Bureau régional, Bangkok",
                   "المكتب الإقليمي، بانكوك"),
    "RO-Cairo": ("Regional Office, Cairo", "Bureau régional, Le Caire",
                 "المكتب الإقليمي، القاهرة"),
    "RO-Dakar": ("Regional Office, Dakar", "Bureau régional, Dakar",
                 "المكتب الإقليمي، داكار"),
    "RO-Nairobi": ("Regional Office, Nairobi", "Bureau régional, Nairobi",
                   "المكتب الإقليمي، نيروبي"),
    "RO-Panama": ("Regional Office, Panama", "Bureau régional, Panama",
                  "المكتب الإقليمي، بنما"),
    "RO-Pretoria": ("Regional Office, Pretoria", "Bureau régional, Pretoria",
                    "المكتب الإقليمي، بريتوريا"),
    "RO-Vienna": ("Regional Office, Vienna", "Bureau régional, Vienne",
                  "المكتب الإقليمي، فيينا"),
}  # fmt: skip

_HQ_NAMES = ("Headquarters", "Siège", "المقر الرئيسي")

#: Names that replace CLDR's for OIC members, as (English, French, Arabic).
_NAME_OVERRIDES: dict[str, tuple[str, str, str]] = {
    "PS": ("State of Palestine", "État de Palestine", "دولة فلسطين"),
}

_MEMBERS_OF: dict[str, tuple[str, ...]] = {
    # Middle East and North Africa
    "RO-Cairo": ("DZ", "BH", "EG", "IQ", "JO", "KW", "LB", "LY", "MA", "OM", "PS", "QA",
                 "SA", "SD", "SY", "TN", "AE", "YE"),
    # West and Central Africa
    "RO-Dakar": ("BJ", "BF", "CM", "TD", "CI", "GA", "GM", "GN", "GW", "ML", "MR", "NE",
                 "NG", "SN", "SL", "TG"),
    # East and Horn of Africa
    "RO-Nairobi": ("DJ", "SO", "UG"),
    # Southern Africa (with the Indian Ocean islands)
    "RO-Pretoria": ("KM", "MZ"),
    # Asia and the Pacific
    "RO-Bangkok": ("AF", "BD", "BN", "ID", "IR", "MY", "MV", "PK"),
    # South-Eastern Europe, Eastern Europe and Central Asia
    "RO-Vienna": ("AL", "AZ", "KZ", "KG", "TJ", "TR", "TM", "UZ"),
    # The Americas
    "RO-Panama": ("GY", "SR"),
}  # fmt: skip

#: Country code → the regional office that covers it (all 57 members).
REGION_OF: dict[str, str] = {
    country: office for office, countries in _MEMBERS_OF.items() for country in countries
}

# Working languages. Arabic for Arab League members, the Maghreb and Mauritania
# included (French is common there too); French for francophone members, Djibouti and
# the Comoros included; English elsewhere: Somalia, and Portuguese-speaking GW and MZ
# (the app has no Portuguese).
_ARABIC = frozenset(
    ("DZ", "BH", "EG", "IQ", "JO", "KW", "LB", "LY", "MR", "MA", "OM", "PS", "QA", "SA",
     "SD", "SY", "TN", "AE", "YE")
)  # fmt: skip
_FRENCH = frozenset(("BJ", "BF", "CM", "TD", "CI", "DJ", "GA", "GN", "KM", "ML", "NE", "SN", "TG"))

_LANGS = ("en", "fr", "ar")


def check_office(code: str) -> str:
    """The canonical form of an office code (``sn`` → ``SN``, ``ro-cairo`` →
    ``RO-Cairo``, ``hq`` → ``HQ``); ValidationError if no such office."""
    cleaned = str(code).strip()
    upper = cleaned.upper()
    if upper == HQ:
        return HQ
    if upper in _MEMBER_SET:
        return upper
    for office in REGIONAL_OFFICES:
        if office.upper() == upper:
            return office
    # (the code may come from a file: quoted on one line, however long)
    if upper.startswith("RO-"):  # the form is right: the city is not one of ours
        raise ValidationError(
            _("unknown regional office '{code}': the regional offices are {offices}").format(
                code=for_message(str(code)), offices=join_list(REGIONAL_OFFICES)))
    raise ValidationError(
        _("unknown office '{code}': use an OIC member's ISO code, RO-<name> or HQ").format(
            code=for_message(str(code))))


def office_kind(code: str) -> str:
    """``"country"``, ``"regional"`` or ``"hq"``."""
    office = check_office(code)
    if office == HQ:
        return "hq"
    return "regional" if office in REGIONAL_OFFICES else "country"


def level_for_office(code: str) -> str:
    """The action level an office reports on: ``"national"`` for a country office,
    ``"regional"`` for a regional office, ``"global"`` for HQ."""
    return {"country": "national", "regional": "regional", "hq": "global"}[office_kind(code)]


def all_offices() -> tuple[str, ...]:
    """Every office: HQ, then the regional offices, then the 57 members (each group
    sorted by code)."""
    return (HQ, *sorted(REGIONAL_OFFICES), *sorted(OIC_MEMBERS))


def office_order(code: str, lang: str = "en") -> tuple:
    """A sort key that lists offices as a reader of ``lang`` expects them: headquarters,
    then the regional offices, then the countries, each by its name in ``lang``, case,
    accents and Arabic vowel and hamza marks aside (text.search_key: "Égypte" among
    the E, "الأردن" beside "الإمارات"). No collation library: close enough for
    the offices' names. An unknown code comes last, by its code.

    Headquarters first is the order of the computers and their keys (``keys list``,
    the Keys page, the gaps ``status`` lists): the keys every other one is trusted
    by. What lists the offices' reports and data puts headquarters last, apart
    (``office_ranks``)."""
    try:
        kind = office_kind(code)
    except ValidationError:
        return (3, "", str(code))
    name = office_name(code, lang)
    return (("hq", "regional", "country").index(kind), search_key(name), name, code)


def offices_in_order(codes: Iterable[str], lang: str = "en") -> list[str]:
    """``codes`` in ``office_order``."""
    return sorted(codes, key=lambda code: office_order(code, lang))


def office_ranks(offices: Iterable[str], language: str) -> dict[str, int]:
    """Each of ``offices`` -> its place in the review pack's order in ``language``
    (``offices_in_order``: the regional offices, then the countries by their names, a
    code this version does not know after them), headquarters last, apart: it is no
    office that reports to itself. The order of every list of the offices' reports and
    their data: the pack's matrix, annex and tables (late, quarantined, conflicting
    data), the Overview, the Reports page, the Quarantine and Conflicts pages,
    ``progress list``, ``conflicts list`` and ``data export``."""
    return {office: i for i, office in enumerate(offices_hq_last({*offices, HQ}, language))}


def offices_hq_last(codes: Iterable[str], lang: str = "en") -> list[str]:
    """``codes`` as lists of the offices' reports give them (``office_ranks``): in
    ``office_order``, headquarters (if among them) last."""
    ordered = offices_in_order(codes, lang)
    return [*(o for o in ordered if o != HQ), *(o for o in ordered if o == HQ)]


def in_keys_order(keys: Iterable[Any], lang: str) -> list[Any]:
    """``keys`` (each with ``office``, ``status``, ``key_id``) as the Keys page and
    ``keys list`` list them, in the computers' order (``office_order``: headquarters,
    whose keys the others are trusted by, then the regional offices, then the
    countries by their names in ``lang``), then by status and key id. By code, the
    regional offices' keys stood among the countries' (NG, RO-Cairo, RO-Dakar, TD)."""
    return sorted(keys, key=lambda k: (office_order(k.office, lang), k.status, k.key_id))


def in_quarantine_order(items: Iterable[Any], language: str) -> list[Any]:
    """Bundles waiting in quarantine as a person looks for one (the office on the
    phone): by office in the review pack's order in ``language``, as the Reports page
    lists them, then as they came (the database gave them as they came, those of one
    import by their ids: MV, MZ, MA). The Quarantine page and 'keys list' list them so."""
    items = list(items)
    rank = office_ranks((q.office for q in items), language)
    return sorted(items, key=lambda q: (rank[q.office], q.received_at, q.bundle_id))


def countries_of(regional_office: str) -> tuple[str, ...]:
    """The member states a regional office covers, sorted by code."""
    office = check_office(regional_office)
    return tuple(sorted(c for c, ro in REGION_OF.items() if ro == office))


def office_name(code: str, lang: str = "en") -> str:
    """The office's name in ``lang`` (en, fr or ar; anything else gives English):
    the country's name for a country office."""
    office = check_office(code)
    index = _LANGS.index(lang) if lang in _LANGS else 0
    if office == HQ:
        return _HQ_NAMES[index]
    if office in REGIONAL_OFFICES:
        return REGIONAL_OFFICES[office][index]
    if office in _NAME_OVERRIDES:
        return _NAME_OVERRIDES[office][index]
    return _locale(_LANGS[index]).territories[office]


def working_language(code: str) -> str:
    """The office's usual working language, ``"en"``, ``"fr"`` or ``"ar"``: a default
    for narratives (the demo writes in it), not a limit on what users may choose."""
    office = check_office(code)
    if office in _ARABIC or office == "RO-Cairo":
        return "ar"
    if office in _FRENCH or office == "RO-Dakar":
        return "fr"
    return "en"


_MEMBER_SET = frozenset(OIC_MEMBERS)


@cache
def _locale(lang: str) -> Locale:
    from babel import Locale  # babel's locale data loads only when a name is needed

    return Locale.parse(lang)
