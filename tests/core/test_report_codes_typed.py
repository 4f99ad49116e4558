"""An action code typed in another case or with spaces around it names the same report
in every writer of reports: ``record_progress`` took "pa1.1" for PA1.1, but
``reopen_report`` refused it ("no submitted report on pa1.1")."""

from __future__ import annotations

import pytest

from fieldplan import progress

PERIOD = "2026-S1"


def _national(rep) -> str:
    return rep.plan().actions_of(level="national")[0].code


@pytest.mark.parametrize("typed", ["lower", " spaced "])
def test_reopen_takes_the_code_as_record_progress_does(make_office, typed) -> None:
    ml = make_office("ML")
    act = _national(ml)
    code = act.lower() if typed == "lower" else f" {act} "
    progress.record_progress(ml, code, PERIOD, status="on-track", percent=10)
    progress.submit_period(ml, PERIOD)
    progress.reopen_report(ml, code, PERIOD)
    [report] = progress.list_reports(ml, PERIOD)
    assert (report.action, report.state) == (act, "draft")
    # and a report not submitted is still refused as such, under its code
    with pytest.raises(progress.ValidationError, match=f"no submitted report on {act} "):
        progress.reopen_report(ml, code, PERIOD)
