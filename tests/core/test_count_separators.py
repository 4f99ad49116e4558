"""A count a person reads has the language's separators ("1 234" in French), as every
other number does; the plural is still chosen on the integer (fieldplan.i18n.counted)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from fieldplan import i18n

NNBSP = "\u202f"  # babel's French group separator


def test_counted_writes_the_count_with_the_language_separators() -> None:
    assert i18n.counted("{n} gap", "{n} gaps", 1234) == "1,234 gaps"
    assert i18n.counted("{n} gap", "{n} gaps", 1) == "1 gap"
    assert i18n.counted("{count} of {names}", "{count} of {names}", 5678,
                        names="x") == "5,678 of x"
    i18n.set_language("fr")
    assert i18n.counted("{n} conflict", "{n} conflicts", 1234).startswith(f"1{NNBSP}234 ")
    assert i18n.counted("{n} conflict", "{n} conflicts", 1234, lang="ar").startswith("1,234 ")


def test_a_kept_count_is_said_again_with_the_other_language_separators() -> None:
    with i18n.capturing():
        text = i18n.counted("{n} conflict", "{n} conflicts", 1234)
    record = i18n.message_record(text)
    assert record is not None
    assert i18n.render_record(record, "fr").startswith(f"1{NNBSP}234 ")


@pytest.mark.parametrize(("lang", "figure"), [("fr", f"1{NNBSP}234"), ("ar", "1,234")])
def test_a_tip_line_of_the_sync_words(lang: str, figure: str) -> None:
    from fieldplan.status import hq_only_text, revoked_text

    i18n.set_language(lang)
    assert figure in hq_only_text(1234)
    assert figure in revoked_text(1234)
    assert "1234" not in hq_only_text(1234) + revoked_text(1234)


@pytest.mark.parametrize(("lang", "figure"), [("fr", f"1{NNBSP}234"), ("ar", "1,234")])
def test_the_cli_says_bundles_written_with_separators(lang: str, figure: str) -> None:
    from fieldplan.cli.sync_cmds import _all_offices_summary

    i18n.set_language(lang)
    done = SimpleNamespace(written=[SimpleNamespace(note="", again=False)] * 1234,
                           offices=["X"] * 1234, failed=(), folder=Path("out"))
    text = _all_offices_summary(done)
    assert figure in text and "1234" not in text
    partly = SimpleNamespace(written=[SimpleNamespace(note="r", again=False)] * 1234,
                             offices=["X"] * 2345, failed=["X"] * 1111, folder=Path("out"))
    text = _all_offices_summary(partly)
    assert figure in text and "1234" not in text
    assert ("2" + (NNBSP if lang == "fr" else ",") + "345") in text
    assert ("1" + (NNBSP if lang == "fr" else ",") + "111") in text


def test_the_cli_says_the_restore_warnings_it_stopped_with_separators(capsys) -> None:
    from fieldplan.cli.core_cmds import said_dismissed

    i18n.set_language("fr")
    said_dismissed(SimpleNamespace(own=1234, offices=(), revoked=(), kinds=("own",)), hq=False,
                   all_kinds=False)
    assert f"1{NNBSP}234" in capsys.readouterr().out


# --- error lines that counted with the bare integer ---------------------------------


@pytest.mark.parametrize(("lang", "figure"), [("en", "1,000"), ("fr", f"1{NNBSP}000")])
def test_a_demo_refused_for_its_count_of_offices(tmp_path: Path, lang: str,
                                                 figure: str) -> None:
    from fieldplan.demo import make_demo
    from fieldplan.errors import ValidationError

    i18n.set_language(lang)
    with pytest.raises(ValidationError) as caught:
        make_demo(tmp_path / "demo", offices=1000)
    assert figure in str(caught.value) and "1000" not in str(caught.value)
    assert not (tmp_path / "demo").exists()


def test_a_plan_row_of_too_many_cells_is_counted_with_separators(tmp_path: Path) -> None:
    from fieldplan.errors import PlanError
    from fieldplan.plan import load_plan
    from tests.core.test_plan import FIRST, csv_text

    path = csv_text(tmp_path, [FIRST + ",9" * 1218])  # 16 + 1218 cells
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    assert str(caught.value) == ("plan.csv: row 2: 1,234 cells but the header has 16: a "
                                 "value in column Q (17), after the header's last column")
    i18n.set_language("fr")  # (its French comes with the catalogs)
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    assert f"1{NNBSP}234 " in str(caught.value)


def test_a_newer_schema_is_said_with_separators() -> None:
    from fieldplan import schema
    from fieldplan.errors import StoreError

    known = len(schema.known_migrations())
    with pytest.raises(StoreError) as caught:
        schema._pending([*schema.known_migrations(),
                         *(f"{n:04}_future" for n in range(1234 - known))])
    assert "(schema 1,234, this program knows" in str(caught.value)


def test_a_backup_of_a_newer_schema_is_said_with_separators(hq, monkeypatch) -> None:
    from fieldplan import store

    backup = store.backup(hq.conn, hq.path, "before-import")
    monkeypatch.setattr(store, "_newer_schema", lambda path: 1234)
    text, short = store._backup_fault(backup, hq.path)
    assert "(schema 1,234, this program knows" in text
    assert short.endswith("(schema 1,234)")
