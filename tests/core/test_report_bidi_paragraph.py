"""Printed lines of one paragraph are ordered as the Unicode Bidirectional Algorithm
orders them (UAX #9): the levels resolved over the whole paragraph (rules W1–W7, the
bracket pairs of N0, N1–N2), and only then each line reordered (L1–L2) and mirrored.

Resolved line by line, what a line break cut from its context came out wrong: an
Arabic narrative broken inside "(Migration Governance Framework)" printed its second
line "(Governance Framework", the closing bracket turned round and sent to the other
end; "(Border Management, 12 km)" printed ",Border Management" over "km 12". GNU
FriBidi (the reference the last test compares with) prints "Governance Framework)",
"Border Management," and "12 km"."""

from __future__ import annotations

import ctypes
import ctypes.util
import unicodedata

import pytest

from fieldplan.reports import build_status_sheet
from fieldplan.reports import text as tx
from fieldplan.reports.fonts import REGULAR, register_fonts, string_width
from tests.core.test_reports_brackets import drawn_lines, needs_poppler
from tests.fixtures.reports.seed import write_progress


def _folded(s: str) -> str:
    """As a reader sees it: presentation forms folded back, marks dropped."""
    return unicodedata.normalize("NFKC", s).translate({0x200E: None, 0x200F: None})


def _printed(text: str, before: str, base_dir: str) -> list[str]:
    """``text`` laid out at the width that breaks it after the words of ``before``."""
    register_fonts()
    rest = text[len(before):]
    width = max(string_width(tx.shape(s), REGULAR, 9) for s in (before, rest)) + 1
    lines = tx.layout(text, REGULAR, 9, width, base_dir)
    assert tx.break_lines(text, REGULAR, 9, width)[0] == tx.shape(before)
    assert len(lines) == 2
    return [_folded(line) for line, _d in lines]


# (paragraph, its first line, direction, the lines as drawn left to right)
CASES = [
    # a Latin title in brackets inside Arabic, broken inside the brackets: both are
    # the Latin text's (N0: only Latin inside, Latin before), neither mirrored
    ("تم التدريب على IOM (Migration Governance Framework) خلال الفصل",
     "تم التدريب على IOM (Migration", "R",
     ["IOM (Migration ىلع بيردتلا مت", "لصفلا للاخ Governance Framework)"]),
    # an Arabic phrase in brackets after French words in a French paragraph, broken
    # inside: both brackets the French text's (N0), drawn as typed
    ("Le guide publié par le bureau (الطبعة الثانية) pour les partenaires",
     "Le guide publié par le bureau (الطبعة", "L",
     ["Le guide publié par le bureau (ةعبطلا", "ةيناثلا) pour les partenaires"]),
    # nested brackets broken inside both: the outer pair the French text's, the inner
    # one (after Arabic) the Arabic phrase's, mirrored
    ("Rapport (ملخص [المرحلة الثانية]) envoyé au ministère",
     "Rapport (ملخص [المرحلة", "L",
     ["Rapport (ةلحرملا] صخلم", "[ةيناثلا) envoyé au ministère"]),
    # an Arabic phrase in brackets in Arabic: mirrored on both lines, as unbroken
    ("قدم الفريق التقرير (النسخة الثالثة المعدلة) إلى الوزارة",
     "قدم الفريق التقرير (النسخة", "R",
     ["ةخسنلا) ريرقتلا قيرفلا مدق", "ةرازولا ىلإ (ةلدعملا ةثلاثلا"]),
    # a number after Latin text on the line before is the Latin run's (W7), and so
    # is the comma that ends the line between them; the brackets (a number inside,
    # N0) the Arabic text's, mirrored
    ("مشروع (Border Management, 12 km) في المنطقة",
     "مشروع (Border Management,", "R",
     ["Border Management,) عورشم", "ةقطنملا يف (12 km"]),
    ("أعد المكتب تقرير Annual Report 2025 edition للشركاء",
     "أعد المكتب تقرير Annual Report", "R",
     ["Annual Report ريرقت بتكملا دعأ", "ءاكرشلل 2025 edition"]),
]


@pytest.mark.parametrize(("text", "first", "base_dir", "drawn"), CASES,
                         ids=range(len(CASES)))
def test_lines_of_a_paragraph_are_ordered_as_the_paragraph_resolves(
        text, first, base_dir, drawn) -> None:
    assert _printed(text, first, base_dir) == drawn


