"""Commands that move data between replicas: office enroll, export, import, verify,
keys, conflicts."""

from __future__ import annotations

import argparse
import sys

from fieldplan import sync
from fieldplan.cli import CommandError, add_common, output, print_table
from fieldplan.cli.core_cmds import open_db
from fieldplan.i18n import _, ngettext, pgettext
from fieldplan.store import resolve_db_path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("office", help=_("(HQ) enrol an office"),
                       description=_("Headquarters: write the setup bundle an office "
                                     "starts from."))
    add_common(p)
    osub = p.add_subparsers(dest="office_command", metavar=_("SUBCOMMAND"), required=True,
                            parser_class=type(p))
    s = osub.add_parser("enroll", help=_("write a setup bundle for an office"),
                        description=_("Write a setup bundle for an office. It holds a "
                                      "secret enrolment token: send it to that office only."))
    s.add_argument("code", metavar="CODE", help=_("office code, e.g. ML or RO-Dakar"))
    s.add_argument("-o", "--output", required=True, metavar="FILE",
                   help=_("setup bundle to write"))
    add_common(s)
    s.set_defaults(func=cmd_enroll)

    p = sub.add_parser("export", help=_("write a signed bundle"),
                       description=_("Write a signed bundle of what the recipient has not "
                                     "acknowledged yet, and print its path."))
    p.add_argument("--for", dest="for_office", metavar="OFFICE",
                   help=_("(HQ) the office the bundle is for"))
    where = p.add_mutually_exclusive_group()
    where.add_argument("-o", "--output", metavar="FILE", help=_("bundle file to write"))
    where.add_argument("--dir", metavar="DIR", help=_("folder to write the bundle in"))
    p.add_argument("--full", action="store_true",
                   help=_("carry everything, not only what was not acknowledged"))
    add_common(p)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("import", help=_("verify and merge bundles"),
                       description=_("Verify and merge bundles; for each file say merged, "
                                     "duplicate, quarantined or rejected (exit 1 if any was "
                                     "rejected)."))
    p.add_argument("files", nargs="+", metavar="FILE", help=_("bundle files"))
    add_common(p)
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("verify", help=_("check a bundle without importing it"),
                       description=_("Check a bundle without importing it."))
    p.add_argument("file", metavar="FILE", help=_("bundle file"))
    add_common(p)
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("keys", help=_("key management"),
                       description=_("Show, list, trust, revoke and rotate keys."))
    add_common(p)
    ksub = p.add_subparsers(dest="keys_command", metavar=_("SUBCOMMAND"), required=True,
                            parser_class=type(p))
    s = ksub.add_parser("show", help=_("show this replica's public key"),
                        description=_("Show this replica's public key."))
    s.add_argument("--minisign", action="store_true",
                   help=_("print it as a minisign public key file"))
    add_common(s)
    s.set_defaults(func=cmd_keys_show)
    s = ksub.add_parser("list", help=_("list known keys and keys waiting in quarantine"),
                        description=_("List known keys and keys waiting in quarantine."))
    add_common(s)
    s.set_defaults(func=cmd_keys_list)
    s = ksub.add_parser("trust", help=_("trust a quarantined key by its fingerprint"),
                        description=_("Trust the key of quarantined bundles, after checking "
                                      "its fingerprint with the office, and merge them."))
    s.add_argument("fingerprint", metavar="FPR", help=_("the key's fingerprint"))
    add_common(s)
    s.set_defaults(func=cmd_keys_trust)
    s = ksub.add_parser("revoke", help=_("(HQ) revoke a key"),
                        description=_("Revoke a key: its later bundles are rejected."))
    s.add_argument("key_id", metavar="KEYID", help=_("key id"))
    add_common(s)
    s.set_defaults(func=cmd_keys_revoke)
    s = ksub.add_parser("rotate", help=_("give this replica a new key"),
                        description=_("Give this replica a new key pair; the old key "
                                      "endorses the new one in the next bundles."))
    add_common(s)
    s.set_defaults(func=cmd_keys_rotate)

    p = sub.add_parser("conflicts", help=_("review and resolve conflicts"),
                       description=_("Review and resolve conflicting changes."))
    add_common(p)
    csub = p.add_subparsers(dest="conflicts_command", metavar=_("SUBCOMMAND"), required=True,
                            parser_class=type(p))
    s = csub.add_parser("list", help=_("list open conflicts"),
                        description=_("List open conflicts."))
    add_common(s)
    s.set_defaults(func=cmd_conflicts_list)
    s = csub.add_parser("resolve", help=_("resolve a conflict by keeping one value"),
                        description=_("Resolve a conflict by keeping one of its values."))
    s.add_argument("id", metavar="ID", help=_("conflict id"))
    s.add_argument("--keep", required=True, metavar="VALUE_ID", help=_("the value to keep"))
    add_common(s)
    s.set_defaults(func=cmd_conflicts_resolve)


