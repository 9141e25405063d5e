"""Reminders before each deadline and escalation of overdue review queues, as one daily digest.

Everyone who has something to do gets at most one in-app notification and one email a day,
listing all of it; a `ReminderLog` row per person and day is the proof, so a second run on the
same day sends nothing.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Count, Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluations.models import (
    EntryStatus,
    Evaluation,
    EvaluationState,
    Period,
    PeriodState,
    WorkEntry,
)
from evaluations.services import policy_for
from kpi_portal.notifications import notify
from orgunits import roles
from orgunits.models import Assignment, AssignmentRole, Bloc, Delegation, OrgUnit, User
from orgunits.querysets import ancestor_paths

from .models import ReminderLog

LOG, SELF_ASSESS, REVIEW, DECIDE, ESCALATE = "log", "self_assess", "review", "decide", "escalate"
WAITING_FOR_HEAD = (EvaluationState.SELF_ASSESSED,)
WAITING_FOR_DECISION = (EvaluationState.HEAD_ASSESSED, EvaluationState.HR_CHECKED)


@dataclass(frozen=True)
class Item:
    """One thing a person should do, as a line of their digest."""

    kind: str
    text: str
    url: str


def due_soon(deadline: date, today: date, days: int) -> bool:
    """From `days` days before the deadline up to the deadline itself."""
    return 0 <= (deadline - today).days <= days


def _d(day: date) -> str:
    return day.strftime("%d/%m/%Y")


class Leaders:
    """Leaders and live delegates by unit path, loaded once per run."""

    def __init__(self, today: date):
        self.by_path: dict[str, list[tuple[int, int]]] = defaultdict(list)
        leaders = Assignment.objects.active_on(today).filter(
            role__in=roles.LEADER_ROLES, person__user__is_active=True
        )
        for path, role, user_id in leaders.values_list("unit__path", "role", "person__user_id"):
            self.by_path[path].append((user_id, roles.rank(role)))
        delegations = Delegation.objects.filter(
            revoked_at__isnull=True, valid_from__lte=today, valid_to__gte=today
        )
        head = roles.RANK[AssignmentRole.HEAD]
        for path, user_id in delegations.values_list("unit__path", "delegate__user_id"):
            self.by_path[path].append((user_id, head))

    def reviewers(self, unit_path: str, author_role: str, author_id: int) -> tuple[str, list[int]]:
        """The nearest unit whose leaders approve the author's work, and those leaders."""
        for path in reversed(ancestor_paths(unit_path, OrgUnit.steplen)):
            found = [
                user_id
                for user_id, rank in self.by_path.get(path, [])
                if user_id != author_id
                and roles.scope_covers((path, rank, None), unit_path, author_role)
            ]
            if found:
                return path, found
        return "", []

    def superiors(self, path: str) -> list[int]:
        """The leaders of the nearest unit above `path` that has any."""
        for above in reversed(ancestor_paths(path, OrgUnit.steplen, include_self=False)):
            found = [user_id for user_id, _rank in self.by_path.get(above, [])]
            if found:
                return found
        return []

    def heads(self, path: str) -> list[int]:
        """Who decides for a unit: its head (or the head's delegate), else the nearest above."""
        head = roles.RANK[AssignmentRole.HEAD]
        for above in reversed(ancestor_paths(path, OrgUnit.steplen)):
            found = [user_id for user_id, rank in self.by_path.get(above, []) if rank >= head]
            if found:
                return found
        return []


def _period_blocs(period: Period) -> list[str]:
    """The unit blocs this period evaluates: its own, or every bloc without a policy of its own."""
    return [bloc for bloc in ["", *Bloc.values] if policy_for(bloc).bloc == period.bloc]


def _not_logged(period: Period, today: date) -> Iterable[int]:
    logged = WorkEntry.objects.filter(period=period, person=OuterRef("person"))
    return (
        Assignment.objects.active_on(today)
        .filter(is_primary=True, person__is_active=True, unit__bloc__in=_period_blocs(period))
        .exclude(Exists(logged))
        .values_list("person__user_id", flat=True)
        .distinct()
    )


