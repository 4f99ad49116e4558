"""A demo world: headquarters, N enrolled country offices with realistic progress,
and each office's bundle ready for HQ to import.

Everything follows from the seed and the day it is made (``demo_today``): which
offices, statuses, percents, indicator values and narratives (in each office's
working language), and even the times of the changes, which run on a simulated clock
through the plan's semesters up to that day. Only replica ids and keys are random.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import errno
import json
import os
import random
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from fieldplan import events, progress, replica
from fieldplan.errors import ValidationError
from fieldplan.i18n import _, format_number, ltr

Progress = Callable[[int, int, str], None]

#: The demo's "today" when set (benchmarks set the plan's last day, for the whole
#: plan); None, the day it is made (``demo_today``). Reports exist up to the semester
#: in progress on it.
DEMO_TODAY: dt.date | None = None


def demo_today(plan, today: dt.date | None = None) -> dt.date:
    """The day a demo is made as of: two days before ``today`` (this computer's, by
    default; its changes, up to 16:00 UTC that day, are then older than this
    computer's clock in every time zone), within the plan: once its first semester
    has been reported (``REPORTING_DAYS`` after it ended), at the latest its last
    day. The client opens on the semester being reported on this computer's day: a
    demo that stopped at a day of its own showed an empty semester once the clock
    had passed the next one."""
    from fieldplan.reports import REPORTING_DAYS

    if DEMO_TODAY is not None:
        return DEMO_TODAY
    today = (today or events.local_today()) - dt.timedelta(days=2)
    _start, first_end = plan.period_bounds(plan.periods()[0])
    return min(max(today, first_end + dt.timedelta(days=REPORTING_DAYS + 1)), plan.end)

# How statuses are spread in a real plan's reporting, per period age (older periods
# have more completed actions; the current one more not-started ones).
_STATUS_WEIGHTS = {
    "closed": {"on-track": 52, "at-risk": 18, "off-track": 7, "completed": 9,
               "not-started": 11, "cancelled": 3},
    "current": {"on-track": 50, "at-risk": 17, "off-track": 6, "completed": 5,
                "not-started": 20, "cancelled": 2},
}

_PARTNERS = {
    "en": ["the Ministry of Labour", "the Ministry of Interior", "the national statistics "
           "office", "local authorities", "civil society partners", "the OIC General "
           "Secretariat", "UN country team partners", "diaspora associations"],
    "fr": ["le ministère du Travail", "le ministère de l'Intérieur", "l'institut national de "
           "la statistique", "les autorités locales", "les partenaires de la société civile",
           "le Secrétariat général de l'OCI", "les partenaires de l'équipe de pays des "
           "Nations Unies", "les associations de la diaspora"],
    "ar": ["وزارة العمل", "وزارة الداخلية", "الجهاز الوطني للإحصاء", "السلطات المحلية",
           "شركاء المجتمع المدني", "الأمانة العامة لمنظمة التعاون الإسلامي",
           "شركاء فريق الأمم المتحدة القطري", "جمعيات المغتربين"],
}

_ACHIEVEMENTS = {
    "en": [
        "A {n}-day technical workshop was held with {partner}, bringing together {m} "
        "participants from {k} institutions.",
        "{partner_cap} validated the draft roadmap after two rounds of consultation.",
        "Field teams completed {n} monitoring visits and shared the findings with {partner}.",
        "{m} officials were trained on the new procedures, {k} of them women.",
        "A joint IOM–OIC mission met {partner} to agree on next year's priorities.",
        "The data-sharing protocol with {partner} was signed this semester.",
    ],
    "fr": [
        "Un atelier technique de {n} jours a été organisé avec {partner}, réunissant {m} "
        "participants de {k} institutions.",
        "Le projet de feuille de route a été validé avec {partner} après deux cycles de "
        "consultation.",
        "Les équipes de terrain ont effectué {n} visites de suivi et partagé les "
        "conclusions avec {partner}.",
        "{m} agents ont été formés aux nouvelles procédures, dont {k} femmes.",
        "Une mission conjointe OIM–OCI a rencontré {partner} pour convenir des priorités "
        "de l'année prochaine.",
        "Le protocole de partage de données avec {partner} a été signé ce semestre.",
    ],
    "ar": [
        "عُقدت ورشة عمل فنية لمدة {n} أيام بالتعاون مع {partner}، شارك فيها {m} مشاركًا "
        "من {k} مؤسسات.",
        "تمت المصادقة على مشروع خارطة الطريق مع {partner} بعد جولتين من المشاورات.",
        "أجرت الفرق الميدانية {n} زيارات متابعة وتقاسمت النتائج مع {partner}.",
        "تم تدريب {m} موظفًا على الإجراءات الجديدة، من بينهم {k} نساء.",
        "التقت بعثة مشتركة بين المنظمة الدولية للهجرة ومنظمة التعاون الإسلامي مع {partner} "
        "للاتفاق على أولويات العام المقبل.",
        "تم توقيع بروتوكول تبادل البيانات مع {partner} خلال هذه الفترة.",
    ],
}

_CHALLENGES = {
    "en": [
        "Funding for the second phase has not yet been confirmed.",
        "Staff turnover at {partner} delayed the validation of the documents.",
        "Insecurity in two regions limited access for the field teams.",
        "Internet outages slowed the transmission of data from the provinces.",
        "The rainy season postponed activities planned in rural areas.",
    ],
    "fr": [
        "Le financement de la deuxième phase n'est pas encore confirmé.",
        "La rotation du personnel chez {partner} a retardé la validation des documents.",
        "L'insécurité dans deux régions a limité l'accès des équipes de terrain.",
        "Les coupures d'Internet ont ralenti la transmission des données des provinces.",
        "La saison des pluies a fait reporter les activités prévues en zone rurale.",
    ],
    "ar": [
        "لم يتم بعد تأكيد تمويل المرحلة الثانية.",
        "أدى تغيّر الموظفين لدى {partner} إلى تأخير المصادقة على الوثائق.",
        "حدّ انعدام الأمن في منطقتين من وصول الفرق الميدانية.",
        "أبطأ انقطاع الإنترنت إرسال البيانات من المحافظات.",
        "أدى موسم الأمطار إلى تأجيل الأنشطة المقررة في المناطق الريفية.",
    ],
}

_NEXT_STEPS = {
    "en": [
        "Finalise the action plan with {partner} and present it at the next semester "
        "meeting.",
        "Extend the training to {k} more provinces.",
        "Publish the semester report and share it with the joint mechanism.",
        "Mobilise additional resources for the remaining activities.",
    ],
    "fr": [
        "Finaliser le plan d'action avec {partner} et le présenter à la prochaine réunion "
        "semestrielle.",
        "Étendre la formation à {k} provinces supplémentaires.",
        "Publier le rapport semestriel et le partager avec le mécanisme conjoint.",
        "Mobiliser des ressources supplémentaires pour les activités restantes.",
    ],
    "ar": [
        "وضع الصيغة النهائية لخطة العمل مع {partner} وعرضها في الاجتماع نصف السنوي المقبل.",
        "توسيع نطاق التدريب ليشمل {k} محافظات إضافية.",
        "نشر التقرير نصف السنوي وتقاسمه مع الآلية المشتركة.",
        "حشد موارد إضافية للأنشطة المتبقية.",
    ],
}


@dataclass
class DemoWorld:
    """What make_demo wrote: the HQ database, office databases and bundles."""

    out: Path
    hq: Path
    offices: dict[str, Path] = field(default_factory=dict)
    bundles: dict[str, Path] = field(default_factory=dict)
    reports: int = 0
    merged: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"out": str(self.out), "hq": str(self.hq),
                "offices": {k: str(v) for k, v in self.offices.items()},
                "bundles": {k: str(v) for k, v in self.bundles.items()},
                "reports": self.reports, "merged": self.merged}

    def moved_to(self, out: Path) -> DemoWorld:
        """The same world, its files in ``out`` instead of ``self.out``."""
        def moved(path: Path) -> Path:
            return out / path.relative_to(self.out)

        return dataclasses.replace(
            self, out=out, hq=moved(self.hq),
            offices={k: moved(v) for k, v in self.offices.items()},
            bundles={k: moved(v) for k, v in self.bundles.items()})


@contextlib.contextmanager
def _simulated_clock(start: dt.datetime) -> Iterator[Callable[[dt.datetime], None]]:
    """Run fieldplan's clock on simulated time; yields a setter."""
    now = [int(start.timestamp() * 1000)]
    original, original_iso = events.wall_ms, events.utc_iso

    def wall() -> int:
        now[0] += 1000  # every write a second later than the one before
        return now[0]

    def set_time(t: dt.datetime | None) -> None:
        # (None: back to the start, for the next office: each lives through the plan)
        now[0] = (int(start.timestamp() * 1000) if t is None
                  else max(now[0], int(t.timestamp() * 1000)))

    def iso(when: dt.datetime | None = None) -> str:
        # (when bundles arrive at headquarters: the review pack's "late" reads it)
        return original_iso(when or dt.datetime.fromtimestamp(now[0] / 1000, dt.UTC))

    events.wall_ms, events.utc_iso = wall, iso
    try:
        yield set_time
    finally:
        events.wall_ms, events.utc_iso = original, original_iso


def _sentences(rng: random.Random, pool: list[str], lang: str, count: int) -> str:
    partners = _PARTNERS[lang]
    out = []
    for text in rng.sample(pool, min(count, len(pool))):
        partner = rng.choice(partners)
        n = rng.randint(2, 5)
        if lang == "ar" and n == 2:
            n = 3  # "2 أيام", "2 زيارات": Arabic says two with the dual, not a numeral
        out.append(text.format(partner=partner, partner_cap=partner[:1].upper() + partner[1:],
                               n=n, m=rng.randint(12, 140), k=rng.randint(3, 9)))
    return " ".join(out)


def _periods(plan, today: dt.date | None = None) -> list[tuple[str, str]]:
    """(period, "closed"|"current") for periods that have started by ``today`` (by
    default ``DEMO_TODAY``, which is then set)."""
    today = today or DEMO_TODAY
    out = []
    for p in plan.periods():
        start, end = plan.period_bounds(p)
        if start > today:
            break
        out.append((str(p), "current" if end >= today else "closed"))
    return out


def _write_office(rep: replica.Replica, rng: random.Random, lang: str,
                  set_time: Callable[[dt.datetime], None],
                  closed: Callable[[dt.date], None] | None = None,
                  today: dt.date | None = None) -> int:
    """Write an office's reports through the plan's semesters up to ``today`` (by
    default ``DEMO_TODAY``, which is then set); ``closed(end)`` after each semester
    that has ended is submitted."""
    plan = rep.plan()
    today = today or DEMO_TODAY
    from fieldplan.offices import level_for_office

    actions = plan.actions_of(level=level_for_office(rep.office))
    percent_so_far = {a.code: 0 for a in actions}
    #: the actions completed or cancelled in an earlier semester: they stay so, with
    #: nothing new to tell (a cancelled one came back "on track" the next semester)
    ended: dict[str, str] = {}
    count = 0
    for period, age in _periods(plan, today):
        start, end = plan.period_bounds(period)
        weights = _STATUS_WEIGHTS[age]
        for act in actions:
            if age == "current" and rng.random() < 0.25:
                continue  # not reported yet this semester
            day = start + dt.timedelta(days=rng.randint(60, 170))
            if day > today:
                day = today - dt.timedelta(days=rng.randint(1, 20))
            set_time(dt.datetime.combine(day, dt.time(9, rng.randint(0, 59)), dt.UTC))
            previous = percent_so_far[act.code]
            if act.code in ended:
                status = ended[act.code]
            elif previous >= 100:
                status = "completed"
            else:
                status = rng.choices(list(weights), list(weights.values()))[0]
                if status == "not-started" and previous > 0:
                    status = "at-risk"  # work begun earlier has stalled
            step = {"on-track": (10, 25), "at-risk": (3, 12), "off-track": (0, 5),
                    "completed": (100, 100), "not-started": (0, 0),
                    "cancelled": (0, 0)}[status]
            pct = min(100, previous + rng.randint(*step)) if status != "completed" else 100
            if status == "not-started":
                pct = previous
            percent_so_far[act.code] = pct
            values = {}
            for ind in act.indicators:
                # the share of the whole plan's way done, of the end target: a
                # semester's milestone would make a count done so far go down when the
                # next milestone is the end's (72 of 600, then 48 of 150)
                base = ind.baseline or 0
                target = ind.target if ind.target is not None else max(
                    (v for _, v in ind.targets), default=base)
                values[ind.key] = round(base + (target - base) * pct / 100)
            narratives = {
                "achievements": _sentences(rng, _ACHIEVEMENTS[lang], lang, rng.randint(2, 4)),
                "challenges": ("" if status in ("completed", "not-started") else
                               _sentences(rng, _CHALLENGES[lang], lang, rng.randint(1, 2))),
                "next_steps": _sentences(rng, _NEXT_STEPS[lang], lang, rng.randint(1, 2))}
            if act.code in ended:
                narratives = dict.fromkeys(narratives, "")
            elif status == "not-started":
                narratives["achievements"] = ""  # (no workshop held in work not begun)
            progress.record_progress(rep, act.code, period, status=status, percent=pct,
                                     values=values, **narratives)
            if status in ("completed", "cancelled"):
                ended.setdefault(act.code, status)
            count += 1
            if rng.random() < 0.3 and status not in ("completed", "cancelled"):
                # a second sitting later in the semester: the figure moves on
                set_time(dt.datetime.combine(min(day + dt.timedelta(days=14), today),
                                             dt.time(15, 0), dt.UTC))
                new_pct = min(100, pct + rng.randint(1, 8))
                percent_so_far[act.code] = new_pct
                # work not started at the first sitting has begun by the second: a
                # report "not started" gives no progress
                begun = {"status": "on-track"} if status == "not-started" else {}
                progress.record_progress(rep, act.code, period, percent=new_pct, **begun)
        if age == "closed":
            set_time(dt.datetime.combine(end, dt.time(16, 0), dt.UTC))
            progress.submit_period(rep, period)
            if closed is not None:
                closed(end)
    return count


#: Of the semesters a demo's headquarters merges, the share an office sends after the
#: deadline (30 days after the semester; see reports.default_deadline).
LATE_SHARE = 0.08


def _sender(hq: replica.Replica, rep: replica.Replica, rng: random.Random, folder: Path,
            set_time: Callable[[dt.datetime], None],
            today: dt.date) -> Callable[[dt.date], None]:
    """What an office of a merged demo does once a semester ends: it sends its bundle
    a few days later (now and then after the deadline), and headquarters imports it
    then, so that the review pack lists as late only the offices that were."""
    from fieldplan.sync import export_bundle, import_bundle

    def send(end: dt.date) -> None:
        days = rng.randint(35, 60) if rng.random() < LATE_SHARE else rng.randint(3, 25)
        day = min(end + dt.timedelta(days=days), today)
        set_time(dt.datetime.combine(day, dt.time(10, 0), dt.UTC))
        outcome = import_bundle(hq, export_bundle(rep, out_dir=folder).path, backup=False)
        assert outcome.outcome == "merged", outcome.reason

    return send


def make_demo(out: str | Path, *, offices: int = 6, seed: int = 1, merge: bool = False,
              progress: Progress | None = None) -> DemoWorld:
    """Write a demo world into ``out`` (which must not hold one already). It is made
    in a folder beside ``out`` and moved in once whole: a full disk or a kill leaves
    no half-made demo in ``out`` to refuse the next try (which removes what a killed
    one left)."""
    from fieldplan.files import cannot_write
    from fieldplan.offices import OIC_MEMBERS

    out = Path(out)
    if not 1 <= offices <= len(OIC_MEMBERS):
        raise ValidationError(_("a demo has 1 to {most} offices, not {count}").format(
            most=format_number(len(OIC_MEMBERS)), count=format_number(offices)))
    here = Path(os.path.abspath(out))
    part = _part_of(out)
    try:
        _clear_killed_move(part, out)
    except OSError as exc:
        raise cannot_write(exc.filename or out, exc) from None
    if (out / "hq.sqlite3").exists():
        raise ValidationError(_("{folder} already holds a demo; choose another folder").format(
            folder=ltr(out)))
    if out.exists() and not out.is_dir():
        raise ValidationError(_("{path} is a file, not a folder").format(path=ltr(out)))
    try:
        _remove_part(part)  # what a killed run left
        (part / "offices").mkdir(parents=True)
        (part / "bundles").mkdir()
    except OSError as exc:
        raise cannot_write(out, exc) from None
    try:
        world = _make_world(part, _codes(offices, seed), seed=seed, merge=merge,
                            progress=progress, final=here)
        _move_in(part, out)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            # (a move that failed among the moves into a folder holding other files:
            # those moved already go, as a kill's do at the next try)
            _clear_killed_move(part, out)
            _remove_part(part)
        if isinstance(exc, OSError):
            raise cannot_write(exc.filename or out, exc) from None
        raise
    if progress:
        total = offices + (1 if merge else 0)
        progress(total, total, _("done"))
    return world.moved_to(out)


def _part_of(out: Path) -> Path:
    """The folder a demo for ``out`` is made in, beside it: ``.<name>.demo-part``."""
    here = Path(os.path.abspath(out))  # ("." has no name to make one beside it from)
    return here.parent / f".{here.name}.demo-part"


def clear_killed_demo(out: str | Path) -> None:
    """Remove what a demo killed while it was moved into ``out`` left beside it (the
    folder it was made in, ``.<name>.demo-part``, and, unless the demo got there
    whole, the files it had moved), as ``make_demo`` does first. For a demo opened
    as made (the client's): killed after its last file moved, the folder stayed for
    good. OSError if it cannot be removed."""
    out = Path(out)
    _clear_killed_move(_part_of(out), out)


def _export_moved(rep: replica.Replica, part: Path, final: Path) -> None:
    """Note the office's last export (its bundle in the world being made in ``part``)
    where the bundle will be once the world is moved to ``final``: ``status`` would
    name a file in a folder that is gone."""
    from fieldplan import store

    last = json.loads(rep.meta("last_export") or "null")
    if not last or not last.get("path"):
        return
    try:
        last["path"] = str(final / Path(last["path"]).relative_to(part))
    except ValueError:  # (a bundle written elsewhere: as it is)
        return
    with store.write_transaction(rep.conn):
        events.set_meta(rep.conn, "last_export", events.canonical_json(last))


def _codes(offices: int, seed: int) -> list[str]:
    """The ``offices`` countries of a demo made with ``seed``."""
    from fieldplan.offices import OIC_MEMBERS

    rng = random.Random(seed)
    return sorted(OIC_MEMBERS) if offices == len(OIC_MEMBERS) else sorted(
        rng.sample(sorted(OIC_MEMBERS), offices))


def _remove_part(part: Path) -> None:
    """Remove the folder a demo was being made in (none there: nothing to do)."""
    if part.is_dir() and not part.is_symlink():
        shutil.rmtree(part)
    elif part.exists() or part.is_symlink():
        part.unlink()


def _move_in(part: Path, out: Path) -> None:
    """Put the demo made in ``part`` in ``out``: the whole folder at once where
    ``out`` is missing or empty; in a folder holding other files, each of the demo's
    beside them (its folders' files in folders of those names there), the
    headquarters database last (what says a demo is there). A file of the demo's name
    there already is never written over (FileExistsError), and then nothing moves."""
    if not out.exists() or (not any(out.iterdir()) and not _same(out, Path.cwd())):
        try:
            os.replace(part, out)  # (onto an empty folder: not on Windows)
            return
        except OSError:
            if not out.is_dir():
                raise
    moves = []

    def plan(src: Path, dst: Path) -> None:
        if src.is_dir() and dst.is_dir():
            for item in src.iterdir():
                plan(item, dst / item.name)
        elif dst.exists() or dst.is_symlink():
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(dst))
        else:
            moves.append((src, dst))

    for entry in sorted(part.iterdir(), key=lambda e: e.name == "hq.sqlite3"):
        plan(entry, out / entry.name)
    # what moves is written down first: a kill among the moves leaves files of a demo
    # with no headquarters database beside them, which the next try removes
    # (``_clear_killed_move``), as it removes the rest of the folder it was made in
    from fieldplan.files import write_atomic

    write_atomic(part / _MOVING, json.dumps(
        [dst.relative_to(out).as_posix() for _src, dst in moves]).encode("utf-8"))
    for src, dst in moves:
        os.replace(src, dst)
    _remove_part(part)


