"""Commands that move data between replicas: office enroll, export, import, verify,
keys, conflicts."""

from __future__ import annotations

import argparse
import sys

from fieldplan import sync
from fieldplan.cli import (
    CommandError,
    UsageError,
    check_output_name,
    code_text,
    command,
    fail_line,
    file_name,
    folder_name,
    identifier,
    output,
    print_table,
    reopen_command,
    stopped_line,
    subcommands,
    warn,
)
from fieldplan.cli.core_cmds import open_db
from fieldplan.errors import BundleNameTakenError, KeyAlreadySettledError
from fieldplan.i18n import (
    _,
    counted,
    format_number,
    join_clauses,
    join_list,
    key_replica_label,
    key_status_label,
    ltr,
    ngettext,
)
from fieldplan.offices import HQ, REGIONAL_OFFICES
from fieldplan.store import resolve_db_path
from fieldplan.sync.keys import where_office_reads_key


def register(sub: argparse._SubParsersAction) -> None:
    p = command(sub, "office", _("(HQ) enrol an office"),
                _("Headquarters: write the setup bundle an office starts from."))
    osub = subcommands(p, "office_command")
    s = command(osub, "enroll", _("write a setup bundle for an office"),
                _("Write a setup bundle for an office. It holds a secret enrolment token: send "
                  "it to that office only. Every computer of the office can be set up from "
                  "it for 90 days."), func=cmd_enroll)
    s.add_argument("code", metavar="CODE", type=code_text,
                   help=_("office code: an OIC member's ISO code (e.g. ML) or a regional "
                          "office's ({offices})").format(offices=join_list(REGIONAL_OFFICES)))
    s.add_argument("-o", "--output", required=True, metavar="FILE", type=file_name,
                   help=_("setup bundle to write (a name without an ending gets "
                          ".fieldplan), or a folder to write it in"))

    p = command(sub, "export", _("write a signed bundle"),
                _("Write a signed bundle of what the recipient has not acknowledged yet, and "
                  "print its path."), func=cmd_export)
    p.add_argument("--for", dest="for_office", metavar="OFFICE", type=code_text,
                   help=_("who the bundle is for: at headquarters an office's code "
                          "(required); at an office only HQ, the default"))
    where = p.add_mutually_exclusive_group()
    where.add_argument("-o", "--output", metavar="FILE", type=file_name,
                       help=_("bundle file to write (a name without an ending gets "
                              ".fieldplan), or a folder to write it in"))
    where.add_argument("--dir", metavar="DIR", type=folder_name,
                       help=_("folder to write the bundle in"))
    p.add_argument("--full", action="store_true",
                   help=_("carry everything, not only what was not acknowledged"))
    p.add_argument("--all-offices", action="store_true",
                   help=_("(HQ) one bundle for each office headquarters knows, into the "
                          "folder given with --dir"))

    p = command(sub, "import", _("verify and merge bundles"),
                _("Verify and merge bundles; for each file say merged, duplicate, quarantined or "
                  "rejected (exit 1 if any was rejected). A folder brings the bundles in it, "
                  "as one dropped on the client's window: its .fieldplan and .zip files (not "
                  "those of its subfolders, nor hidden ones), in name order."), func=cmd_import)
    p.add_argument("files", nargs="+", metavar="FILE", type=file_name,
                   help=_("bundle files, or folders of bundles"))

    p = command(sub, "verify", _("check a bundle without importing it"),
                _("Check a bundle without importing it."), func=cmd_verify)
    p.add_argument("file", metavar="FILE", type=file_name, help=_("bundle file"))

    p = command(sub, "keys", _("key management"),
                _("Show, list, trust, refuse, revoke and rotate keys."))
    ksub = subcommands(p, "keys_command")
    s = command(ksub, "show", _("show this replica's public key"),
                _("Show this replica's public key."), func=cmd_keys_show)
    s.add_argument("--minisign", action="store_true",
                   help=_("print it as a minisign public key file (with --json: that "
                          "file's text in the field minisign)"))
    s = command(ksub, "list", _("list known keys and keys waiting in quarantine"),
                _("List known keys and keys waiting in quarantine."), func=cmd_keys_list)
    s = command(ksub, "trust", _("trust a quarantined key by its fingerprint"),
                _("Trust the key of quarantined bundles, after checking its fingerprint with the "
                  "office, and merge them."), func=cmd_keys_trust)
    s.add_argument("fingerprint", metavar="FPR", type=_fingerprint, help=_("the key's fingerprint"))
    s.add_argument("--dry-run", action="store_true",
                   help=_("say what trusting the key would merge (its bundles waiting in "
                          "quarantine: events, offices, periods, locked periods, "
                          "conflicts) and change nothing (--json: bundles, events, "
                          "events_new, offices, periods, locked_periods, conflicts, "
                          "unread, too_large, refused, fingerprint, replaces_key, "
                          "replaces, dry_run)"))
    s = command(ksub, "refuse", _("refuse a quarantined key by its fingerprint"),
                _("Refuse the bundles of a quarantined key whose fingerprint the office did "
                  "not confirm: they leave quarantine and nothing of them is merged."),
                func=cmd_keys_refuse)
    s.add_argument("fingerprint", metavar="FPR", type=_fingerprint, help=_("the key's fingerprint"))
    s = command(ksub, "revoke", _("(HQ) revoke a key"),
                # (a bundle written before the revocation is refused as well: what
                # headquarters held of the computer then is all it keeps)
                _("Revoke a key: every bundle it signed, even one written before, is "
                  "refused beyond what headquarters already held."), func=cmd_keys_revoke)
    s.add_argument("key_id", metavar="KEYID", type=identifier,
                   help=_("key id (or the key's whole fingerprint, as 'keys list' shows it)"))
    s = command(ksub, "rotate", _("give this replica a new key"),
                _("Give this replica a new key pair; the old key endorses the new one in the "
                  "next bundles."), func=cmd_keys_rotate)

    p = command(sub, "conflicts", _("review and resolve conflicts"),
                _("Review and resolve conflicting changes."))
    csub = subcommands(p, "conflicts_command")
    s = command(csub, "list", _("list open conflicts"), _("List open conflicts."),
                func=cmd_conflicts_list)
    s = command(csub, "show", _("show every version of a conflict in full"),
                _("Show every version of a conflict in full, with the computer, author and "
                  "time of each."), func=cmd_conflicts_show)
    s.add_argument("id", metavar="ID", type=identifier, help=_("conflict id"))
    s = command(csub, "resolve", _("resolve a conflict by keeping one value"),
                # (--keep-both keeps no one value: "keeping one of its values" alone hid it)
                _("Resolve a conflict by keeping one of its values (--keep), or, of a "
                  "narrative, every version's text (--keep-both)."),
                func=cmd_conflicts_resolve)
    s.add_argument("id", metavar="ID", type=identifier, help=_("conflict id"))
    keep = s.add_mutually_exclusive_group(required=True)
    keep.add_argument("--keep", metavar="VALUE_ID", type=identifier,
                      help=_("the value to keep"))
    keep.add_argument("--keep-both", action="store_true",
                      help=_("of a narrative: keep every version's text, one after the "
                             "other, the earliest first"))
    s.add_argument("--seen", metavar="VALUE_IDS", action="append", type=identifier,
                   help=_("the value ids of the versions you were shown ('conflicts "
                          "list' prints them), separated by commas: nothing is changed "
                          "when a version of another value arrived since"))


