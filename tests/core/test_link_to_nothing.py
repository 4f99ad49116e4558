"""A database path that is a link to a file no longer there (a database kept on a USB
stick or a network drive that is not connected) is said as such. Opening said "no
fieldplan database here: run init", and init then refused the path as one that
"already exists": a person was sent round in a circle, and the client offered a first
run whose every way in failed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fieldplan import store
from fieldplan.errors import StoreError
from fieldplan.replica import init_hq, open_replica

pytestmark = pytest.mark.skipif(not hasattr(os, "symlink") or os.name == "nt",
                                reason="links made by the test")


def link_to_nothing(tmp_path: Path) -> tuple[Path, Path]:
    target = tmp_path / "usb" / "hq.sqlite3"  # (the stick is not there)
    link = tmp_path / "hq.sqlite3"
    link.symlink_to(target)
    return link, target


def said(link: Path, target: Path) -> str:
    return (f"{link} is a link to {target}, which is not there: connect the drive it is "
            "on, or give another database file")


def test_opening_says_the_link_leads_nowhere(tmp_path):
    link, target = link_to_nothing(tmp_path)
    with pytest.raises(StoreError) as caught:
        open_replica(link).close()
    assert str(caught.value) == said(link, target)


def test_init_says_it_too_not_that_the_file_exists(tmp_path):
    link, target = link_to_nothing(tmp_path)
    with pytest.raises(StoreError) as caught:
        init_hq(link).close()
    assert str(caught.value) == said(link, target)
    assert os.path.islink(link) and not target.parent.exists()  # nothing made


def test_a_relative_link_names_where_it_leads(tmp_path):
    target = tmp_path / "gone" / "hq.sqlite3"
    link = tmp_path / "hq.sqlite3"
    link.symlink_to(os.path.join("gone", "hq.sqlite3"))
    assert str(store.not_a_file_error(link)) == said(link, target)


def test_a_link_to_a_database_opens(tmp_path):
    real = tmp_path / "real.sqlite3"
    init_hq(real).close()
    link = tmp_path / "hq.sqlite3"
    link.symlink_to(real)
    assert store.not_a_file_error(link) is None
    with open_replica(link) as rep:
        assert rep.is_hq
