"""User text on its way in and out: what is stored, what a spreadsheet accepts, what
a terminal shows.

People paste text from e-mails, PDFs and terminals; it can carry control characters
(escape sequences, bells, form feeds) that mean nothing in a narrative, make
spreadsheet files unreadable and change a terminal's colours or title.
"""

from __future__ import annotations

import re

# C0 controls, DEL and C1 controls (Unicode category Cc), except tab and newline, and
# the two noncharacters XML cannot hold (U+FFFE, U+FFFF: never text; one of them makes
# an XLSX file unreadable).
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")
# What the XML inside an XLSX file cannot hold (XML 1.0 Char: tab, LF, CR, U+0020 to
# U+D7FF, U+E000 to U+FFFD, U+10000 and up): one unreadable character makes the
# whole workbook unreadable. Surrogates are handled apart (they become U+FFFD).
_SPREADSHEET_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Every control character, for a terminal (tab and newline too: they break a table).
_TERMINAL_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_SURROGATES = re.compile("[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """Text as fieldplan stores it: line ends are ``\\n`` (``\\r\\n`` and a lone
    ``\\r`` become ``\\n``), control characters other than newline and tab are
    removed (and U+FFFE, U+FFFF, which no file format fieldplan writes can hold), and
    unpaired surrogates (undecodable bytes) become U+FFFD."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROLS.sub("", text)
    return _SURROGATES.sub("\ufffd", text)


def for_spreadsheet(text: str) -> str:
    """Text an XLSX cell (XML) and a UTF-8 file can hold: the control characters and
    noncharacters XML refuses are left out; unpaired surrogates (undecodable bytes,
    which no UTF-8 file can hold either) become U+FFFD, as ``clean_text`` stores them."""
    return _SURROGATES.sub("\ufffd", _SPREADSHEET_ILLEGAL.sub("", text))


def for_terminal(text: str) -> str:
    """Text safe to print in one line of a terminal table: newlines and tabs become
    spaces, any other control character is shown escaped (``\\x1b``)."""

    def show(match: re.Match[str]) -> str:
        char = match.group()
        if char in "\n\t\u2028\u2029":
            return " "
        if char == "\r":
            return ""
        return f"\\x{ord(char):02x}"

    text = _TERMINAL_CONTROLS.sub(show, text)
    return _SURROGATES.sub("\ufffd", text)