def cmd_enroll(args: argparse.Namespace) -> int:
    # -o progress.csv: a usage error; -o ML-setup: ML-setup.fieldplan
    args.output = check_output_name("bundle", args.output)
    with open_db(args) as rep:
        try:
            result = sync.enroll_office(rep, args.code, args.output)
        except BundleNameTakenError as exc:
            # Translators: {error} ends "…; choose another file"
            raise CommandError(_("{error}, or give -o a folder to have a name chosen that "
                                 "is not in use").format(error=exc)) from None
    output(args, result.to_dict(), str(result.path))
    if result.warning:  # a format older fieldplans refuse
        warn(result.warning)
    if result.note:  # on stderr: the path stays the only line a script reads
        warn(result.note)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    if args.all_offices:
        return _export_all_offices(args)
    if args.output:
        # -o progress.csv: a usage error; -o ML-S1: ML-S1.fieldplan
        args.output = check_output_name("bundle", args.output)
    with open_db(args) as rep:
        if rep.is_hq and not args.for_office:  # the command line lacks it: exit 2
            raise UsageError(_("headquarters exports for one office: name it with --for, "
                               "or write one bundle per office with --all-offices --dir DIR"))
        _check_export_side(rep, args.for_office)
        try:
            result = sync.export_bundle(rep, for_office=args.for_office,
                                        out_file=args.output, out_dir=args.dir,
                                        full=args.full)
        except BundleNameTakenError as exc:
            # Translators: {error} ends "…; choose another file"
            raise CommandError(_("{error}, or use --dir to have a name chosen that is not "
                                 "in use").format(error=exc)) from None
    output(args, result.to_dict(), str(result.path))
    if result.warning:
        warn(result.warning)
    if result.note:  # on stderr: the path stays the only line a script reads
        warn(result.note)
    if result.again:
        warn(sync.saved_again_text())
    return 0


def _check_export_side(rep, for_office: str | None) -> None:
    """UsageError (exit 2) when --for names the wrong side for this database:
    headquarters itself at headquarters, another office at an office. The command
    line is wrong, as headquarters' export with no --for is; the core says so too (a
    code that is no office's is left to it)."""
    from fieldplan.errors import ValidationError
    from fieldplan.offices import HQ, check_office

    if not for_office:
        return
    try:
        recipient = check_office(for_office)
    except ValidationError:
        return
    if rep.is_hq and recipient == HQ:
        raise UsageError(_("headquarters exports for an office, not for itself"))
    if not rep.is_hq and recipient != HQ:
        raise UsageError(_("an office exports for headquarters only (--for HQ)"))