def _not_self_assessed(period: Period) -> Iterable[int]:
    return Evaluation.objects.filter(
        period=period, state=EvaluationState.DRAFT, person__is_active=True
    ).values_list("person__user_id", flat=True)


def _waiting(period: Period) -> Counter:
    """Entries and phiếu đánh giá waiting for review, by (unit path, author role, author)."""
    waiting: Counter = Counter()
    entries = (
        WorkEntry.objects.filter(period=period, status=EntryStatus.SUBMITTED)
        .values_list("unit__path", "author_role", "person__user_id")
        .annotate(n=Count("id"))
    )
    evaluations = (
        Evaluation.objects.filter(period=period, state__in=WAITING_FOR_HEAD)
        .values_list("unit__path", "author_role", "person__user_id")
        .annotate(n=Count("id"))
    )
    for path, role, user_id, count in entries:
        waiting[(path, role, user_id, "entry")] += count
    for path, role, user_id, count in evaluations:
        waiting[(path, role, user_id, "evaluation")] += count
    return waiting


class Digest:
    """Everything each user should hear about today, collected before anything is sent."""

    def __init__(self, today: date):
        self.today = today
        self.items: dict[int, list[Item]] = defaultdict(list)

    def add(self, user_ids: Iterable[int], item: Item) -> None:
        for user_id in set(user_ids):
            if user_id is not None:
                self.items[user_id].append(item)


def _collect_log_and_self(digest: Digest, period: Period, days: int) -> None:
    today = digest.today
    if period.state == PeriodState.OPEN and due_soon(period.log_close, today, days):
        text = _("Bạn chưa ghi nhận sản phẩm nào trong kỳ %(p)s; hạn ghi nhận: %(d)s.") % {
            "p": period,
            "d": _d(period.log_close),
        }
        digest.add(
            _not_logged(period, today), Item(LOG, text, reverse("evaluations:worklog_current"))
        )
    if due_soon(period.self_assessment_due, today, days):
        text = _("Bạn chưa tự đánh giá kỳ %(p)s; hạn tự đánh giá: %(d)s.") % {
            "p": period,
            "d": _d(period.self_assessment_due),
        }
        url = reverse("evaluations:evaluation_current")
        digest.add(_not_self_assessed(period), Item(SELF_ASSESS, text, url))


def _collect_reviews(digest: Digest, period: Period, leaders: Leaders, days: int) -> int:
    """Reviewers before the review deadline; their superiors once the queue is long overdue."""
    today = digest.today
    remind = due_soon(period.review_due, today, days)
    overdue_by = (today - period.review_due).days
    escalate = overdue_by > settings.ESCALATION_DAYS
    if not (remind or escalate):
        return 0
    per_reviewer: dict[int, Counter] = defaultdict(Counter)
    per_unit: dict[str, int] = Counter()
    for (path, role, author_id, what), count in _waiting(period).items():
        reviewing_path, reviewers = leaders.reviewers(path, role, author_id)
        for user_id in reviewers:
            per_reviewer[user_id][what] += count
        if what == "entry" and reviewing_path:
            per_unit[reviewing_path] += count
    if remind:
        for user_id, counts in per_reviewer.items():
            text = _(
                "Kỳ %(p)s: %(e)s sản phẩm chờ phê duyệt, %(v)s phiếu đánh giá chờ thủ trưởng "
                "đánh giá; hạn: %(d)s."
            ) % {
                "p": period,
                "e": counts["entry"],
                "v": counts["evaluation"],
                "d": _d(period.review_due),
            }
            digest.add([user_id], Item(REVIEW, text, reverse("evaluations:review_queue")))
    if not escalate:
        return 0
    names = dict(OrgUnit.objects.filter(path__in=per_unit).values_list("path", "name"))
    for path, count in per_unit.items():
        text = _(
            "%(u)s còn %(n)s sản phẩm chưa phê duyệt, quá hạn %(days)s ngày (kỳ %(p)s, hạn %(d)s)."
        ) % {
            "u": names.get(path, path),
            "n": count,
            "days": overdue_by,
            "p": period,
            "d": _d(period.review_due),
        }
        digest.add(
            leaders.superiors(path), Item(ESCALATE, text, reverse("evaluations:review_queue"))
        )
    return len(per_unit)