#: (in the folder a demo was made in) the files and folders being moved into the
#: demo's folder, one by one (``_move_in``), relative to it: a JSON list
_MOVING = ".moving"


def _clear_killed_move(part: Path, out: Path) -> None:
    """Undo what a demo killed while its files were moved one by one into ``out``
    left (``_move_in``): the files it had moved there (not its headquarters
    database, moved last: none, or the demo is whole), then the folder it was made
    in. Nothing to do without such a folder; PermissionError when it is not the
    person's (``_own_part``).

    The folder's name is known in advance (``_part_of``): in a shared folder (/tmp)
    another user can make it first. Such a folder is never read, and of a list of
    moves only names inside ``out`` are undone: "offices/../../.." removed the
    person's own folders."""
    _own_part(part)
    try:
        listed = json.loads((part / _MOVING).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return  # (no move was under way: the folder, if any, goes later)
    if not isinstance(listed, list):
        listed = []
    if (part / "hq.sqlite3").exists():  # (else the demo is whole in ``out``)
        for rel in listed:
            if not _inside(rel):
                continue  # (``_move_in`` lists names inside ``out`` only)
            moved, left = out / rel, part / rel
            if left.exists() or left.is_symlink():
                continue  # still to move: nothing of it in ``out``
            if moved.is_dir() and not moved.is_symlink():
                shutil.rmtree(moved)
            elif moved.is_file():
                moved.unlink()
    _remove_part(part)


def _own_part(part: Path) -> None:
    """(POSIX) PermissionError naming ``part`` when it is there and another user's (a
    folder, a link): not a demo of the person's that was killed."""
    if not hasattr(os, "getuid"):
        return
    try:
        info = os.lstat(part)
    except OSError:  # (none there, or a file in its path: what writes there says so)
        return
    if info.st_uid != os.getuid():
        raise PermissionError(errno.EPERM, os.strerror(errno.EPERM), str(part))


def _inside(rel: object) -> bool:
    """Whether ``rel``, an entry of a list of moves, names a file inside the demo's
    folder: a relative path of plain names (no "..", not absolute)."""
    if not isinstance(rel, str) or not rel:
        return False
    found = PurePosixPath(rel)
    return not found.is_absolute() and ".." not in found.parts and "\\" not in rel \
        and ":" not in rel


def _same(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _make_world(out: Path, codes: list[str], *, seed: int, merge: bool,
                progress: Progress | None, final: Path | None = None) -> DemoWorld:
    """The demo world, made in ``out``; ``final``: the folder it is then moved to,
    which the databases name as where their files are (their last export)."""
    from fieldplan.offices import working_language
    from fieldplan.sync import enroll_office, export_bundle, import_bundles, init_from_setup

    world = DemoWorld(out=out, hq=out / "hq.sqlite3")
    start = dt.datetime(2025, 6, 21, 8, 0, tzinfo=dt.UTC)
    total = len(codes) + (1 if merge else 0)
    made_on = events.local_today()  # (before the clock runs on simulated time)
    with _simulated_clock(start) as set_time, tempfile.TemporaryDirectory() as tmp:
        hq = replica.init_hq(world.hq, author="hq.desk")
        with hq:
            today = demo_today(hq.plan(), made_on)
            # every office enrolled at the start: a setup bundle written once headquarters
            # held an office's later data would carry that clock into the next office
            for code in codes:
                enroll_office(hq, code, Path(tmp) / f"{code}-setup.fieldplan")
            # headquarters reports on the plan's global actions, as the review pack
            # expects it to (after the setup bundles: its clock then stays its own)
            hq.conn.execute("PRAGMA synchronous = OFF")
            world.reports += _write_office(hq, random.Random(f"{seed}:HQ"), "en", set_time,
                                           today=today)
            hq.conn.execute("PRAGMA synchronous = FULL")
            for i, code in enumerate(codes):
                if progress:
                    progress(i, total, code)
                set_time(None)  # each office's changes at their own times in the plan
                setup = Path(tmp) / f"{code}-setup.fieldplan"
                db = out / "offices" / f"{code}.sqlite3"
                office_rng = random.Random(f"{seed}:{code}")
                with init_from_setup(db, setup, author=f"{code.lower()}.officer") as rep:
                    rep.conn.execute("PRAGMA synchronous = OFF")  # demo data is remade at will
                    # (its own random numbers: the offices' data is the same either way)
                    closed = _sender(hq, rep, random.Random(f"{seed}:{code}:sent"),
                                     Path(tmp), set_time, today) if merge else None
                    world.reports += _write_office(rep, office_rng, working_language(code),
                                                   set_time, closed, today=today)
                    world.offices[code] = db
                    world.bundles[code] = export_bundle(rep, out_dir=out / "bundles").path
                    if final is not None:
                        _export_moved(rep, out, final)
            if merge:
                if progress:
                    progress(len(codes), total, "HQ")
                import_bundles(hq, [world.bundles[c] for c in codes])
                world.merged = True
    return world