def _export_all_offices(args: argparse.Namespace) -> int:
    """``export --all-offices --dir DIR``: the path of each bundle as it is written
    (stdout holds only paths, as for one bundle), what failed and the count on stderr;
    exit 1 if any office has no bundle."""
    from fieldplan.text import for_terminal

    if args.for_office or args.output:
        raise UsageError(_("--all-offices writes one bundle per office into --dir: it goes "
                           "with neither --for nor -o"))
    if not args.dir:
        raise UsageError(_("--all-offices needs --dir DIR, the folder to write the bundles in"))
    human = not args.json

    def said(one: sync.OfficeExport) -> None:
        if not human:
            return
        if one.result is not None:
            print(one.result.path, flush=True)
        else:
            # Translators: {office} is an office code, {reason} why its bundle failed
            fail_line(_("no bundle for {office}: {reason}").format(
                office=one.office, reason=for_terminal(one.reason)))

    with open_db(args) as rep:
        if not rep.is_hq:  # the command line is wrong for this database: exit 2
            raise UsageError(_("only headquarters writes bundles for every office; an "
                               "office exports for headquarters"))
        done = sync.export_all_offices(rep, args.dir, full=args.full, each=said)
    output(args, done.to_dict(), lambda: None)
    if human:
        for warning in dict.fromkeys(r.warning for r in done.written if r.warning):
            warn(warning)
        sys.stderr.write(_all_offices_summary(done) + "\n")
    return 1 if done.failed else 0


def _all_offices_summary(done: sync.AllOfficesExport) -> str:
    written, total = len(done.written), len(done.offices)
    folder = str(done.folder)
    if not done.failed:
        text = counted("{count} bundle written in {folder}",
                       "{count} bundles written in {folder}", written, folder=ltr(folder))
    else:
        text = ngettext("{count} of {total} bundle written in {folder}",
                        "{count} of {total} bundles written in {folder}", total).format(
            count=format_number(written), total=format_number(total), folder=ltr(folder))
        text = join_clauses([text, ngettext(
            "{failed} office has none (said above)", "{failed} offices have none (said above)",
            len(done.failed)).format(failed=format_number(len(done.failed)))])
    receipts = sum(1 for r in done.written if r.note)
    if receipts:
        # Translators: follows "12 bundles written in DIR"
        text = join_clauses([text, counted(
            "{count} of them carries no new entries, only receipts",
            "{count} of them carry no new entries, only receipts", receipts)])
    again = sum(1 for r in done.written if r.again)
    if again:
        # (as one export's warning says it: "3 bundles written" alone read as new
        # files beside the ones saved before)
        # Translators: follows "12 bundles written in DIR"
        text = join_clauses([text, counted(
            "{count} of them holds nothing new since the bundle saved before under its "
            "name: saved again in its place, not as a second file",
            "{count} of them hold nothing new since the bundles saved before under their "
            "names: saved again in their place, not as second files", again)])
    return text


def bundle_file_problem(name: str) -> str:
    """Why ``name`` cannot be read as a bundle file (missing, a folder, a device…), in
    a few words; "" when it is a regular file."""
    import os
    import stat

    try:
        mode = os.stat(name).st_mode
    except FileNotFoundError:
        return _("no such file")
    except OSError as exc:
        from fieldplan.files import os_error_reason

        return os_error_reason(exc)
    if stat.S_ISDIR(mode):
        return _("a folder, not a bundle file")
    if not stat.S_ISREG(mode):
        return _("not a regular file")
    return ""


def check_bundle_file(name: str) -> None:
    """CommandError unless ``name`` is a regular file (not a folder, a device...)."""
    problem = bundle_file_problem(name)
    if problem:
        # Translators: {file} is a file, {reason} why it cannot be used
        raise CommandError(_("{file}: {reason}").format(file=ltr(name), reason=problem))


def matching_files(names: list[str]) -> list[str]:
    """``names`` with each wildcard pattern that names no file (``E:\\*.fieldplan``)
    replaced by the files it matches, in name order: the Windows command prompt passes
    patterns on as typed, where a POSIX shell expands them. Hidden files (macOS's
    "._NAME" beside each bundle) are not matched, as a shell's ``*`` does not; a
    pattern that matches nothing is kept, to be refused as no such file. A folder's
    name is taken as written when the pattern matches nothing otherwise: in
    ``E:\\Reports [S1]\\*.fieldplan`` "[S1]" is the folder's name, not a choice of
    letters (a folder of that very name is taken first)."""
    import glob
    import os

    def matches(pattern: str) -> list[str]:
        folder, last = os.path.split(pattern)
        if folder and any(c in folder for c in "*?[") and os.path.isdir(folder):
            # a folder of that very name: it, not others its name would match as a
            # pattern ("Reports S" for "Reports [S1]")
            found = glob.glob(os.path.join(glob.escape(folder), last))
        else:
            found = glob.glob(pattern)
        return sorted(f for f in found if os.path.isfile(f))

    out: list[str] = []
    for name in names:
        if any(c in name for c in "*?[") and not os.path.lexists(name):
            found = matches(name)
            if found:
                out.extend(found)
                continue
        out.append(name)
    return out


