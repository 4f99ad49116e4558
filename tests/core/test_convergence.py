"""A few seeded runs of the convergence simulation (tests/convergence.py): HQ and
three offices' laptops exchanging bundles late, twice and out of order, with
conflicts, locks, key rotations and revocations, new laptops, restores from backups
and amendments, end with the same data everywhere. More seeds run on demand:
``python -m tests.convergence --seeds 100-139 --kinds …``."""

from __future__ import annotations

import pytest

from tests.convergence import run

EVERYTHING_BUT_HQ_RESTORES = {"amend": 3, "newlap": 1, "rotate": 1, "restore": 1, "revoke": 1}
HQ_RESTORES = {"hq_restore": 2, "rotate": 1, "amend": 2}
EVERYTHING = {"rotate": 1, "newlap": 1, "revoke": 1, "restore": 2, "hq_restore": 1, "amend": 2}


@pytest.mark.parametrize(("seed", "steps", "kinds"), [
    (1, 60, {}),
    (2, 60, {}),
    (10, 80, EVERYTHING_BUT_HQ_RESTORES),
    (12, 80, EVERYTHING_BUT_HQ_RESTORES),
    (20, 80, HQ_RESTORES),
    (40, 80, EVERYTHING),
])
def test_everyone_ends_with_the_same_data(seed: int, steps: int, kinds: dict[str, int],
                                          tmp_path) -> None:
    result = run(seed, steps, kinds, folder=tmp_path)
    assert not result.problems, "\n".join([
        *result.problems[:6], "steps:", *result.log])


def test_the_simulation_sees_a_divergence(tmp_path, monkeypatch) -> None:
    """(it can fail: a laptop whose data differs from HQ's is found out)"""
    from fieldplan import progress

    real = progress.digest
    monkeypatch.setattr(progress, "digest", lambda rep, office=None: (
        real(rep, office) if office or rep.office != "SN" else "different"))
    result = run(1, 20, {}, folder=tmp_path)
    assert any("digest of SN differs" in p for p in result.problems)