def cmd_enroll(args: argparse.Namespace) -> int:
    with open_db(args) as rep:
        result = sync.enroll_office(rep, args.code, args.output)
    output(args, result.to_dict(), str(result.path))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    with open_db(args) as rep:
        result = sync.export_bundle(rep, for_office=args.for_office, out_file=args.output,
                                    out_dir=args.dir, full=args.full)
    output(args, result.to_dict(), str(result.path))
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from pathlib import Path

    for f in args.files:
        if not Path(f).is_file():
            raise CommandError(_("no such file: {file}").format(file=f))
    with open_db(args) as rep:
        outcomes = sync.import_bundles(rep, args.files)
    output(args, [o.to_dict() for o in outcomes],
           lambda: [print(o.line()) for o in outcomes])
    return 1 if any(o.outcome == "rejected" for o in outcomes) else 0


def cmd_verify(args: argparse.Namespace) -> int:
    path = resolve_db_path(getattr(args, "db", None))
    if path.exists():
        with open_db(args) as rep:
            result = sync.verify_bundle(rep, args.file)
    else:
        result = sync.verify_bundle(None, args.file)

    def human() -> None:
        if result["valid"]:
            print(ngettext("valid: {events} event from {office} (replica {replica}, key {key})",
                           "valid: {events} events from {office} (replica {replica}, key {key})",
                           result["events"] or 0)
                  .format(events=result["events"], office=result["office"],
                          replica=(result["replica"] or "")[:8], key=result["key_id"]))
        else:
            print(_("invalid: {reason}").format(reason=result["reason"]))

    output(args, result, human)
    return 0 if result["valid"] else 1


def cmd_keys_show(args: argparse.Namespace) -> int:
    with open_db(args) as rep:
        text = sync.show_key(rep, as_minisign=args.minisign)
        data = {"key_id": rep.meta("key_id"), "public_key": rep.meta("public_key"),
                "fingerprint": sync.show_key(rep).split("  ", 1)[1]}
    if args.minisign and not getattr(args, "json", False):
        sys.stdout.write(text)
        return 0
    output(args, data, text)
    return 0


def cmd_keys_list(args: argparse.Namespace) -> int:
    with open_db(args) as rep:
        keys = sorted(sync.all_keys(rep).values(), key=lambda k: (k.office, k.key_id))
        waiting = sync.list_quarantine(rep)
    data = {"keys": [k.to_dict() for k in keys],
            "quarantine": [q.to_dict() for q in waiting]}

    def human() -> None:
        print_table([(k.key_id, k.office, k.replica[:8], _key_status(k.status), k.fingerprint)
                     for k in keys],
                    [_("Key"), _("Office"), _("Replica"), _("Status"), _("Fingerprint")])
        if waiting:
            print()
            print(_("Waiting in quarantine:"))
            print_table([(q.key_id, q.office, q.file, q.fingerprint) for q in waiting],
                        [_("Key"), _("Office"), _("File"), _("Fingerprint")])

    output(args, data, human)
    return 0


def _key_status(status: str) -> str:
    words = {"active": pgettext("key status", "active"),
             "retired": pgettext("key status", "retired"),
             "revoked": pgettext("key status", "revoked")}
    return words.get(status, status)


def cmd_keys_trust(args: argparse.Namespace) -> int:
    with open_db(args) as rep:
        outcomes = sync.trust_key(rep, args.fingerprint)
    output(args, [o.to_dict() for o in outcomes], lambda: [print(o.line()) for o in outcomes])
    return 1 if any(o.outcome == "rejected" for o in outcomes) else 0


def cmd_keys_revoke(args: argparse.Namespace) -> int:
    with open_db(args) as rep:
        sync.revoke_key(rep, args.key_id)
    output(args, {"key_id": args.key_id.upper(), "status": "revoked"},
           _("Revoked key {key}").format(key=args.key_id.upper()))
    return 0


def cmd_keys_rotate(args: argparse.Namespace) -> int:
    with open_db(args) as rep:
        pub = sync.rotate_key(rep)
    output(args, {"key_id": pub.key_id_hex, "fingerprint": pub.fingerprint},
           _("New key {key} ({fingerprint})").format(key=pub.key_id_hex,
                                                     fingerprint=pub.fingerprint))
    return 0


def cmd_conflicts_list(args: argparse.Namespace) -> int:
    with open_db(args) as rep:
        conflicts = sync.list_conflicts(rep)

    def human() -> None:
        if not conflicts:
            print(_("No open conflicts."))
        for c in conflicts:
            print(f"{c.id}  {c.entity_id}  {c.field}")
            for cand in c.candidates:
                mark = "*" if cand.winner else " "
                print(f"   {mark} {cand.value_id}  {cand.value!r}  {cand.author}  {cand.at}")

    output(args, [c.to_dict() for c in conflicts], human)
    return 0


def cmd_conflicts_resolve(args: argparse.Namespace) -> int:
    with open_db(args) as rep:
        sync.resolve_conflict(rep, args.id, args.keep)
    output(args, {"id": args.id, "kept": args.keep},
           _("Resolved {id}: kept {value}").format(id=args.id, value=args.keep))
    return 0