def folder_files(names: list[str]) -> tuple[list[str], dict[str, str]]:
    """``names`` with each folder replaced by the bundles in it, as the client takes a
    dropped folder (``transit.folder_bundles``: .fieldplan and .zip files directly in
    it, a system's left out, in name order); and the reason of each folder that gives
    none (no bundle in it, or it cannot be read), kept in the list in its place to be
    refused. The files of folders left aside are said on stderr, in one line each."""
    import os

    from fieldplan import transit
    from fieldplan.transit import folder_bundles

    out: list[str] = []
    empty: dict[str, str] = {}
    for name in names:
        if not os.path.isdir(name):
            out.append(name)
            continue
        try:
            taken, others = folder_bundles(name)
        except OSError as exc:
            from fieldplan.files import os_error_reason

            taken, others, empty[name] = [], 0, os_error_reason(exc)
        if not taken:
            out.append(name)
            if transit.unpacked_bundle(name):
                empty.setdefault(name, join_clauses([
                    _("a folder holding the files of a bundle that was unpacked as a ZIP "
                      "archive"), _(transit.THE_BUNDLE_IS)]))
            empty.setdefault(name, counted(
                "no bundle in this folder: from a folder, only .fieldplan and .zip files are "
                "imported, and it holds {count} other file (name a file itself to import it)",
                "no bundle in this folder: from a folder, only .fieldplan and .zip files are "
                "imported, and it holds {count} other files (name a file itself to import it)",
                others)
                if others else _("no bundle in this folder: it is empty"))
            continue
        out.extend(taken)
        if others:
            warn(counted(
                "{count} other file in {folder} was left aside: from a folder, only "
                ".fieldplan and .zip files are imported (name a file itself to import it)",
                "{count} other files in {folder} were left aside: from a folder, only "
                ".fieldplan and .zip files are imported (name a file itself to import it)",
                others, folder=ltr(name)))
    return out, empty


def cmd_import(args: argparse.Namespace) -> int:
    from pathlib import Path

    args.files, empty = folder_files(matching_files(args.files))
    # a file that is missing (or a folder with no bundle…) is one refused file, not the
    # end of the run
    problems = {f: empty.get(f) or bundle_file_problem(f) for f in args.files}
    readable = [f for f in args.files if not problems[f]]

    def in_order(imported: list) -> list:
        """The outcomes in the order the files were given, refused ones in place."""
        rest = iter(imported)
        out = []
        for f in args.files:
            if problems[f]:
                out.append(sync.ImportOutcome(Path(f).name, "rejected", problems[f]))
            else:
                found = next(rest, None)
                if found is None:  # the import stopped before this file
                    break
                out.append(found)
        return out

    with open_db(args) as rep:
        try:
            outcomes = in_order(sync.import_bundles(rep, readable))
        except sync.ImportStopped as stop:
            # what the files before it became, then the one-line error
            done = in_order(stop.outcomes)
            output(args, outcomes_json(done), lambda: _print_outcomes(done))
            raise CommandError(str(stop)) from stop
        except sync.ImportInterrupted as stop:
            # Ctrl-C: what the files merged before it became, then the ones that were
            # not (the one being merged was rolled back)
            done = in_order(stop.outcomes)
            output(args, outcomes_json(done), lambda: _print_outcomes(done))
            _say_not_imported(args.files[len(done):])
            return EXIT_INTERRUPTED
    output(args, outcomes_json(outcomes), lambda: _print_outcomes(outcomes))
    return 1 if any_rejected(outcomes) else 0


def outcomes_json(outcomes: list) -> list[dict]:
    """``import --json`` (and ``keys trust --json``): each file once, as the import's
    totals count them (``exchange.each_file``, the status's last import): a bundle that a
    key one of them registered brought out of quarantine is an item of its own too,
    its ``released_by`` naming that file (``null`` for the others). It is still in
    that file's ``released``, for its details: a script counts the items, or walks
    the ``released`` lists, not both. A script counting the items missed it."""
    from fieldplan.sync.exchange import each_file

    parent: dict[int, str] = {}

    def brought(o) -> None:
        for r in o.released:
            parent[id(r)] = o.file
            brought(r)

    for o in outcomes:
        brought(o)
    return [{**o.to_dict(), "released_by": parent.get(id(o))}
            for o in each_file(outcomes)]


def any_rejected(outcomes: list) -> bool:
    """Whether any file of an import was rejected, a bundle it brought out of
    quarantine too (an item of ``outcomes_json``): what sets the exit status 1."""
    from fieldplan.sync.exchange import each_file

    return any(o.outcome == "rejected" for o in each_file(outcomes))


#: The exit status of a command stopped by Ctrl-C (128 + SIGINT), as the shell's.
EXIT_INTERRUPTED = 130


def _say_not_imported(files: list[str]) -> None:
    sys.stdout.flush()  # the outcomes first, when both go to one terminal
    if not files:  # the last one was done as the key was pressed
        stopped_line(_("interrupted"))
        return
    message = counted("interrupted; {count} file was not imported: {files}",
                      "interrupted; {count} files were not imported: {files}", len(files),
                      files=join_list([ltr(f) for f in files]))
    stopped_line(message)


