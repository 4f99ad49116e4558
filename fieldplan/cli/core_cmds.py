"""Commands on the local database: init, status, actions, progress, period, restore,
digest, plan, demo, gui."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from fieldplan import progress as prog
from fieldplan.cli import (
    CommandError,
    UsageError,
    check_output_name,
    choice_word,
    code_text,
    command,
    file_name,
    folder_name,
    output,
    period_name,
    print_table,
    subcommands,
    warn,
    whole_number,
)
from fieldplan.errors import FieldplanError
from fieldplan.i18n import _, counted, join_list, ltr, ngettext
from fieldplan.model import LEVELS, STATUSES
from fieldplan.replica import Replica, open_replica
from fieldplan.status import (
    key_replaced_by,
    key_revoked,
    period_text,
    periods_text,
    revoked_work_text,
)
from fieldplan.store import LOST_KINDS, resolve_db_path

if TYPE_CHECKING:
    from fieldplan.planops import PlanChange
    from fieldplan.sync.state import Dismissed

#: how a computer whose key headquarters revoked is set up again, on the command line
REPLACE_REVOKED_COMMAND = "fieldplan init --from FILE --replace-revoked"


@contextlib.contextmanager
def open_db(args: argparse.Namespace) -> Iterator[Replica]:
    """``with open_db(args) as rep``: the replica named by --db / FIELDPLAN_DB / the
    default location, closed at the end. What the core noted beside the command's
    result (old backups removed to make room on a full disk) is a warning line each,
    also when the command fails."""
    from fieldplan.cli import warn

    rep = open_replica(resolve_db_path(getattr(args, "db", None)))
    try:
        with rep:
            yield rep
    finally:
        for notice in rep.take_notices():
            warn(notice)
        if rep.damage is not None:  # found by a command that still did its work
            warn(str(rep.damage))


def period_of(args: argparse.Namespace) -> str:
    """``--period`` as the plan writes it (``2026-s1`` → ``2026-S1``); a text that is
    no period at all is a usage error (exit 2), as a bad number is (a period outside
    the plan is the plan's to refuse: exit 1)."""
    from fieldplan.errors import ValidationError
    from fieldplan.periods import parse_period

    try:
        return str(parse_period(args.period))
    except ValidationError as exc:
        raise UsageError(str(exc)) from None


def lang_of(args: argparse.Namespace) -> str:
    from fieldplan.i18n import get_language

    return getattr(args, "lang", None) or get_language()


def register(sub: argparse._SubParsersAction) -> None:
    # Translators: 'fieldplan FILE.fieldplan' is a command, not to be translated
    p = command(sub, "gui", _("open the desktop client (the default command; also "
                              "'fieldplan FILE.fieldplan')"),
                _("Open the desktop client."), func=cmd_gui)
    p.add_argument("--demo", action="store_true",
                   help=_("open a demo database (made on first use)"))
    p.add_argument("files", nargs="*", metavar="FILE.fieldplan", type=file_name,
                   help=_("bundles to import once the window is open (as when one is "
                          "opened from the file manager)"))

    p = command(sub, "init", _("create this replica's database"),
                _("Create a new headquarters database, or an office replica from a setup bundle "
                  "sent by headquarters."), func=cmd_init)
    how = p.add_mutually_exclusive_group(required=True)
    how.add_argument("--hq", action="store_true", help=_("create a headquarters database"))
    how.add_argument("--from", dest="setup", metavar="SETUP.fieldplan", type=file_name,
                     help=_("create an office replica from a setup bundle"))
    p.add_argument("--plan", metavar="FILE", type=file_name,
                   help=_("(with --hq) start from this plan file instead of the template"))
    p.add_argument("--author", metavar="NAME",
                   # Translators: FIELDPLAN_AUTHOR is the name of a setting of the
                   # system: keep it
                   help=_("name recorded on this computer's changes (default: the login "
                          "name; FIELDPLAN_AUTHOR, when set, is recorded instead)"))
    p.add_argument("--replace-revoked", action="store_true",
                   help=_("(with --from) this computer's key was revoked: move its "
                          "database, key file and backups into a folder beside them "
                          "(kept), and set it up again in its place"))

    p = command(sub, "status", _("show this replica's role, office, key and counts"),
                _("Show role, office, replica, key fingerprint, counts, last export and import, "
                  "gaps and quarantine."), func=cmd_status)
    p.add_argument("--dismiss-lost", action="append", nargs="?", const="all",
                   choices=(*LOST_KINDS, "all"), metavar="WHICH", type=choice_word,
                   help=_("(after a restore) stop warning about what the restore lost, "
                          "WHICH being {own}: the changes it lost, made again; "
                          "(headquarters) {offices}: the offices' events it lost, which "
                          "may never come back; {revoked}: a revoked computer's events "
                          "it lost, whose bundles may never be found; {all} (the "
                          "default): all of these. May be given more than once").format(
                       own="own", offices="offices", revoked="revoked", all="all"))

    p = command(sub, "actions", _("list the plan's actions"), _("List the plan's actions."),
                func=cmd_actions)
    p.add_argument("--area", metavar="A", type=code_text,
                   help=_("only this priority area (e.g. PA2)"))
    p.add_argument("--level", choices=LEVELS, type=choice_word, help=_("only this level"))

    p = command(sub, "progress", _("record, submit and list progress"),
                _("Record, submit, reopen and list progress reports."))
    psub = subcommands(p, "progress_command")
    s = command(psub, "set", _("record progress on an action"),
                _("Record or update this office's report on an action for a period."),
                func=cmd_progress_set)
    s.add_argument("action", metavar="ACTION", type=code_text, help=_("action code, e.g. PA2.3"))
    s.add_argument("--period", required=True, metavar="P", type=period_name,
                   help=_("period, e.g. 2026-S1"))
    # (its choices in the help, not in the usage line, where all six ran past an
    # 80-column terminal)
    s.add_argument("--status", choices=STATUSES, type=choice_word, metavar="S",
                   # Translators: {statuses} lists the words to type, which stay in
                   # English
                   help=_("status of the action: {statuses}").format(
                       statuses=join_list(STATUSES)))
    s.add_argument("--percent", type=_percent, metavar="N",
                   help=_("percent complete, 0–100 (a new report above 0 needs --status "
                          "too)"))
    s.add_argument("--note", metavar="T", help=_("achievements (narrative)"))
    s.add_argument("--challenges", metavar="T", help=_("challenges (narrative)"))
    s.add_argument("--next-steps", metavar="T", help=_("next steps (narrative)"))
    s.add_argument("--value", action="append", default=[], type=_key_value,
                   metavar="KEY=NUM",
                   help=_("an indicator's actual value (repeatable; KEY: one of the action's "
                          "indicators, as 'fieldplan actions --json' lists them)"))
    s = command(psub, "submit", _("submit this office's drafts for a period"),
                _("Mark this office's draft reports for a period submitted."),
                func=cmd_progress_submit)
    s.add_argument("--period", required=True, metavar="P", type=period_name,
                   help=_("period, e.g. 2026-S1"))
    s = command(psub, "reopen", _("reopen a submitted report for editing"),
                _("Put a submitted report back to draft."), func=cmd_progress_reopen)
    s.add_argument("action", metavar="ACTION", type=code_text, help=_("action code, e.g. PA2.3"))
    s.add_argument("--period", required=True, metavar="P", type=period_name,
                   help=_("period, e.g. 2026-S1"))
    s = command(psub, "list", _("list progress reports"), _("List merged progress reports."),
                func=cmd_progress_list)
    s.add_argument("--period", metavar="P", type=period_name, help=_("only this period"))
    s.add_argument("--office", metavar="O", type=code_text, help=_("only this office"))

    p = command(sub, "period", _("(HQ) lock or unlock a period"),
                _("Lock a period after its semester review, or unlock it."))
    psub = subcommands(p, "period_command")
    s = command(psub, "lock", _("lock a period"),
                _("Lock a period after its semester review: offices can no longer change its "
                  "reports once they receive the lock ('fieldplan status' names those changed "
                  "before that)."), func=cmd_period_lock, locked=True)
    s.add_argument("period", metavar="P", type=period_name, help=_("period, e.g. 2026-S1"))
    s = command(psub, "unlock", _("unlock a period"),
                _("Unlock a period so that offices can change its reports again."),
                func=cmd_period_lock, locked=False)
    s.add_argument("period", metavar="P", type=period_name, help=_("period, e.g. 2026-S1"))

    p = command(sub, "restore", _("put a backup in place of the database"),
                _("Put the latest automatic backup (or the one given) in place of a damaged "
                  "or missing database. The file it replaces is kept beside it, ending in "
                  ".damaged (in .replaced when it was not damaged). The restored database "
                  "continues as a new replica of this computer."),
                func=cmd_restore)
    p.add_argument("backup", nargs="?", metavar="BACKUP", type=file_name,
                   help=_("a backup file (default: the latest in the backups folder)"))
    p.add_argument("--force", action="store_true",
                   help=_("restore even when the database is not damaged (what it holds "
                          "that the backup does not is lost)"))

    p = command(sub, "digest", _("digest of an office's merged progress"),
                _("Print a hex digest of an office's merged progress, identical on every replica "
                  "holding the same data."), func=cmd_digest)
    p.add_argument("--office", metavar="O", type=code_text, help=_(
        "office code (default: this office; at headquarters, every office's progress)"))

    p = command(sub, "plan", _("(HQ) replace or save the plan"),
                _("Replace the plan from a file, or save it to a file."))
    psub = subcommands(p, "plan_command")
    s = command(psub, "import", _("replace the plan from a TOML, JSON, CSV or XLSX file"),
                _("Replace the plan from a TOML, JSON, CSV or XLSX file; the database is "
                  "backed up first. A plan that would hide reports already recorded (on "
                  "actions it drops or moves to another level, for periods outside its dates, "
                  "values of indicators it drops) is refused unless --allow-hiding is given."),
                func=cmd_plan_import)
    s.add_argument("file", metavar="FILE", type=file_name, help=_("plan file"))
    s.add_argument("--allow-hiding", action="store_true",
                   help=_("import even if recorded reports would no longer be shown (they "
                          "are kept, not deleted, and show again if a later version brings "
                          "their actions, periods or indicators back)"))
    s.add_argument("--dry-run", action="store_true",
                   help=_("read and check the file, and say what it would change and hide, "
                          "without changing anything; the exit status is the import's "
                          "(1 when it would be refused without --allow-hiding)"))
    s = command(psub, "export", _("save the plan to a file"),
                _("Save the plan as TOML, JSON, CSV or XLSX (by extension)."), func=cmd_plan_export)
    s.add_argument("-o", "--output", required=True, metavar="FILE", type=file_name,
                   help=_("plan file to write, its ending the format: .toml, .json, .csv "
                          "or .xlsx (a name without an ending gets .xlsx)"))

    p = command(sub, "demo", _("make a demo world: HQ and office databases, and bundles"),
                _("Make a demo world: an HQ database, office databases with realistic "
                  "progress, and the offices' bundles for headquarters."), func=cmd_demo,
                db=False)  # (its databases go into --out: --db is refused)
    p.add_argument("--out", required=True, metavar="DIR", type=folder_name,
                   # Translators: DIR is the option's value, hq.sqlite3, offices/ and
                   # bundles/ names of what it writes there: keep them as they are
                   help=_("folder to write it in: DIR/hq.sqlite3, DIR/offices/ and "
                          "DIR/bundles/ (made if missing; it may hold other files, "
                          "not a demo already)"))
    p.add_argument("--offices", type=whole_number, default=6, metavar="N",
                   help=_("number of country offices (1–57, default 6)"))
    p.add_argument("--seed", type=whole_number, default=1, metavar="S",
                   help=_("random seed (default 1)"))
    p.add_argument("--merge", action="store_true",
                   help=_("also import every office's bundle at headquarters"))


def _percent(text: str) -> int:
    """A whole number 0–100, as the client reads it ("45", "45 %", "٤٥٪"); anything else
    is a usage error (exit 2) whether it is no number or one out of range
    (record_progress checks it too, for other callers)."""
    from fieldplan.numbers import parse_percent

    value = parse_percent(text)
    if not isinstance(value, int):
        raise argparse.ArgumentTypeError(
            _("'{value}' is not a whole number").format(value=text))
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(
            _("percent must be between 0 and 100, not {value}").format(value=value))
    return value


def _key_value(text: str) -> tuple[str, float, str]:
    """KEY=NUMBER, the number read as the client reads it in the command's language
    ("9.5", "٩٫٥", "12,000" / "12 000", "١٢٬٠٠٠"), except that a plain "2.500" is read
    alike in every language and "1,250" is refused in every language
    (``numbers.parse_written``: a script gives the same value wherever it runs); one
    with two readings is refused, saying both. A percent sign at its end ("4.5%",
    "٤٫٥٪") is taken off, as the client's field of an indicator in percent takes it:
    the number typed is then the third item (else ""), for ``cmd_progress_set`` to
    refuse it on an indicator that is no percent, as that client's field does."""
    from fieldplan.numbers import (
        PERCENT_SIGNS,
        ascii_digits,
        parse_written,
        without_percent_sign,
        written_error,
    )

    key, sep, num = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(_("write KEY=NUMBER, not '{value}'").format(value=text))
    # (its direction marks aside, as the client's field reads it: a spreadsheet in
    # Arabic writes "٤٫٥٪" with a letter mark after the sign)
    signed = num if ascii_digits(num).strip().endswith(tuple(PERCENT_SIGNS)) else ""
    value = parse_written(without_percent_sign(num) if signed else num)
    if value is None or value == "":
        error = _("'{value}' is not a number").format(value=num)
        hint = written_error(num) if value is None else ""
        if hint and hint != _("Type a number."):
            # Translators: {error} is "'12.500' is not a number", {hint} how to type
            # it ("12.500 can be read two ways: type 12 500 or 12,5.")
            error = _("{error}. {hint}").format(error=error, hint=hint)
        raise argparse.ArgumentTypeError(error)
    return key, float(value), signed


# --- handlers -------------------------------------------------------------------------


def no_display() -> bool:
    """On Linux and the BSDs, whether there is no graphical session to open a window
    in (Qt would abort with a page of messages)."""
    env = os.environ
    return (sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd"))
            and not env.get("QT_QPA_PLATFORM")
            and not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"))


def cmd_gui(args: argparse.Namespace) -> int:
    if no_display():
        raise CommandError(_("the desktop client needs a graphical session (no display "
                             "here); every other command works without one, see "
                             "'fieldplan --help'"))
    try:
        from ui.app import run
    except ImportError as exc:
        raise CommandError(
            _("the desktop client cannot start: {error}").format(error=exc)) from exc
    return run(db=getattr(args, "db", None), demo=getattr(args, "demo", False),
               lang=getattr(args, "lang", None), files=getattr(args, "files", None) or ())


@contextlib.contextmanager
def _said_for_init(setup: str) -> Iterator[None]:
    """A file given to ``--from`` in a setup bundle's place (an email saved as a file)
    says to run ``init --from`` with the file to get instead (a folder's .DS_Store:
    that there is nothing in it to set this computer up from). Every refusal of the
    bundle names the file (``setup``): "not a fieldplan bundle (not a ZIP archive)"
    alone did not say which file, as import's and plan import's lines do."""
    from fieldplan.errors import BundleError
    from fieldplan.transit import INIT, SaidForUseError

    try:
        yield
    except BundleError as exc:
        said = str(exc.for_use(INIT) if isinstance(exc, SaidForUseError) else exc)
        if setup in said or str(Path(setup)) in said:
            raise CommandError(said) from None  # ("cannot open x.fieldplan: …")
        raise CommandError(_("{file}: {reason}").format(file=ltr(setup), reason=said)) from None


def cmd_init(args: argparse.Namespace) -> int:
    from fieldplan import replica

    path = resolve_db_path(args.db)
    aside = None
    if args.replace_revoked and not args.setup:
        raise UsageError(_("--replace-revoked goes with --from: a computer whose key "
                           "was revoked is set up again from a new setup bundle"))
    if args.replace_revoked:
        from fieldplan.sync.again import set_up_again

        with _said_for_init(args.setup):
            aside = set_up_again(path, Path(args.setup), author=args.author)
        rep = aside.replica
    elif args.hq:
        plan = None
        if args.plan:
            from fieldplan.plan import check_plan_size, load_plan

            # stored without control characters, titles of one line
            plan = load_plan(args.plan, clean=True, strict=True)
            check_plan_size(plan, Path(args.plan).name)  # init_hq checks it too, unnamed
        rep = replica.init_hq(path, plan=plan, author=args.author)
    else:
        if args.plan:
            raise UsageError(_("--plan goes with --hq; an office gets its plan from the "
                               "setup bundle"))
        from fieldplan.sync.enrol import init_from_setup

        with _said_for_init(args.setup):
            rep = init_from_setup(path, Path(args.setup), author=args.author)
    from fieldplan.cli import warn

    for notice in rep.take_notices():  # (the drafts of a database that was there)
        warn(notice)
    with rep:
        data = {"db": str(path), "role": rep.role, "office": rep.office,
                "replica": rep.replica_id, "plan": rep.plan_id}
        # one sentence per role: the role is a word of the sentence, never a code
        if rep.is_hq:
            text = _("Created headquarters replica {replica} in {db}")
        else:
            text = _("Created replica {replica} of office {office} in {db}")
        lines = [text.format(replica=rep.replica_id[:8], office=rep.office, db=ltr(path))]
        warnings: list[str] = []
        if aside is not None:
            from fieldplan.sync.again import aside_text

            data.update(moved_to=str(aside.aside), unsent=aside.unsent)
            lines.append(_("{label}: {n}").format(
                label=_("Old database"), n=aside_text(aside.aside, aside.unsent)))
        if not rep.is_hq:
            # the key the setup bundle was signed with, trusted from now on: a person
            # checks it with headquarters (a bundle of another is no setup of theirs)
            from fieldplan.sync.enrol import hq_key, hq_key_check_text

            hq = hq_key(rep)
            if hq is not None:
                check = hq_key_check_text()
                data.update(hq_key_id=hq.key_id, hq_fingerprint=hq.fingerprint,
                            hq_check=check)
                lines += [_("{label}: {n}").format(
                    label=_("Headquarters key"),
                    n=_("{key_id} (fingerprint {fingerprint})").format(
                        key_id=hq.key_id, fingerprint=ltr(hq.fingerprint))), check]
            from fieldplan.status import EXPORT_COMMAND
            from fieldplan.sync.enrol import key_deadline, key_deadline_text

            deadline = key_deadline(rep)  # (none from an older headquarters' bundle)
            if deadline:
                data["key_deadline"] = deadline
                # on stderr, as every command's warning ("fieldplan: warning: …")
                warnings.append(key_deadline_text(deadline, EXPORT_COMMAND))
        output(args, data, "\n".join(lines))
    for warning in warnings:
        warn(warning)
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from fieldplan.status import replica_status

    # which of a restore's warnings to stop (the bare flag: all, as it always did)
    kinds = ()
    if args.dismiss_lost:
        kinds = LOST_KINDS if "all" in args.dismiss_lost else tuple(args.dismiss_lost)
    with open_db(args) as rep:
        if kinds:
            from fieldplan.sync import dismiss_restore_warnings

            done = dismiss_restore_warnings(rep, kinds)
        st = replica_status(rep)
    data = st.to_dict()
    # which file this is (--db, else FIELDPLAN_DB, else the user data folder): a person
    # looking for their data, their backups beside it, had no command that named it
    database = os.path.abspath(resolve_db_path(getattr(args, "db", None)))
    data["database"] = database
    if kinds:
        if "own" in kinds:
            data["dismissed_lost"] = done.own
        if st.role == "hq" and "offices" in kinds:
            data["dismissed_offices_lost"] = sum(item["events"] for item in done.offices)
        if st.role == "hq" and "revoked" in kinds:
            data["dismissed_revoked_lost"] = sum(item["events"] for item in done.revoked)

    def human() -> None:
        from fieldplan.text import for_terminal

        if kinds:
            said_dismissed(done, st.role == "hq", all_kinds=set(kinds) == set(LOST_KINDS))
        # the translatable pattern: French puts a no-break space before the colon
        line = _("{label}: {n}")
        for label, value in st.lines(lang_of(args)):
            print(for_terminal(line.format(label=label, n=value)))
        # Translators: the label of the database file's path in 'fieldplan status'
        print(for_terminal(line.format(label=_("Database file"), n=database)))

    output(args, data, human)
    return 0


def said_dismissed(done: Dismissed, hq: bool, all_kinds: bool) -> None:
    """Print what ``status --dismiss-lost`` ended, one line a kind; a kind that was
    asked for by name and ended nothing says so (all of them: one line, when none
    ended anything)."""
    dismissed, offices, revoked = done.own, done.offices, done.revoked
    if dismissed and not hq:
        print(counted("Stopped warning about {n} change the restore lost.",
                      "Stopped warning about {n} changes the restore lost.",
                      dismissed))
    elif dismissed:
        print(counted(
            "Stopped warning about {n} change the restore lost; fieldplan warns again "
            "if offices report more.",
            "Stopped warning about {n} changes the restore lost; fieldplan warns again "
            "if offices report more.", dismissed))
    if offices:
        n = sum(item["events"] for item in offices)
        print(counted(
            "Stopped warning about {n} event received from {offices} that the restore "
            "lost; their figures here lack it (the review pack says so) until it "
            "comes back.",
            "Stopped warning about {n} events received from {offices} that the "
            "restore lost; their figures here lack them (the review pack says so) "
            "until they come back.", n, offices=join_list([item["office"] for item in offices])))
    for item in revoked:  # one a computer: each is found, or not, on its own
        print(counted(
            "Stopped warning about {n} event of {office}'s computer {replica}, whose "
            "key {key_id} was revoked, that the restore lost; its bundles, imported "
            "again, still bring it back.",
            "Stopped warning about {n} events of {office}'s computer {replica}, whose "
            "key {key_id} was revoked, that the restore lost; its bundles, imported "
            "again, still bring them back.", item["events"],
            office=item["office"], replica=str(item["replica"])[:8], key_id=item["key_id"]))
    if all_kinds:
        if not (dismissed or offices or revoked):
            print(_("No change lost in a restore to stop warning about."))
        return
    if "own" in done.kinds and not dismissed:
        print(_("No change lost in a restore to stop warning about."))
    if "offices" in done.kinds and not offices:
        print(_("No office's events lost in a restore to stop warning about."))
    if "revoked" in done.kinds and not revoked:
        print(_("No revoked computer's events lost in a restore to stop warning about."))


def cmd_restore(args: argparse.Namespace) -> int:
    from fieldplan import store

    path = resolve_db_path(getattr(args, "db", None))
    used, kept, skipped, lost, why = store.restore_backup(path, args.backup, force=args.force)
    try:
        rep = open_replica(path)  # continues as a new replica here
    except FieldplanError as exc:
        # the backup is in place: running restore again would put it back a second time
        raise CommandError(_(
            "{backup} is in place of {db}, but it could not take its new identity yet "
            "({error}); it does so when fieldplan next opens it: do not restore again")
            .format(backup=ltr(used.name), db=ltr(path), error=exc)) from exc
    with rep:
        from fieldplan.sync.state import restored_state

        restored = rep.meta("restored")
        # (an office) what it made after the backup and never sent: gone for good
        state = restored_state(rep) or {}
        data = {"backup": str(used),
                # where the replaced file went: "damaged", or "replaced" when it was sound
                "damaged": str(kept) if kept and lost is None else None,
                "replaced": str(kept) if kept and lost is not None else None,
                "passed_over": [str(p) for p in skipped],
                "passed_over_reasons": {str(p): w for p, w in zip(skipped, why, strict=True)},
                "lost": dict(zip(("own", "imported"), lost, strict=True)) if lost else None,
                "replica": rep.replica_id,
                "previous_replica": json.loads(restored)["replica"] if restored else None,
                "never_sent": state.get("never_sent", 0),
                "never_sent_changes": state.get("lost_changes", []) if not rep.is_hq
                else [],
                # exported before the restore, not acknowledged by headquarters then
                "unconfirmed": state.get("unconfirmed", 0),
                "sent_changes": state.get("sent_changes", []),
                "bundle": state.get("bundle") or None,
                # (HQ) offices' events it had received after the backup, per office
                "offices_lost": state.get("offices_lost", [])}

    def human() -> None:
        if skipped:
            print(counted("Passed over {n} newer file in the backups folder that is not a "
                          "usable backup: {files}.",
                          "Passed over {n} newer files in the backups folder that are not "
                          "usable backups: {files}.", len(skipped),
                          files=store.faults_text(list(why))))
        print(_("Put {backup} in place of {db}.").format(backup=ltr(used), db=ltr(path)))
        if kept:
            print(_("The file it replaced is kept as {file}.").format(file=ltr(kept)))
        if data["previous_replica"]:
            print(_("This database continues as a new replica, {replica} (it was {old}).")
                  .format(replica=data["replica"][:8], old=data["previous_replica"][:8]))
        if data["unconfirmed"]:
            from fieldplan.status import unconfirmed_text
            from fieldplan.text import for_terminal

            print(for_terminal(_("{label}: {n}").format(
                label=_("Sent, not acknowledged yet"), n=unconfirmed_text(state))))

    output(args, data, human)
    # what the restore lost, on stderr, as every command's warning ("fieldplan:
    # warning: …"), each lost change after it on a line of its own
    for item in data["offices_lost"]:
        warn(item["text"])
    if data["never_sent"]:
        from fieldplan.status import lost_lines, never_sent_text

        warn(never_sent_text(data["never_sent"], bool(data["never_sent_changes"])))
        for text in lost_lines(state):
            warn(_("{label}: {n}").format(label=_("Lost"), n=text))
    return 0


def cmd_actions(args: argparse.Namespace) -> int:
    from fieldplan.i18n import lead_label, level_label
    from fieldplan.plan import illustrative_note, marked_code

    lang = lang_of(args)
    with open_db(args) as rep:
        plan = rep.plan()
        area = args.area.upper() if args.area else None
        if area:
            plan.area(area)
        # under their areas, as the client's plan and the review pack show them: an
        # action added on the last row of a plan spreadsheet (PA1.7 after PA4.6) read
        # as the last area's (the table has no area column)
        areas = {a.code: i for i, a in enumerate(plan.areas)}
        acts = sorted(plan.actions_of(area=area, level=args.level),
                      key=lambda a: areas.get(a.area, len(areas)))
    # (an action an amendment added: its reports are due from that semester on)
    due = {a.code: str(plan.added[a.code][0]) for a in acts if a.code in plan.added}
    data = [
        {"code": a.code, "area": a.area, "level": a.level, "lead": a.lead,
         "title": a.title.get(lang), "indicators": [i.key for i in a.indicators],
         "illustrative": a.illustrative, "due_from": due.get(a.code)}
        for a in acts
    ]

    def table() -> None:
        from fieldplan.i18n import format_period

        # a placeholder's code marked ("PA1.2*"), explained under the table; the
        # semester reports are due from, for the actions an amendment added
        print_table(
            [(marked_code(a), level_label(a.level, lang), lead_label(a.lead, lang),
              *([format_period(due[a.code], lang) if a.code in due else ""] if due else []),
              a.title.get(lang)) for a in acts],
            [_("Action"), _("Level"), _("Lead"), *([_("Due from")] if due else []),
             _("Title")])
        if any(a.illustrative for a in acts):  # (no blank line: one line per row still)
            print(illustrative_note())

    output(args, data, table)
    return 0


#: ``progress set`` options that write a narrative, by field.
_NARRATIVE_OPTIONS = {"achievements": "--note", "challenges": "--challenges",
                      "next_steps": "--next-steps"}


def _refuse_percent_signs(rep, action: str, values: list[tuple[str, float, str]]) -> None:
    """A usage error for a ``--value`` typed with a percent sign (``_key_value``) on an
    indicator of ``action`` that is not measured in percent: "corridors=4%" is no
    number there, as the client's field for it says. (An unknown action or key is
    ``record_progress``'s to refuse.)"""
    signed = [(key, text) for key, _value, text in values if text]
    if not signed:
        return
    units = {i.key: i.unit for a in rep.plan().actions if a.code == action
             for i in a.indicators}
    for key, text in signed:
        if units.get(key, "percent") != "percent":
            # (argparse's own form, with its translation, as a number it refuses)
            raise UsageError(_("argument %(argument_name)s: %(message)s") % {
                "argument_name": "--value",
                "message": _("'{value}' is not a number").format(value=text)})


def cmd_progress_set(args: argparse.Namespace) -> int:
    from fieldplan.i18n import format_number, status_label

    if (args.status is None and args.percent is None and not args.value
            and args.note is None and args.challenges is None and args.next_steps is None):
        # the command line alone says it: a usage error, before the database is opened
        raise UsageError(_("nothing to record: give a status, percent, value or narrative"))
    given: dict[str, float] = {}
    for key, value, _signed in args.value:
        if given.get(key, value) != value:
            # (the last one was recorded without a word, the first lost: "women=5
            # --value women=7" where men=7 was meant)
            from fieldplan.text import for_message

            # Translators: {key} is an indicator's key ("officials-trained"), {first}
            # and {second} the two numbers given for it
            raise UsageError(_("--value {key} is given twice, {first} and {second}: give "
                               "each indicator one value").format(
                key=for_message(key), first=format_number(given[key]),
                second=format_number(value)))
        given[key] = value
    # (its spaces too: "PA1.1 " pasted was recorded, then read back under " PA1.1 ",
    # no report: its lines, --json's fields and the form's warnings were left out)
    action, period = args.action.strip().upper(), period_of(args)
    with open_db(args) as rep:
        _refuse_percent_signs(rep, action, args.value)
        try:
            changes = prog.record_progress(
                rep, action, period, status=args.status, percent=args.percent,
                values=given, achievements=args.note, challenges=args.challenges,
                next_steps=args.next_steps, require_status=True)
        except prog.StatusNeededError as exc:
            raise CommandError(_(
                "a new report with progress ({percent}%) needs a status too: add --status, "
                "e.g. --status on-track").format(percent=exc.percent)) from None
        except prog.TextTooLongError as exc:
            raise CommandError(_(
                "{field} is {length} characters long; the limit is {limit}").format(
                field=_NARRATIVE_OPTIONS.get(exc.field, exc.field),
                length=format_number(exc.length), limit=format_number(exc.limit))) from None
        report = prog.get_report(rep, action, period)
        # what the client's report form says under its fields, in its words (as
        # 'progress submit' and the submit dialog say it again)
        problems = (prog.not_started_problem(rep.plan(), period),
                    *prog.report_warnings(report, rep.plan().action(action))) \
            if report is not None and changes.events else ()
        revoked = key_revoked(rep)
        replaced = key_replaced_by(rep) if revoked else ""
    # the change is saved: from here on, nothing may fail
    data = {"action": action, "period": period, "changed": bool(changes.events)}
    status = args.status or ""
    if report is not None:
        data = prog.report_to_dict(report) | data
        status = report.status
    with contextlib.suppress(ValueError):  # a status only a newer version knows
        status = status_label(status, lang_of(args))
    msg = (_("Recorded {action} for {period}: {status}") if changes.events
           else _("No change to {action} for {period}: {status}"))
    output(args, data, msg.format(action=action, period=period_text(period), status=status))
    for problem in problems:
        if problem:
            warn(problem)
    if revoked and changes.events:
        warn(revoked_work_text(REPLACE_REVOKED_COMMAND, replaced))
    return 0


def cmd_progress_submit(args: argparse.Namespace) -> int:
    from fieldplan.planops import PlanScope, hidden_drafts
    from fieldplan.sync.conflicts import actions_apart, period_conflicts, split_apart

    period = period_of(args)
    with open_db(args) as rep:
        changes = prog.submit_period(rep, period)
        not_started = prog.not_started_problem(rep.plan(), period) if changes.events else ""
        left_out = hidden_drafts(rep, period)
        # nothing submitted: whether this office's reports for it were submitted already
        # (else it has none), to say why; those the plan shows, as its window and the
        # review pack count them ("its 4 reports" of an office shown 3 read as one lost)
        submitted_before = 0 if changes.events else sum(
            r.state == "submitted" for r in PlanScope(rep.plan()).shown(
                prog.list_reports(rep, period, rep.office)))
        # nothing submitted: the plan may have no action this office reports on at all
        # (then 'progress set' refuses every one of them)
        from fieldplan.offices import level_for_office

        level = level_for_office(rep.office)
        no_action = not changes.events and not rep.plan().actions_of(level=level)
        revoked = key_revoked(rep)
        replaced = key_replaced_by(rep) if revoked else ""
        # two computers wrote these reports differently (or one computer's history
        # holds versions that do not replace each other): the values shown here were
        # submitted, the others unseen (as the client's submit dialog warns)
        in_conflict = list(period_conflicts(rep, period))
        # (told apart: those two computers wrote, those whose versions one computer's
        # history holds alone, no second computer wrote them; a report of both kinds
        # is in each warning)
        apart, alone = split_apart(actions_apart(rep, rep.office, period, in_conflict),
                                   in_conflict)
        # what the client's report form warned of in the reports just submitted (as its
        # submit dialog says them): read-only now, their form says it no more
        submitted_ids = {rid for _entity, rid in changes.entities}
        actions = {action.code: action for action in rep.plan().actions}
        warnings = [line for report in prog.list_reports(rep, period, rep.office)
                    if report.action in actions and prog.report_id(
                        report.office, report.action, report.period) in submitted_ids
                    for line in prog.report_warnings(report, actions[report.action])]

    def human() -> None:
        from fieldplan.text import for_terminal

        if changes.events:
            print(counted("Submitted {count} report for {period}",
                          "Submitted {count} reports for {period}", changes.events,
                          period=period_text(period)))
        else:
            print(nothing_to_submit_text(period, submitted_before, hidden=bool(left_out),
                                         level=level if no_action else ""))
        if left_out:
            print(for_terminal(counted(
                "Left out {count} draft the plan hides ({actions}): it is kept, as a draft",
                "Left out {count} drafts the plan hides ({actions}): they are kept, as drafts",
                len(left_out), actions=join_list(left_out))))

    output(args, {"period": period, "submitted": changes.events,
                  "hidden_left_out": list(left_out), "in_conflict": in_conflict}, human)
    if not_started:
        warn(not_started)
    for line in warnings:
        warn(line)
    if apart:
        warn(counted(
            "{count} report of {period} is still in conflict ({actions}): two computers "
            "wrote different values, and the values shown here count until it is settled "
            "(see 'fieldplan conflicts list')",
            "{count} reports of {period} are still in conflict ({actions}): two computers "
            "wrote different values, and the values shown here count until they are "
            "settled (see 'fieldplan conflicts list')", len(apart),
            period=period_text(period), actions=join_list(apart)))
    if alone:
        warn(counted(
            "{count} report of {period} is still in conflict ({actions}): one computer's "
            "history holds versions of it that do not replace each other, and the values "
            "shown here count until it is settled (see 'fieldplan conflicts list')",
            "{count} reports of {period} are still in conflict ({actions}): one "
            "computer's history holds versions of them that do not replace each other, "
            "and the values shown here count until they are settled (see 'fieldplan "
            "conflicts list')", len(alone),
            period=period_text(period), actions=join_list(alone)))
    if revoked and changes.events:
        warn(revoked_work_text(REPLACE_REVOKED_COMMAND, replaced))
    return 0


def nothing_to_submit_text(period: str, submitted: int, hidden: bool,
                           level: str = "") -> str:
    """What ``progress submit`` says when it submitted nothing for ``period``, and why:
    the only drafts are ones the plan hides (``hidden``: they are listed next), the
    plan has no action at this office's ``level`` (given only then: ``progress set``
    would refuse each), this office's ``submitted`` reports were all submitted
    already, or it has none."""
    shown = period_text(period)
    if hidden:
        return _("Nothing to submit for {period}: its only drafts are ones the plan "
                 "hides").format(period=shown)
    if level:
        from fieldplan.i18n import level_label

        # Translators: {level} is a level's name, capitalised as the status sheet
        # writes it in its "Reports: none, the current plan has no action at this
        # office's level (National)"
        return _("Nothing to submit for {period}: the current plan has no action at this "
                 "office's level ({level})").format(period=shown, level=level_label(level))
    if submitted:
        return counted(
            "Nothing to submit for {period}: this office's report for it is submitted "
            "already",
            "Nothing to submit for {period}: this office's {count} reports for it are all "
            "submitted already", submitted, period=shown)
    return _("Nothing to submit for {period}: this office has no report for it yet (record "
             "one with 'fieldplan progress set')").format(period=shown)


def cmd_progress_reopen(args: argparse.Namespace) -> int:
    action, period = args.action.strip().upper(), period_of(args)
    with open_db(args) as rep:
        prog.reopen_report(rep, action, period)
    output(args, {"action": action, "period": period, "state": "draft"},
           _("Reopened {action} for {period}").format(action=action,
                                                        period=period_text(period)))
    return 0


def cmd_progress_list(args: argparse.Namespace) -> int:
    from fieldplan.i18n import format_percent, state_label, status_label
    from fieldplan.offices import HQ, check_office
    from fieldplan.plan import in_listing_order
    from fieldplan.planops import PlanScope, why_hidden_text
    from fieldplan.text import cell_excerpt

    lang = lang_of(args)
    period = period_of(args) if args.period else None
    with open_db(args) as rep:
        office = check_office(args.office) if args.office else None
        # as the client's Reports page lists them (by the codes as text: HQ among the
        # countries, PA1.10 before PA1.2)
        reports = in_listing_order(prog.list_reports(rep, period=period, office=office),
                                   lang)
        scope = PlanScope(rep.plan())
        from fieldplan.sync.receipts import hq_receipts

        # (an office) whether headquarters' receipts cover each report's version
        receipts = hq_receipts(rep, period=period)
    why = [scope.why_hidden(r.office, r.action, r.period) for r in reports]
    # plan_hidden: why the plan hides the report, as the data export's column says it
    # (action, period, level); [] when it shows it. hq_has: null at headquarters
    data = [prog.report_to_dict(r) | {"plan_hidden": list(w),
                                      "hq_has": _hq_has(receipts, r)}
            for r, w in zip(reports, why, strict=True)]

    def human() -> None:
        if not reports:
            # (headquarters' own reports, on global actions, are no "bureau HQ"'s)
            if period and office == HQ:
                msg = _("No progress reports from headquarters for {period}.")
            elif period and office:
                msg = _("No progress reports from {office} for {period}.")
            elif period:
                msg = _("No progress reports for {period}.")
            elif office == HQ:
                msg = _("No progress reports from headquarters.")
            elif office:
                msg = _("No progress reports from {office}.")
            else:
                msg = _("No progress reports.")
            print(msg.format(office=office, period=period and period_text(period)))
            return
        headers = [_("Office"), _("Action"), _("Period"), _("Status"), _("Percent"),
                   _("State"), _("Note")]
        table = [[r.office, r.action, r.period, status_label(r.status, lang),
                  "" if r.percent is None else format_percent(r.percent, lang),
                  state_label(r.state, lang), cell_excerpt(r.achievements, 40)]
                 for r in reports]
        if any(why):  # said at the end of the line, only when some are hidden
            headers.append(_("Hidden by the plan"))
            for row, w in zip(table, why, strict=True):
                row.append(why_hidden_text(w))
        print_table(table, headers)

    output(args, data, human)
    return 0


def _hq_has(receipts: dict | None, report) -> bool | None:
    """``progress list``'s ``hq_has``: whether headquarters' receipts cover the
    report's version (``receipts.hq_receipts``); None at headquarters."""
    if receipts is None:
        return None
    receipt = receipts.get(prog.report_id(report.office, report.action, report.period))
    return receipt is not None and receipt.held


def cmd_period_lock(args: argparse.Namespace) -> int:
    from fieldplan.sync import lock_check

    period = period_of(args)
    with open_db(args) as rep:
        # what the lock leaves undone or stuck, as the client's confirmation says it
        said = lock_check(rep, period).warnings() if args.locked else ()
        changes = prog.set_period_lock(rep, period, args.locked)
    if changes.events:
        msg = _("Locked {period}") if args.locked else _("Unlocked {period}")
    else:
        msg = _("{period} is already locked") if args.locked else _("{period} was not locked")
        said = ()  # locked before: nothing this command did
    data = {"period": period, "locked": args.locked, "changed": bool(changes.events)}
    if said:
        data["warnings"] = list(said)
    output(args, data, msg.format(period=period_text(period)))
    for sentence in said:  # on stderr: stdout stays the one line a script reads
        warn(sentence)
    if said:
        # (the client asks before it locks; the command line has locked already, so
        # its warnings end with the way back: the lock reaches offices only with
        # headquarters' next bundles)
        # Translators: {command} is a command, not to be translated (fieldplan period
        # unlock 2026-S1), quoted as other commands are
        warn(_("If that was not meant, unlock it before offices receive headquarters' "
               "next bundles: '{command}'").format(
                   command=ltr(f"fieldplan period unlock {period}")))
    return 0


def cmd_digest(args: argparse.Namespace) -> int:
    with open_db(args) as rep:
        office = None
        if args.office:
            from fieldplan.offices import HQ, check_office

            office = check_office(args.office)
            if not rep.is_hq and office not in (rep.office, HQ):
                # an office holds its own reports and headquarters' (HQ's bundles carry
                # them whole), no other office's: the digest of nothing it would print
                # matches no other database's of that office
                raise CommandError(_("this database is office {own}'s: it holds no "
                                     "reports of {office} (their digest is at "
                                     "headquarters, or at {office})").format(
                                         own=rep.office, office=office))
            if rep.is_hq and office != HQ:
                from fieldplan.sync.export import check_known_office

                # a slip of the keyboard (MR for ML) printed the digest of nothing,
                # which differs from ML's own: read as its data gone astray
                check_known_office(rep, office)
        value = prog.digest(rep, office)
        office = office or (None if rep.is_hq else rep.office)
    output(args, {"office": office, "digest": value}, value)
    return 0


def cmd_plan_import(args: argparse.Namespace) -> int:
    from fieldplan.plan_diff import (
        targets_below_zero_text,
        targets_not_whole_text,
        untranslated_text,
        unused_unit_words_text,
    )
    from fieldplan.planops import (
        PlanHidesReportsError,
        change_result,
        install_plan,
        preview_plan_file,
    )

    path = Path(args.file)
    with open_db(args) as rep:
        change = preview_plan_file(rep, path)
        if args.dry_run:
            result = change_result(rep, change)
        else:
            try:
                result = install_plan(rep, change.plan, path.name,
                                      allow_hiding=args.allow_hiding)
            except PlanHidesReportsError as exc:
                raise CommandError(_("{error}. Check the file; if the reports are to be "
                                     "hidden, run the import again with --allow-hiding")
                                   .format(error=exc)) from exc
    # the fr and ar columns may be left out: said, not refused
    missing = untranslated_text(change.untranslated)
    if missing:
        warn(missing)
    # a count's target below zero, as 'progress set' says of an actual: said, not refused
    below = targets_below_zero_text(change.below_zero)
    if below:
        warn(below)
    not_whole = targets_not_whole_text(change.not_whole)
    if not_whole:
        warn(not_whole)
    unused = unused_unit_words_text(change.unused_unit_words)
    if unused:
        warn(unused)
    if change.to_update:
        warn(change.to_update_text())
    if change.units_over_values:
        warn(change.units_over_values_text())

    def human() -> None:
        if result["unchanged"] and args.dry_run:
            # (not "nothing was changed": a dry run changes nothing whatever the file)
            print(_("Dry run: plan {plan} version {version} is already installed; nothing "
                    "would change").format(plan=result["plan"], version=result["version"]))
            return
        if result["unchanged"]:
            print(_("Plan {plan} version {version} is already installed; nothing was "
                    "changed").format(plan=result["plan"], version=result["version"]))
            return
        if args.dry_run:
            print(_("Dry run: version {version} of plan {plan} would replace version "
                    "{installed}; nothing was changed").format(
                        plan=result["plan"], version=result["version"],
                        installed=change.installed.version))
        else:
            print(ngettext(
                "Plan {plan} version {version} imported ({actions} action)",
                "Plan {plan} version {version} imported ({actions} actions)",
                result["actions"]).format(plan=result["plan"], version=result["version"],
                                          actions=result["actions"]))
        print_changes(change)
        if change.due_from:
            print(change.due_text())
        if args.dry_run:
            print_would_hide(change, args.allow_hiding)
            return
        # reports are never deleted: what it hid now, counted as the dry run counts it
        newly = print_hid(result)

        def still(key: str, newly_key: str) -> list[str]:
            # hidden already by an earlier version (said then): still hidden, kept
            return [code for code in result[key] if code not in newly[newly_key]]
        if still("orphaned_actions", "actions"):
            print(_("Reports on actions this version no longer has are kept, but no longer "
                    "shown in the plan: {actions}").format(
                        actions=join_list(still("orphaned_actions", "actions"))))
        if still("hidden_levels", "levels"):
            print(_("Reports of offices on actions this version puts at another level than "
                    "theirs are kept, but no longer shown: {actions}").format(
                        actions=join_list(still("hidden_levels", "levels"))))
        if still("hidden_periods", "periods"):
            print(_("Reports for periods outside this version's dates are kept, but no "
                    "longer shown: {periods}").format(
                        periods=periods_text(still("hidden_periods", "periods"))))
        if still("hidden_values", "values"):
            print(_("Values of indicators this version no longer has are kept, but no "
                    "longer shown: {indicators}").format(
                        indicators=join_list(still("hidden_values", "values"))))

    output(args, result, human)
    # the status the import would have: 'plan import --dry-run F && plan import F'
    return 1 if args.dry_run and change.hidden and not args.allow_hiding else 0


def print_changes(change: PlanChange) -> None:
    """What a new plan changes, a short line each under a heading (plan import)."""
    from fieldplan.i18n import get_language, is_rtl
    from fieldplan.plan_diff import INDENT
    from fieldplan.text import for_terminal, isolates_as_marks

    rtl = is_rtl(get_language())
    lines = change.diff.lines()
    if not lines:
        print(_("Changes from version {installed}: none to its areas, actions, indicators "
                "or dates").format(installed=change.installed.version))
        return
    print(_("Changes from version {installed}:").format(installed=change.installed.version))
    for line in lines:
        # (a title quoted in a line is isolated: marks in a terminal)
        line = isolates_as_marks(for_terminal(line), rtl)
        if rtl and line.startswith(INDENT):
            # a retitled item's line begins with its code: read right to left all the
            # same, as the lines around it (a terminal takes the first letter's)
            line = "\u200f" + line
        print("  " + line)


def print_hid(result: dict) -> dict[str, list[str]]:
    """What an import hid of the reports held, in the dry run's words and counts
    (``print_would_hide``), said after it; its ``newly_hidden``, of the result."""
    from fieldplan.planops import Hidden

    newly = result["newly_hidden"]
    hidden = Hidden(*(tuple(newly[k]) for k in ("actions", "periods", "values", "levels")))
    if not hidden:
        return newly
    if result["reports_hidden"]:
        print(counted(
            "It hid {n} report recorded so far (kept in the database, not deleted):",
            "It hid {n} reports recorded so far (kept in the database, not deleted):",
            result["reports_hidden"]))
    else:
        print(_("It hid indicator values recorded so far (kept in the database, not "
                "deleted):"))
    for part in hidden.parts():
        print("  " + part)
    return newly


def print_would_hide(change: PlanChange, allow_hiding: bool) -> None:
    """What a new plan would hide of the reports held (plan import --dry-run)."""
    if not change.hidden:
        print(_("It would hide none of the reports recorded so far"))
        return
    if change.reports:
        print(counted(
            "It would hide {n} report recorded so far (kept in the database, not deleted):",
            "It would hide {n} reports recorded so far (kept in the database, not deleted):",
            change.reports))
    else:
        print(_("It would hide indicator values recorded so far (kept in the database, not "
                "deleted):"))
    for part in change.hidden.parts():
        print("  " + part)
    if not allow_hiding:
        print(_("The import would be refused without --allow-hiding"))


def cmd_plan_export(args: argparse.Namespace) -> int:
    from fieldplan.planops import write_plan_file

    # -o plan.pdf: a usage error; -o plan: plan.xlsx
    args.output = check_output_name("plan", args.output)
    with open_db(args) as rep:
        plan = rep.plan()
        # while the database is open: its files and backups folder are protected
        write_plan_file(plan, Path(args.output))
    output(args, {"path": str(args.output), "plan": plan.id, "version": plan.version},
           str(args.output))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from fieldplan.demo import make_demo

    if not 1 <= args.offices <= 57:
        raise UsageError(_("--offices must be between 1 and 57"))
    if getattr(args, "db", None):
        # (given on the command line only: FIELDPLAN_DB, set for the person's own
        # database, is no reason to refuse) it was left unused without a word
        raise UsageError(_("demo writes its databases into the folder --out names "
                           "(hq.sqlite3 and offices/CODE.sqlite3): it takes no --db"))
    out = Path(args.out)
    world = make_demo(out, offices=args.offices, seed=args.seed, merge=args.merge,
                      progress=None if getattr(args, "json", False) else _demo_progress)
    fields = {"dir": ltr(out), "bundles": ltr(out / "bundles")}
    if world.merged:
        # Translators: {dir} is the demo's folder, {bundles} the folder of the offices'
        # bundles in it; headquarters' database has imported them already
        done = counted("Demo world in {dir}: HQ and {count} office, its bundle in "
                       "{bundles}, merged at HQ",
                       "Demo world in {dir}: HQ and {count} offices, their bundles in "
                       "{bundles}, merged at HQ", len(world.offices), **fields)
    else:
        # Translators: {dir} is the demo's folder, {bundles} the folder of the offices'
        # bundles in it (not imported at headquarters)
        done = counted("Demo world in {dir}: HQ and {count} office, its bundle in {bundles}",
                       "Demo world in {dir}: HQ and {count} offices, their bundles in "
                       "{bundles}", len(world.offices), **fields)
    output(args, world.to_dict(), done)
    return 0


def _demo_progress(done: int, total: int, label: str) -> None:
    if os.isatty(2):
        print(f"\r{done}/{total} {label}".ljust(60), end="", flush=True, file=sys.stderr)
        if done == total:
            print(file=sys.stderr)
