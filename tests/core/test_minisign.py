"""minisign-format keys and signatures, checked against the stock `minisign` tool."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import stat
import subprocess

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from fieldplan import minisign
from fieldplan.errors import SignatureError
from fieldplan.minisign import KeyFileError, PublicKey, SecretKey

KEY = SecretKey.from_seed(bytes(range(32)))
OTHER = SecretKey.from_seed(bytes(range(1, 33)))
DATA = b"manifest bytes \xe2\x9c\x93\n" * 10
COMMENT = "bundle_id:3f2a9c1b created:2026-03-12T09:30:00Z"

MINISIGN = shutil.which("minisign")
needs_minisign = pytest.mark.skipif(
    MINISIGN is None, reason="the stock minisign tool is not installed (apt-get install minisign)"
)
posix_only = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX only")


def test_sign_verify_round_trip() -> None:
    text = minisign.sign(KEY, DATA, COMMENT)
    lines = text.split("\n")
    assert len(lines) == 5 and lines[4] == ""
    assert lines[0].startswith("untrusted comment: ")
    assert lines[2] == f"trusted comment: {COMMENT}"
    assert base64.b64decode(lines[1])[:10] == b"ED" + KEY.key_id
    assert minisign.verify(KEY.public, DATA, text) == COMMENT


def test_verify_accepts_crlf_line_endings() -> None:
    # Mail programs rewrite line endings.
    text = minisign.sign(KEY, DATA, COMMENT).replace("\n", "\r\n")
    assert minisign.verify(KEY.public, DATA, text) == COMMENT


def test_tampered_data_fails() -> None:
    text = minisign.sign(KEY, DATA, COMMENT)
    with pytest.raises(SignatureError, match=r"^bad signature"):
        minisign.verify(KEY.public, DATA + b"x", text)


def test_tampered_trusted_comment_fails() -> None:
    text = minisign.sign(KEY, DATA, COMMENT)
    forged = text.replace("bundle_id:3f2a9c1b", "bundle_id:00000000")
    with pytest.raises(SignatureError, match=r"^bad global signature"):
        minisign.verify(KEY.public, DATA, forged)


def test_wrong_key_names_both_key_ids() -> None:
    text = minisign.sign(OTHER, DATA, COMMENT)
    with pytest.raises(SignatureError) as e:
        minisign.verify(KEY.public, DATA, text)
    assert str(e.value) == f"signed with key {OTHER.key_id_hex}, not {KEY.public.key_id_hex}"


def test_other_key_claiming_our_key_id_fails() -> None:
    forged = SecretKey(seed=OTHER.seed, key_id=KEY.key_id)
    with pytest.raises(SignatureError, match=r"^bad signature"):
        minisign.verify(KEY.public, DATA, minisign.sign(forged, DATA, COMMENT))


def test_legacy_algorithm_is_refused() -> None:
    # minisign's legacy "Ed" signatures sign the data itself, not its BLAKE2b hash.
    private = Ed25519PrivateKey.from_private_bytes(KEY.seed)
    signature = private.sign(DATA)
    glob = private.sign(signature + COMMENT.encode())
    text = (
        "untrusted comment: legacy\n"
        + base64.b64encode(b"Ed" + KEY.key_id + signature).decode()
        + f"\ntrusted comment: {COMMENT}\n"
        + base64.b64encode(glob).decode()
        + "\n"
    )
    with pytest.raises(SignatureError, match="legacy non-prehashed"):
        minisign.verify(KEY.public, DATA, text)


@pytest.mark.parametrize(
    "mangle",
    [
        lambda lines: lines[:3],
        lambda lines: [*lines, "extra"],
        lambda lines: ["comment", *lines[1:]],
        lambda lines: [lines[0], "not base64!", *lines[2:]],
        lambda lines: [lines[0], lines[1][:-8], *lines[2:]],
        lambda lines: [*lines[:2], "comment without prefix", lines[3]],
        lambda lines: [*lines[:3], "AAAA"],
        lambda lines: ["", "", "", ""],
    ],
)
def test_malformed_signature_files(mangle) -> None:
    lines = minisign.sign(KEY, DATA, COMMENT).split("\n")[:4]
    with pytest.raises(SignatureError, match=r"^malformed signature file"):
        minisign.verify(KEY.public, DATA, "\n".join(mangle(lines)) + "\n")


def test_unknown_algorithm() -> None:
    lines = minisign.sign(KEY, DATA, COMMENT).split("\n")
    blob = base64.b64decode(lines[1])
    lines[1] = base64.b64encode(b"XX" + blob[2:]).decode()
    with pytest.raises(SignatureError, match="unknown signature algorithm"):
        minisign.verify(KEY.public, DATA, "\n".join(lines))


def test_comments_must_be_one_line() -> None:
    with pytest.raises(ValueError):
        minisign.sign(KEY, DATA, "two\nlines")
    with pytest.raises(ValueError):
        minisign.sign(KEY, DATA, COMMENT, untrusted_comment="a\rb")


def test_key_id_is_derived_and_printed_as_minisign_does() -> None:
    pub = KEY.public
    assert pub.key_id == hashlib.blake2b(pub.raw).digest()[:8]
    assert pub.has_derived_key_id
    assert pub.key_id_hex == pub.key_id[::-1].hex().upper()
    assert re.fullmatch(r"[0-9A-F]{16}", pub.key_id_hex)


def test_generate_key() -> None:
    a, b = minisign.generate_key(), minisign.generate_key()
    assert a.seed != b.seed and a.key_id != b.key_id
    assert a.public.has_derived_key_id and a.public.key_id == a.key_id
    assert minisign.verify(a.public, DATA, minisign.sign(a, DATA, COMMENT)) == COMMENT


def test_fingerprint() -> None:
    fpr = KEY.public.fingerprint
    assert re.fullmatch(r"[0-9A-F]{4}( [0-9A-F]{4}){9}", fpr)
    assert fpr.replace(" ", "") == hashlib.sha256(KEY.public.raw).hexdigest().upper()[:40]
    assert fpr != OTHER.public.fingerprint


def test_public_key_base64_round_trip() -> None:
    pub = KEY.public
    line = pub.to_base64()
    assert base64.b64decode(line) == b"Ed" + pub.key_id + pub.raw
    assert PublicKey.from_base64(line) == pub
    for bad in ["", "not base64", base64.b64encode(b"Ed" + bytes(39)).decode()]:
        with pytest.raises(SignatureError):
            PublicKey.from_base64(bad)


def test_public_key_file() -> None:
    text = minisign.public_key_file(KEY.public)
    assert text == (
        f"untrusted comment: fieldplan public key {KEY.public.key_id_hex}\n"
        f"{KEY.public.to_base64()}\n"
    )
    assert minisign.parse_public_key_file(text) == KEY.public
    assert minisign.parse_public_key_file(KEY.public.to_base64()) == KEY.public
    assert minisign.public_key_file(KEY.public, "office ML").startswith(
        "untrusted comment: office ML\n"
    )
    with pytest.raises(SignatureError):
        minisign.parse_public_key_file("untrusted comment: x\nline\nline\n")


def test_secret_key_repr_hides_the_seed() -> None:
    assert KEY.seed.hex() not in repr(KEY) and str(list(KEY.seed)) not in repr(KEY)


# ------------------------------------------------------------------ the stock tool


def run_minisign(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [MINISIGN, *args], capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL
    )


@needs_minisign
def test_stock_minisign_verifies_our_signature(tmp_path) -> None:
    (tmp_path / "key.pub").write_text(minisign.public_key_file(KEY.public))
    (tmp_path / "FILE").write_bytes(DATA)
    (tmp_path / "FILE.minisig").write_text(minisign.sign(KEY, DATA, COMMENT))
    args = ("-V", "-p", str(tmp_path / "key.pub"), "-m", str(tmp_path / "FILE"))
    good = run_minisign(*args, "-x", str(tmp_path / "FILE.minisig"))
    assert good.returncode == 0, good.stderr
    assert f"Trusted comment: {COMMENT}" in good.stdout

    (tmp_path / "FILE").write_bytes(DATA + b"tampered")
    assert run_minisign(*args, "-x", str(tmp_path / "FILE.minisig")).returncode != 0

    (tmp_path / "FILE").write_bytes(DATA)
    sig = minisign.sign(KEY, DATA, COMMENT).replace("3f2a9c1b", "3f2a9c1c")
    (tmp_path / "forged.minisig").write_text(sig)
    assert run_minisign(*args, "-x", str(tmp_path / "forged.minisig")).returncode != 0

    (tmp_path / "other.minisig").write_text(minisign.sign(OTHER, DATA, COMMENT))
    assert run_minisign(*args, "-x", str(tmp_path / "other.minisig")).returncode != 0


@needs_minisign
def test_we_verify_stock_minisign_signatures(tmp_path) -> None:
    pub, sec, data = tmp_path / "k.pub", tmp_path / "k.sec", tmp_path / "data"
    made = run_minisign("-G", "-W", "-p", str(pub), "-s", str(sec))
    assert made.returncode == 0, made.stderr
    data.write_bytes(DATA)
    signed = run_minisign("-S", "-s", str(sec), "-m", str(data), "-t", COMMENT)
    assert signed.returncode == 0, signed.stderr
    key = minisign.parse_public_key_file(pub.read_text())
    # minisign prints the key id in its comment line (as a hex number, without leading
    # zeros); ours must be the same number.
    printed = pub.read_text().splitlines()[0].split()[-1]
    assert int(printed, 16) == int(key.key_id_hex, 16)
    sig_text = (tmp_path / "data.minisig").read_text()
    assert minisign.verify(key, DATA, sig_text) == COMMENT
    with pytest.raises(SignatureError):
        minisign.verify(key, DATA + b"!", sig_text)


# ------------------------------------------------------------------ secret key files


@posix_only
def test_secret_key_saved_owner_only_and_loaded(tmp_path) -> None:
    directory = tmp_path / "keys"
    directory.mkdir(mode=0o755)
    path = directory / "replica.key"
    old_umask = os.umask(0)  # the file must be 0600 whatever the umask
    try:
        minisign.save_secret_key(path, KEY)
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(directory.stat().st_mode) == 0o755
    assert [p.name for p in directory.iterdir()] == ["replica.key"]
    assert KEY.seed.hex() not in path.read_text()
    assert path.read_text().startswith(f"untrusted comment: fieldplan secret key {KEY.key_id_hex}")
    assert minisign.load_secret_key(path) == KEY

    minisign.save_secret_key(path, OTHER)  # replaces atomically
    assert minisign.load_secret_key(path) == OTHER
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@posix_only
@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644, 0o660])
def test_secret_key_open_to_others_is_refused(tmp_path, mode: int) -> None:
    path = tmp_path / "replica.key"
    minisign.save_secret_key(path, KEY)
    path.chmod(mode)
    with pytest.raises(KeyFileError, match=f"chmod 600 {re.escape(str(path))}$"):
        minisign.load_secret_key(path)


def test_secret_key_missing_or_damaged(tmp_path) -> None:
    with pytest.raises(KeyFileError, match="does not exist"):
        minisign.load_secret_key(tmp_path / "nope.key")
    path = tmp_path / "replica.key"
    minisign.save_secret_key(path, KEY)
    good = path.read_text().splitlines()
    blob = base64.b64decode(good[1])
    damaged = [
        "",
        good[0] + "\n",
        "untrusted comment: something else\n" + good[1] + "\n",
        good[0] + "\n" + good[1][:-4] + "\n",
        good[0] + "\n" + base64.b64encode(blob[:32] + bytes(8)).decode() + "\n",
        "\xff\xfe",
    ]
    for text in damaged:
        path.write_bytes(text.encode("latin-1"))
        path.chmod(0o600)
        with pytest.raises(KeyFileError, match="damaged"):
            minisign.load_secret_key(path)


def test_an_unreadable_key_file_says_why_in_words(tmp_path) -> None:
    """The system's English words ("Is a directory", "Permission denied") were put in
    the message whatever the language."""
    from fieldplan.minisign import KeyFileError, load_secret_key

    folder = tmp_path / "hq.sqlite3.key"
    folder.mkdir()
    with pytest.raises(KeyFileError) as caught:
        load_secret_key(folder)
    assert str(caught.value) == f"cannot read secret key file {folder}: it is a folder"