def _print_outcomes(outcomes) -> None:
    """One line per bundle; file names and reasons shown without control characters.
    What the new computers' keys registered mean is said once, after them, where two
    files or more registered one (each line says its office's key is, short)."""
    from fieldplan.sync.exchange import registered_note
    from fieldplan.text import for_terminal

    registered = registered_note(outcomes)
    for o in outcomes:
        print(for_terminal(o.line(registered_said=bool(registered))))
        # what a new plan changes, a line each, as 'plan import' prints it at HQ
        for line in getattr(o, "plan_changes", ()):
            print("  " + for_terminal(line))
        if o.outcome == "quarantined":
            # the replica id is the bundle's word
            print("  " + for_terminal(where_office_reads_key(o.replica)))
            print("  " + _("once the office has confirmed the fingerprint: fieldplan keys trust "
                           "\"{fingerprint}\"").format(fingerprint=ltr(o.fingerprint)))
    if registered:
        print(registered)


def cmd_verify(args: argparse.Namespace) -> int:
    import os

    from fieldplan.text import for_terminal

    problem = bundle_file_problem(args.file)
    if problem and getattr(args, "json", False):
        # (a missing file or a folder) the JSON every unusable bundle gets
        from fieldplan.sync.exchange import unusable_verified

        output(args, unusable_verified(problem), "")
        return 1
    check_bundle_file(args.file)
    named = getattr(args, "db", None) or os.environ.get("FIELDPLAN_DB")
    # a database named on purpose must exist, as for every other command (a typo must
    # not turn "revoked key" into "valid"); only without one is trust left unchecked
    if named or resolve_db_path().exists():
        with open_db(args) as rep:
            result = sync.verify_bundle(rep, args.file)
        checked = True
    else:
        result = sync.verify_bundle(None, args.file)
        checked = False

    def say(text: str) -> None:
        print(for_terminal(text))  # the bundle's words (its replica id, a reason) in it

    def human() -> None:
        # headquarters is no "bureau HQ" in French: its bundles are said with its name
        hq = result["office"] == HQ
        if result["valid"] and not checked:
            if hq:
                text = ngettext(
                    "valid signature; trust not checked: no database: {events} event from "
                    "headquarters (replica {replica}, key {key})",
                    "valid signature; trust not checked: no database: {events} events from "
                    "headquarters (replica {replica}, key {key})", result["events"] or 0)
            else:
                text = ngettext(
                    "valid signature; trust not checked: no database: {events} event from "
                    "{office} (replica {replica}, key {key})",
                    "valid signature; trust not checked: no database: {events} events from "
                    "{office} (replica {replica}, key {key})", result["events"] or 0)
            say(text.format(events=format_number(result["events"] or 0),
                            office=result["office"], replica=(result["replica"] or "")[:8],
                            key=result["key_id"]))
            say(_("give the database with --db to check that the key is trusted and not "
                  "revoked"))
        elif result["valid"]:
            if hq:
                text = ngettext(
                    "valid: {events} event from headquarters (replica {replica}, key {key})",
                    "valid: {events} events from headquarters (replica {replica}, key {key})",
                    result["events"] or 0)
            else:
                text = ngettext(
                    "valid: {events} event from {office} (replica {replica}, key {key})",
                    "valid: {events} events from {office} (replica {replica}, key {key})",
                    result["events"] or 0)
            say(text.format(events=format_number(result["events"] or 0),
                            office=result["office"], replica=(result["replica"] or "")[:8],
                            key=result["key_id"]))
            if result.get("note"):
                say(result["note"])  # one this computer wrote: what import says of it
            if result.get("trusted") is False:
                say(_("signed by a key this database does not know yet (fingerprint "
                      "{fingerprint}): importing it puts it in quarantine until the key "
                      "is trusted").format(fingerprint=ltr(result["fingerprint"])))
            if result.get("repair"):
                say(result["repair"])  # importing it repairs a forked history
            if result.get("held_only"):
                say(result["held_only"])  # a revoked computer's, taken back in part
        else:
            say(_("invalid: {reason}").format(reason=result["reason"]))
        if result["valid"] and result.get("kind") == sync.KIND_SETUP:
            say(_("a setup bundle for {office}: start that office's computer with "
                  "'fieldplan init --from FILE'").format(office=result["recipient"]))

    output(args, result, human)
    return 0 if result["valid"] else 1


def cmd_keys_show(args: argparse.Namespace) -> int:
    from fieldplan.sync.enrol import earlier_hq_key_text, earlier_hq_keys
    from fieldplan.sync.keys import key_file_problem

    with open_db(args) as rep:
        text = sync.show_key(rep, as_minisign=args.minisign)
        data = {"key_id": rep.meta("key_id"), "public_key": rep.meta("public_key"),
                "fingerprint": sync.show_key(rep).split("  ", 1)[1]}
        problem = key_file_problem(rep)
        earlier = earlier_hq_keys(rep)
    data["earlier"] = [{"key_id": k.key_id, "fingerprint": k.fingerprint,
                        "offices": list(k.offices)} for k in earlier]
    if args.minisign:  # (with --json it was left out without a word)
        data["minisign"] = text
    if problem is not None:
        # the key shown is this computer's (its database's); the key file beside it
        # signs nothing until it holds that key again
        warn(problem.text)
    for k in earlier:
        # (HQ) an office set up from a setup bundle written before a new key reads
        # this one when it checks headquarters' fingerprint by phone
        warn(f"{earlier_hq_key_text(k.offices)} {k.fingerprint}")
    if args.minisign and not getattr(args, "json", False):
        sys.stdout.write(text)
        return 0
    output(args, data, text)
    return 0