# --- against GNU FriBidi ----------------------------------------------------------


def _fribidi():
    name = ctypes.util.find_library("fribidi")
    try:
        return ctypes.CDLL(name or "libfribidi.so.0")
    except OSError:
        return None


_PAR = {"L": 0x110, "R": 0x111}  # FRIBIDI_PAR_LTR, FRIBIDI_PAR_RTL


def _fribidi_lines(lib, lines: list[str], base_dir: str) -> list[str]:
    """``lines`` (one paragraph's, broken at spaces) as FriBidi draws them: levels of
    the whole paragraph (fribidi_get_par_embedding_levels_ex, brackets included), then
    each line mirrored and reordered (fribidi_reorder_line)."""
    u32, n = ctypes.c_uint32, len(" ".join(lines))
    text = " ".join(lines)
    chars = (u32 * n)(*map(ord, text))
    types, brackets, levels = (u32 * n)(), (u32 * n)(), (ctypes.c_int8 * n)()
    lib.fribidi_get_bidi_types(chars, n, types)
    lib.fribidi_get_bracket_types(chars, n, types, brackets)
    lib.fribidi_get_par_embedding_levels_ex(types, brackets, n,
                                            ctypes.byref(u32(_PAR[base_dir])), levels)
    mirrored = []
    for ch, level in zip(text, levels, strict=True):
        m = u32()
        odd = level % 2 and lib.fribidi_get_mirror_char(u32(ord(ch)), ctypes.byref(m))
        mirrored.append(m.value if odd else ord(ch))
    out, at = [], 0
    for line in lines:
        drawn = (u32 * n)(*mirrored)
        lib.fribidi_reorder_line(0, types, len(line), at, u32(_PAR[base_dir]),
                                 (ctypes.c_int8 * n)(*levels), drawn, None)
        out.append("".join(chr(drawn[i]) for i in range(at, at + len(line))))
        at += len(line) + 1
    return out


def _reference(lib, lines: list[str], base_dir: str) -> list[str]:
    """FriBidi's lines, with the reports' one departure from Unicode: a number with
    what is attached to it, a range, a period or a day that follows right-to-left text
    (in the paragraph) reads left to right, whole (``keep_numbers``)."""
    free = iter(tx._STAND_INS)
    tokens: dict[str, str] = {}
    marked, before = [], ""
    for line in lines:
        def stand_in(m, line=line, before=before):
            token = m.group(0)
            if m.lastgroup == "number" and not tx._ATTACHED.search(token):
                return token
            context = before + " " + line[:m.start()]
            strong = tx._strong_before(context, len(context))
            if strong == "L" or (strong is None and base_dir != "R"):
                return token
            mark = next(free)
            tokens[mark] = token
            return mark
        marked.append(tx._TOKEN.sub(stand_in, line))
        before += " " + line
    out = []
    for line in _fribidi_lines(lib, marked, base_dir):
        for mark, token in tokens.items():
            line = line.replace(mark, token)
        out.append(line)
    return out


