"""Signed sync bundles between replicas: export, verify, import, keys, enrolment,
conflicts. See fieldplan.sync.exchange for the import checks."""

from fieldplan.events import holdings
from fieldplan.sync.conflicts import (
    Conflict,
    list_conflicts,
    open_conflict,
    period_conflicts,
    resolve_conflict,
)
from fieldplan.sync.enrol import enroll_office, hq_key, init_from_setup
from fieldplan.sync.exchange import (
    KIND_SETUP,
    Gap,
    ImportInterrupted,
    ImportOutcome,
    ImportStopped,
    InboxEntry,
    QuarantineItem,
    import_bundle,
    import_bundles,
    import_quarantined_again,
    inbox_size,
    list_gaps,
    list_inbox,
    list_quarantine,
    refuse_key,
    trust_key,
    verify_bundle,
)
from fieldplan.sync.export import (
    AllOfficesExport,
    ExportResult,
    OfficeExport,
    export_all_offices,
    export_bundle,
    saved_again_text,
)
from fieldplan.sync.keys import all_keys, revoke_key, rotate_key, show_key
from fieldplan.sync.locking import LockCheck, lock_check
from fieldplan.sync.state import (
    LOST_KINDS,
    Dismissed,
    SyncState,
    dismiss_lost,
    dismiss_offices_lost,
    dismiss_restore_warnings,
    dismiss_revoked_lost,
    sync_state,
)

__all__ = [
    "KIND_SETUP", "LOST_KINDS", "AllOfficesExport", "Conflict", "Dismissed", "ExportResult",
    "Gap", "ImportInterrupted", "ImportOutcome", "ImportStopped", "InboxEntry", "LockCheck",
    "OfficeExport", "QuarantineItem", "SyncState", "all_keys", "dismiss_lost",
    "dismiss_offices_lost", "dismiss_restore_warnings", "dismiss_revoked_lost",
    "enroll_office", "export_all_offices", "export_bundle", "holdings", "hq_key",
    "import_bundle", "import_bundles", "import_quarantined_again", "inbox_size", "init_from_setup",
    "list_conflicts", "list_gaps", "list_inbox", "list_quarantine", "lock_check",
    "open_conflict", "period_conflicts", "refuse_key",
    "resolve_conflict", "revoke_key", "rotate_key", "saved_again_text", "show_key",
    "sync_state", "trust_key",
    "verify_bundle",
]