def cmd_keys_list(args: argparse.Namespace) -> int:
    from fieldplan.cli.core_cmds import lang_of
    from fieldplan.offices import in_keys_order, in_quarantine_order
    from fieldplan.sync.keys import KeyInfo, listed_keys, own_key_status
    from fieldplan.text import for_terminal

    with open_db(args) as rep:
        # a key of a computer a revocation cut off (an earlier key revoked) is revoked
        known = {key_id: k for key_id, k in listed_keys(sync.all_keys(rep)).items()
                 if not k.known_by_status}  # (only its id and a status: nothing to show)
        own = rep.meta("key_id") or ""
        if own and own not in known:
            # a key this computer made (first key, or a rotation) that the registry has
            # not recorded yet: shown, so that keys list agrees with keys show; revoked
            # when headquarters revoked an earlier key of this computer, else unregistered
            # (the word status --json uses: own_key_status)
            known[own] = KeyInfo(own, rep.meta("public_key") or "", rep.office,
                                 rep.replica_id, own_key_status(rep), "local")
        # as the client's Keys page lists them (by code, HQ stood between GY and ID)
        lang = lang_of(args)
        keys = in_keys_order(known.values(), lang)
        # as the client's Quarantine page lists them: by office, then as they came
        waiting = in_quarantine_order(sync.list_quarantine(rep), lang)
    data = {"keys": [k.to_dict() for k in keys],
            "quarantine": [q.to_dict() for q in waiting]}

    def human() -> None:
        print_table([(k.key_id, k.office, key_replica_label(k.replica, k.renews),
                      key_status_label(k.status), k.fingerprint) for k in keys],
                    [_("Key"), _("Office"), _("Replica"), _("Status"), _("Fingerprint")])
        if waiting:
            print()
            print(_("Waiting in quarantine:"))
            # the replica: which of an office's computers to ask for its fingerprint
            print_table([(q.key_id, q.office, q.sender[:8], q.file, q.fingerprint)
                         for q in waiting],
                        [_("Key"), _("Office"), _("Replica"), _("File"), _("Fingerprint")])
            # a key on record since its bundle came: no fingerprint to check, but an
            # import that failed (the reason says which, and what takes it)
            for q in waiting:
                if q.key_on_record:
                    print(for_terminal(_("{file}: {reason}").format(
                        file=ltr(q.file), reason=q.reason_text())))
            # a key claiming a computer that has an active key here: trusting it
            # replaces that key (said once a key, however many bundles it signed)
            for fpr, q in {q.fingerprint: q for q in waiting if q.replaces}.items():
                print(for_terminal(_("{fingerprint}: {replaces}").format(
                    fingerprint=ltr(fpr), replaces=q.replaces.text())))
            if not all(q.key_on_record for q in waiting):
                print(where_office_reads_key())

    output(args, data, human)
    return 0


def _fingerprint(text: str) -> str:
    """argparse type of a fingerprint (``keys trust``, ``keys refuse``): at least 16 hex
    digits, spaces and case as they come, else exit 2, as any bad value is."""
    from fieldplan.sync.exchange import normalised_fingerprint

    identifier(text)  # (not empty)
    if len(normalised_fingerprint(text)) < 16:
        raise argparse.ArgumentTypeError(_("give at least 16 hex digits of the fingerprint"))
    return text


def cmd_keys_trust(args: argparse.Namespace) -> int:
    if args.dry_run:
        return _keys_trust_dry_run(args)
    with open_db(args) as rep:
        try:
            outcomes = sync.trust_key(rep, args.fingerprint)
        except KeyAlreadySettledError as exc:
            return _key_already_settled(args, exc)
    output(args, outcomes_json(outcomes), lambda: _print_outcomes(outcomes))
    return 1 if any_rejected(outcomes) else 0


def _keys_trust_dry_run(args: argparse.Namespace) -> int:
    """``keys trust --dry-run``: what the trust would merge (``trust_preview``, the words
    the client's trust question says), a line each; nothing written. What the trust
    would refuse is refused (exit 1), a key trusted already said as the trust says it."""
    from fieldplan.sync.trust_preview import trust_preview
    from fieldplan.text import for_terminal

    with open_db(args) as rep:
        try:
            seen = trust_preview(rep, args.fingerprint, refusals=True)
        except KeyAlreadySettledError as exc:
            output(args, {"dry_run": True, "bundles": 0, "events": 0, "events_new": 0,
                          "offices": [], "periods": [], "locked_periods": [],
                          "conflicts": 0, "unread": 0, "fingerprint": None,
                          "too_large": 0, "refused": [], "replaces_key": None,
                          "replaces": None, "note": str(exc)}, for_terminal(str(exc)))
            return 0

    def human() -> None:
        # Translators: the first line of 'keys trust --dry-run', before what the trust
        # would merge
        print(_("Dry run: trusting key {fingerprint} would merge what follows; nothing "
                "was changed").format(fingerprint=ltr(seen.fingerprint)))
        for line in seen.text().splitlines():
            print("  " + for_terminal(line))

    output(args, {**seen.to_dict(), "dry_run": True}, human)
    return 0