CORPUS = [
    ("R", "تم تدريب الموظفين على دليل IOM (Migration Governance Framework) خلال الفصل"),
    ("R", "عقدت ورشة في Amman (Jordan) للمدربين بحضور الشركاء"),
    ("R", "الشركاء [المرحلة (2) من الخطة] وافقوا على التقرير النهائي"),
    ("R", "تم (بالتعاون مع UNHCR (المفوضية) و UNICEF) تنظيم ثلاث ورش في Niamey و Agadez"),
    ("R", "بلغت نسبة التنفيذ 45% من الهدف و 70% من الميزانية في 2026-S1 وفق التقرير"),
    ("R", "وصل عدد المستفيدين إلى 1,250 شخصا في 2026-03-12 بعد حملة دامت 3 أسابيع"),
    ("R", "ارتفعت الميزانية من $1,200 إلى $1,480.5 أي بزيادة +23% عن 2025–2026"),
    ("R", "النتيجة: 12 km من الحدود مراقبة، و 3.5 طن من المساعدات، و 10-20% من الهدف."),
    ("R", "مشروع (Border Management, 12 km) في المنطقة الشمالية"),
    ("R", "أعد مكتب ML تقريرا بعنوان Annual Migration Report 2025 ونشره للشركاء"),
    ("R", "عنوان الدورة: Introduction to Data Protection (Module 3: Consent) وقد حضرها ٢٥ شخصا"),
    ("R", "تمت مراجعة خطة العمل 2025–2027 مع المكتب RO-Dakar والمكتب EG."),
    ("R", "المكاتب ML و SN و EG (وهي مكاتب ميدانية) قدمت تقاريرها [انظر الملحق A، ص 12]."),
    ("R", 'قال المنسق: "تم إنجاز 3 من 4 أنشطة"، وسيستمر العمل حتى 2027-06-30.'),
    ("R", "هل تم تحقيق الهدف؟ نعم، بنسبة 80%. وما التالي؟"),
    ("R", "الهدف (PA2.3) تحقق، والهدف (PA2.4) لم يتحقق بعد!"),
    ("R", "IOM Annual Report 2025 يصف التقدم المحرز في الخطة"),
    ("R", "انظر www.iom.int/ar/report-2025 أو report@iom.int للمزيد."),
    ("L", "Le bureau a publié le guide دليل تكاليف التحويلات (الطبعة الثانية) "
          "pour les partenaires."),
    ("L", "Rapport (ملخص [المرحلة الثانية]) envoyé au ministère de l’intérieur"),
    ("L", "Formation organisée avec le ministère (وزارة الداخلية، مديرية الهجرة) en mars 2026."),
    ("L", "Le rapport de l’office ML cite الاستراتيجية الوطنية للهجرة 2024 (version 2) "
          "et l’annexe."),
    ("L", "Atelier « gestion des frontières » : 45 % des agents formés "
          "(objectif : 60 %) ; la suite ?"),
    ("L", "Plan (phase 2 — المرحلة الثانية) validé"),
]


@pytest.mark.parametrize(("base_dir", "text"), CORPUS, ids=range(len(CORPUS)))
def test_printed_lines_agree_with_fribidi(base_dir: str, text: str) -> None:
    """Each paragraph broken at every width from 40 points to one line, every few
    points: its lines as the reports draw them are FriBidi's."""
    lib = _fribidi()
    if lib is None:
        pytest.skip("needs GNU FriBidi (libfribidi0, see packaging/debian-packages.txt)")
    register_fonts()
    full = string_width(tx.shape(text), REGULAR, 9)
    for width in range(40, int(full) + 8, 5):
        lines = tx.break_lines(text, REGULAR, 9, width)
        ours = [_folded(line) for line, _d in tx.layout(text, REGULAR, 9, width, base_dir)]
        assert ours == [_folded(line) for line in _reference(lib, lines, base_dir)], width


# --- in a printed sheet ------------------------------------------------------------

NARRATIVE = (
    "تم تدريب الموظفين على دليل IOM (Migration Governance Framework) خلال الفصل الأول "
    "بالتعاون مع الشركاء مشروع (Border Management, 12 km) في المنطقة الشمالية، وعنوان "
    "الدورة: Introduction to Data Protection (Module 3: Consent) وقد حضرها 25 شخصا من "
    "المكاتب ML و SN."
)


@needs_poppler
def test_sheet_prints_a_line_broken_inside_brackets_as_the_paragraph_reads(
        hq, tmp_path) -> None:
    """The Arabic sheet's annex breaks the narrative inside "(Border Management, 12 km)":
    it printed ",Border Management" and "(km 12" (each line resolved alone)."""
    write_progress(hq, "EG", "2026-S1", lang="ar", narrative=(NARRATIVE, "-", "-"), only=1)
    pdf = build_status_sheet(hq, "2026-S1", "EG", out=tmp_path / "s.pdf", lang="ar")
    lines = [line for line in drawn_lines(pdf) if "Management," in line]
    assert any(line.startswith("Border Management,) عورشم") for line in lines), lines
    assert not any(",Border" in line or "km 12" in line for line in drawn_lines(pdf))
    assert any(line.endswith("ةقطنملا يف (12 km") for line in drawn_lines(pdf))


def test_every_number_of_a_long_paragraph_is_kept_whole() -> None:
    """A paragraph resolved whole still keeps each of its many numbers whole (more
    than there are stand-in letters for one line's numbers)."""
    register_fonts()
    text = "بلغت النسبة 45% في 2026-S1، " * 150
    drawn = [_folded(line) for line, _d in tx.layout(text, REGULAR, 9, 200, "R")]
    assert sum(line.count("45%") for line in drawn) == 150
    assert sum(line.count("2026-S1") for line in drawn) == 150
