"""The report form's line on whether headquarters holds the report as shown
(``fieldplan.sync.receipts``), in the words of the status bar's "HQ has your data up
to …", "… not sent yet" and "Last export …"."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fieldplan.i18n import _
from ui.context import time_text

if TYPE_CHECKING:
    from fieldplan.sync.receipts import HqReceipt


def receipt_text(receipt: HqReceipt | None) -> str:
    """One short line; "" when there is nothing to say (headquarters, no report)."""
    if receipt is None:
        return ""
    if receipt.state == "held":
        return _("Headquarters has this version")
    if receipt.state == "unsent":
        if receipt.earlier:
            # (a report reopened, or changed after it was sent: headquarters has it as
            # it was; "not sent yet" alone read as if headquarters never had it)
            return _("Headquarters has an earlier version; this one is not sent yet")
        return _("Not sent to headquarters yet")
    if receipt.state == "revoked":
        # (the status bar and the form's notice say the way on: set this computer up
        # again)
        return _("Not at headquarters, and it cannot be sent from this computer: "
                 "headquarters revoked its key")
    if receipt.state == "other":
        # its events go to headquarters from the computer that wrote them
        return _("Written on another computer of this office: headquarters has not "
                 "acknowledged it yet")
    if receipt.earlier:
        if receipt.sent_at:
            # Translators: {when} is a date and time, "5 Dec 2026, 10:15", as in the
            # status bar's "Last export {when}"
            return _("Headquarters has an earlier version; this one was sent on {when}, "
                     "not acknowledged yet").format(when=time_text(receipt.sent_at))
        return _("Headquarters has an earlier version; this one was sent, not "
                 "acknowledged yet")
    if receipt.sent_at:
        # Translators: {when} is a date and time, "5 Dec 2026, 10:15", as in the status
        # bar's "Last export {when}"
        return _("Sent to headquarters on {when}, not acknowledged yet").format(
            when=time_text(receipt.sent_at))
    return _("Sent to headquarters, not acknowledged yet")