def cmd_keys_refuse(args: argparse.Namespace) -> int:
    with open_db(args) as rep:
        try:
            outcomes = sync.refuse_key(rep, args.fingerprint)
        except KeyAlreadySettledError as exc:
            return _key_already_settled(args, exc)
    # (as import and trust give them: released_by too)
    output(args, outcomes_json(outcomes), lambda: _print_outcomes(outcomes))
    return 0


def _key_already_settled(args: argparse.Namespace, exc: KeyAlreadySettledError) -> int:
    """A key already as asked (trusted, or revoked for a refusal): said, no bundle
    merged or refused (JSON: no outcome), exit 0, as 'keys revoke' of a revoked key."""
    from fieldplan.text import for_terminal

    output(args, [], for_terminal(str(exc)))
    return 0


def cmd_keys_revoke(args: argparse.Namespace) -> int:
    with open_db(args) as rep:
        changes = sync.revoke_key(rep, args.key_id)
    key = changes.key_id  # (the key's id also when its fingerprint was given)
    if changes.also:
        # an earlier key: the computer's current key goes with it (and, of a copy in
        # use, which computer goes on)
        also = join_clauses([changes.also_text(), changes.spared_text()])
        # Translators: {also} says that the computer's current key is revoked too
        done = _("Revoked key {key}: {also}").format(key=key, also=also)
    elif changes.spared:
        # a copy in use beside the replica continuing it: that computer goes on
        # Translators: {spared} says which computer is cut off and which goes on
        done = _("Revoked key {key}: {spared}").format(key=key,
                                                      spared=changes.spared_text())
    elif changes.events:
        done = _("Revoked key {key}").format(key=key)
    else:
        done = _("Key {key} was already revoked").format(key=key)
    if changes.enrolments_ended:  # "…; the setup bundles written for ML no longer…"
        done = join_clauses([done, changes.enrolments_text()])
    if changes.same_setup:  # "…; 1 other computer was registered with the same…"
        done = join_clauses([done, changes.same_setup_text()])
    output(args, {"key_id": key, "status": "revoked", "changed": bool(changes.events),
                  "warning": changes.warning, "spared": changes.spared,
                  "also": list(changes.also),
                  "setup_bundles_ended": changes.enrolments_ended or None,
                  "same_setup_bundle": [s.to_dict() for s in changes.same_setup]}, done)
    if changes.warning:
        warn(changes.warning)
    return 0


def cmd_keys_rotate(args: argparse.Namespace) -> int:
    from fieldplan.sync.keys import new_key_text

    with open_db(args) as rep:
        pub = sync.rotate_key(rep)
        hq = rep.is_hq
    # (and what makes the new key known: the next bundle this computer sends)
    output(args, {"key_id": pub.key_id_hex, "fingerprint": pub.fingerprint},
           new_key_text(pub, hq))
    return 0


def cmd_conflicts_list(args: argparse.Namespace) -> int:
    from fieldplan.cli.core_cmds import lang_of
    from fieldplan.i18n import conflict_values, format_number
    from fieldplan.status import stamp_text
    from fieldplan.sync.conflicts import computer_text, settled_here
    from fieldplan.text import for_terminal

    lang = lang_of(args)
    with open_db(args) as rep:
        conflicts = sync.list_conflicts(rep)
        here = settled_here(rep)
        replica = rep.replica_id
        plan = rep.plan()

    def human() -> None:
        if not conflicts:
            print(_("No open conflicts."))
        for c in conflicts:
            print(for_terminal(f"{c.id}  {_conflict_where(c)}  "
                               f"{plan.field_label(c.action, c.field, lang)}"))
            # at most the versions the Conflicts page shows (a conflict of 200,000
            # versions printed a line each), one of each value first; the rest counted
            values = conflict_values(c.field, [cand.value for cand in c.shown], lang)
            for cand, value in zip(c.shown, values, strict=True):
                mark = "*" if cand.winner else " "
                # (which version is this laptop's: "15885b56:1" alone left the person
                # to find out with 'fieldplan status', as the Conflicts page says it)
                own = ("  " + computer_text(cand)) if cand.here else ""
                print(for_terminal(f"   {mark} {cand.value_id}  {value}  {cand.author}  "
                                   f"{stamp_text(cand.at, lang)}{own}"))
            more = c.versions - len(c.shown)
            if more:
                print("     " + for_terminal(ngettext(
                    "… {count} more version, not shown (see 'fieldplan conflicts show {id}')",
                    "… {count} more versions, not shown (see 'fieldplan conflicts show {id}')",
                    more).format(count=format_number(more, lang), id=c.id)))
            for note in _conflict_notes(c, here, replica):
                print("   " + for_terminal(note))

    output(args, [_conflict_json(c, here, every=False) for c in conflicts], human)
    return 0


