"""A bundle named by a person (``export -o``, ``office enroll -o``) replaces this
computer's own earlier bundle of that name only when it is the same kind of bundle for
the same recipient: headquarters' bundle for one office, or a setup bundle not sent
yet, is not lost under the next office's bundle given the same name."""

from __future__ import annotations

from pathlib import Path

import pytest

from fieldplan import bundle as bundlefmt
from fieldplan.errors import FileError
from fieldplan.sync import enroll_office, export_bundle
from tests.cli.test_cli_messages import run


def _recipient(path: Path) -> tuple[str, str]:
    with bundlefmt.open_bundle(path, check_events=False) as opened:
        return opened.manifest["kind"], opened.manifest["recipient"]


def test_headquarters_bundle_for_one_office_is_not_replaced_by_anothers(
        hq, make_office, tmp_path: Path) -> None:
    make_office("ML")
    make_office("SN")
    name = tmp_path / "hq.fieldplan"
    export_bundle(hq, for_office="ML", out_file=name)
    again = export_bundle(hq, for_office="ML", out_file=name)  # the same office's: replaced
    assert again.path == name and _recipient(name) == ("sync", "ML")
    kept = name.read_bytes()
    with pytest.raises(FileError) as taken:
        export_bundle(hq, for_office="SN", out_file=name)
    assert str(taken.value) == (f"cannot write {name}: it is a bundle this computer wrote "
                                "for ML; choose another file")
    assert name.read_bytes() == kept
    with pytest.raises(FileError, match="it is a bundle this computer wrote for ML"):
        enroll_office(hq, "SN", name)  # nor by a setup bundle
    assert name.read_bytes() == kept


def test_a_setup_bundle_is_not_replaced_by_another_bundle(hq, make_office, tmp_path: Path,
                                                         capsys) -> None:
    make_office("ML")
    setup = tmp_path / "ML-new-setup.fieldplan"
    enroll_office(hq, "ML", setup)
    enroll_office(hq, "ML", setup)  # a new setup bundle for that office: replaced
    kept = setup.read_bytes()
    assert _recipient(setup) == ("setup", "ML")
    with pytest.raises(FileError) as taken:
        export_bundle(hq, for_office="ML", out_file=setup)
    assert str(taken.value) == (f"cannot write {setup}: it is a setup bundle this computer "
                                "wrote for ML; choose another file")
    with pytest.raises(FileError, match="it is a setup bundle this computer wrote for ML"):
        enroll_office(hq, "SN", setup)
    assert setup.read_bytes() == kept
    db = str(hq.path)
    hq.close()
    code, out, err = run("--db", db, "export", "--for", "ML", "-o", str(setup),
                         capsys=capsys)
    assert (code, out) == (1, "")
    assert err == (f"fieldplan: error: cannot write {setup}: it is a setup bundle this "
                   "computer wrote for ML; choose another file, or use --dir to have a "
                   "name chosen that is not in use\n")
    assert setup.read_bytes() == kept