def _collect_decisions(digest: Digest, period: Period, leaders: Leaders, days: int) -> None:
    """Deciders, before the lock date: results must be decided and published by then."""
    if not due_soon(period.lock_date, digest.today, days):
        return
    waiting = (
        Evaluation.objects.filter(period=period, state__in=WAITING_FOR_DECISION)
        .values_list("deciding_unit__path", "deciding_unit__name")
        .annotate(n=Count("id"))
    )
    for path, name, count in waiting:
        text = _("%(u)s: %(n)s phiếu đánh giá kỳ %(p)s chờ quyết định; khóa kỳ ngày %(d)s.") % {
            "u": name,
            "n": count,
            "p": period,
            "d": _d(period.lock_date),
        }
        digest.add(leaders.heads(path), Item(DECIDE, text, reverse("evaluations:decision_list")))


def collect(today: date) -> tuple[Digest, int]:
    """Every reminder due today, by user, and how many review queues were escalated."""
    days = settings.REMINDER_DAYS_BEFORE
    digest, leaders, escalated = Digest(today), Leaders(today), 0
    periods = Period.objects.filter(
        state__in=(PeriodState.OPEN, PeriodState.IN_REVIEW, PeriodState.DECIDED)
    ).order_by("start", "bloc")
    for period in periods:
        if period.state != PeriodState.DECIDED:
            _collect_log_and_self(digest, period, days)
            escalated += _collect_reviews(digest, period, leaders, days)
        _collect_decisions(digest, period, leaders, days)
    from .quarterly import collect_reminders  # quarterly imports this module's Item

    collect_reminders(digest, days)
    return digest, escalated


def _site() -> str:
    """The public origin for links in emails; production must list it in CSRF_TRUSTED_ORIGINS."""
    origins = settings.CSRF_TRUSTED_ORIGINS
    return origins[0].rstrip("/") if origins else ""


def _email(user: User, items: list[Item], today: date) -> EmailMessage:
    site = _site()
    lines = [
        _("Kính gửi %(n)s,") % {"n": user.get_full_name() or user.username},
        "",
        _("Những việc cần làm trên %(s)s:") % {"s": settings.SYSTEM_NAME},
        "",
    ]
    for item in items:
        lines.append(f"- {item.text}")
        if site:
            lines.append(f"  {site}{item.url}")
    lines += [
        "",
        _("Bạn có thể tắt thư nhắc việc trong mục Hồ sơ của tôi."),
    ]
    subject = _("[%(s)s] Nhắc việc ngày %(d)s") % {"s": settings.SYSTEM_NAME, "d": _d(today)}
    return EmailMessage(subject=subject, body="\n".join(lines), to=[user.email])


def reminders_send(*, today: date | None = None) -> dict[str, int]:
    """Send today's digests: one notification and at most one email per person and day."""
    today = today or timezone.localdate()
    digest, escalated = collect(today)
    users = User.objects.filter(pk__in=digest.items, is_active=True).in_bulk()
    notified, emails = 0, {}
    for user_id, items in sorted(digest.items.items()):
        user = users.get(user_id)
        if user is None:
            continue
        with transaction.atomic():
            log, created = ReminderLog.objects.get_or_create(
                user=user, day=today, defaults={"kinds": sorted({i.kind for i in items})}
            )
            if not created:
                continue
            notify(
                recipients=[user],
                kind="reminder.digest",
                title=_("Nhắc việc ngày %(d)s: %(n)s việc cần làm")
                % {"d": _d(today), "n": len(items)},
                body="\n".join(f"- {item.text}" for item in items),
                url=items[0].url,
            )
            notified += 1
            if user.email_notifications and user.email:
                emails[log.pk] = _email(user, items, today)
    if emails:
        get_connection().send_messages(list(emails.values()))
        ReminderLog.objects.filter(pk__in=emails).update(emailed=True)
    return {"notified": notified, "emailed": len(emails), "escalated": escalated}