def _conflict_where(c) -> str:
    if c.entity == "progress":
        return f"{c.office}  {c.action}  {c.period}"
    return f"{c.entity}  {c.entity_id}"


def _conflict_notes(c, here: str, replica: str = "") -> list[str]:
    """That one computer (``replica``: this one) wrote every version, not two; why this
    computer cannot settle a conflict, and who can; why a value cannot be kept (a
    submitted report's, until it is reopened: ``keep_refusal``, as 'conflicts resolve'
    refuses it), or that the plan hides the report."""
    from fieldplan.sync.conflicts import keep_refusal, locked_note, one_computer_text

    notes = [one_computer_text(c, replica)] if c.one_replica else []
    if c.office != here:
        notes.append(_("only the computers of {office} can resolve it; shown here so that "
                       "you know of it").format(office=c.office))
    lock = locked_note(c, here)
    if lock:
        notes.append(lock)
    said = [c.hidden]
    if c.resolvable_by(here):
        way = reopen_command(c.action, c.period) if c.action and c.period else ""
        said += [keep_refusal(c, cand, way) for cand in c.candidates]
    for note in said:
        if note and note not in notes:
            notes.append(note)
    return notes


def _conflict_json(c, here: str, *, every: bool = True) -> dict:
    # resolvable_here: a value can be kept here now (Conflict.keepable_by): only the
    # office's own computers settle its conflicts, not while its period is locked
    # (locked: true) nor, but for its state, while its report is submitted (submitted:
    # true) and the plan shows it (hidden: false). every: each version in candidates,
    # else those 'conflicts list' shows (versions: how many it has)
    return {**c.to_dict(every=every), "resolvable_here": c.keepable_by(here)}


def cmd_conflicts_show(args: argparse.Namespace) -> int:
    from fieldplan.cli.core_cmds import lang_of
    from fieldplan.status import stamp_text
    from fieldplan.sync.conflicts import open_conflict, settled_here, written_by
    from fieldplan.text import for_terminal

    lang = lang_of(args)
    with open_db(args) as rep:
        # (that conflict's every version, read for it alone: not every conflict's)
        c = open_conflict(rep, args.id)
        here = settled_here(rep)
        replica = rep.replica_id
        plan = rep.plan()

    def human() -> None:
        print(for_terminal(f"{c.id}  {_conflict_where(c)}  "
                           f"{plan.field_label(c.action, c.field, lang)}"))
        for note in _conflict_notes(c, here, replica):
            print(for_terminal(note))
        for n, cand in enumerate(c.candidates, 1):
            print()
            heading = _("Version {n} of {count}, {value_id}").format(
                n=n, count=len(c.candidates), value_id=cand.value_id)
            if cand.winner:
                heading += " " + _("(shown now)")
            print(for_terminal(heading))
            print(for_terminal(written_by(cand, stamp_text(cand.at, lang))))
            # the value in full, line by line, each safe for the terminal
            for line in _full_value(c.field, cand.value, lang).split("\n"):
                print(("    " + for_terminal(line)).rstrip())

    output(args, _conflict_json(c, here), human)
    return 0


def _full_value(field: str, value, lang: str) -> str:
    """A value as ``conflicts list`` shows it, but a text whole, not cut at 60."""
    from fieldplan.i18n import conflict_value

    if isinstance(value, str) and field not in ("status", "state"):
        return value or "–"
    return conflict_value(field, value, lang)


def cmd_conflicts_resolve(args: argparse.Namespace) -> int:
    from fieldplan.sync.conflicts import conflict_as_seen

    # ids said back as 'conflicts list' prints them, however they were pasted
    args.id = args.id.strip().lower()
    if args.keep:
        args.keep = args.keep.strip().lower()
    with open_db(args) as rep:
        # --seen: the versions listed, as the Conflicts page's Keep gives those it showed
        # (a version of another value imported since is not replaced unseen)
        seen = None
        if args.seen:
            ids = [v for each in args.seen for v in each.split(",")]
            seen = conflict_as_seen(rep, args.id, ids + ([args.keep] if args.keep else []))
        if args.keep_both:
            from fieldplan.sync.conflicts import (
                keep_texts_together,
                open_conflict,
                texts_kept,
            )

            # (how many: three laptops' texts are not "both")
            kept = len(texts_kept(open_conflict(rep, args.id)))
            keep_texts_together(rep, args.id, seen)
        else:
            sync.resolve_conflict(rep, args.id, args.keep, seen)
    if args.keep_both:
        said = _("Resolved {id}: kept both texts, one after the other").format(id=args.id)
        if kept > 2:
            # Translators: said for 3 texts or more only ("kept all 3 texts")
            said = counted("Resolved {id}: kept all {n} texts, one after the other",
                           "Resolved {id}: kept all {n} texts, one after the other",
                           kept, id=args.id)
        output(args, {"id": args.id, "kept": "both", "texts": kept}, said)
    else:
        output(args, {"id": args.id, "kept": args.keep},
               _("Resolved {id}: kept {value}").format(id=args.id, value=args.keep))
    return 0
