"""``fieldplan progress submit`` of a period with a report of both kinds of conflict (a
field two laptops wrote differently, another in one laptop's history alone): it warned
of two computers' writes only, and said nothing of the field of one computer's
history. Each warning names it now."""

from __future__ import annotations

from fieldplan.cli import main
from tests.scenes import MIXED, REVERSED, THREE_WRITERS, mixed_conflicts


def test_submit_names_a_report_of_both_kinds_in_each_warning(
        hq, make_office, tmp_path, capsys) -> None:
    scene = mixed_conflicts(hq, make_office, tmp_path)
    path = scene.a.path
    scene.a.close()
    mixed, reversed_, three = (scene.named[n] for n in (MIXED, REVERSED, THREE_WRITERS))
    capsys.readouterr()
    assert main(["--db", str(path), "progress", "submit", "--period", "2026-S1"]) == 0
    err = " ".join(capsys.readouterr().err.split())
    assert (f"3 reports of 1st semester 2026 are still in conflict ({mixed}, {reversed_}, "
            f"{three}): two computers wrote different values") in err
    assert (f"2 reports of 1st semester 2026 are still in conflict ({mixed}, "
            f"{reversed_}): one computer's history holds versions of them") in err
