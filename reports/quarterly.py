"""Quarterly reports between bodies: figures from the rollups, the submit/return/accept flow,
Ban Tổ chức's tracking of who has reported, and the reminders for reports not yet sent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kpi_portal import audit
from kpi_portal.notifications import notify
from orgunits.models import OrgUnit, User
from orgunits.querysets import outermost

from . import permissions
from .dashboards import DECIDING_KINDS
from .models import (
    QuarterlyReport,
    QuarterlyReportVersion,
    QuarterlyState,
    ReportingBody,
    ScopeKind,
    UnitPeriodRollup,
)
from .rollups import Scope

REMINDER_KIND = "quarterly_report"
NARRATIVE_FIELDS = ("general_assessment", "difficulties", "proposals")
BAND_FIELDS = ("count_htxs", "count_htt", "count_ht", "count_kht", "count_not_rated")
SUM_FIELDS = (
    "people",
    "people_logged",
    "people_rated",
    *BAND_FIELDS,
    "total_count",
    "pending_approvals",
    "overdue_evaluations",
    "flagged_people",
)
# Names listed in a report (over the cap, not published); the counts stay exact beyond it.
LISTED_UNITS = 30


# ---- quarters ------------------------------------------------------------------------------


def quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def previous_quarter(year: int, quarter: int) -> tuple[int, int]:
    return (year, quarter - 1) if quarter > 1 else (year - 1, 4)


def last_ended_quarter(today: date | None = None) -> tuple[int, int]:
    """The quarter whose reports are due now: the one before today's."""
    return previous_quarter(*quarter_of(today or timezone.localdate()))


def parse_quarter(text: str) -> tuple[int, int] | None:
    """`2026-Q1` (the rollups' quarter code) or None."""
    try:
        scope = Scope.parse(text)
    except ValueError:
        return None
    return (scope.year, scope.number) if scope.kind == ScopeKind.QUARTER else None


def quarter_code(year: int, quarter: int) -> str:
    return Scope(ScopeKind.QUARTER, year, quarter).code


# ---- figures from the rollups --------------------------------------------------------------


def _roots(body: ReportingBody) -> list[OrgUnit]:
    """The covered subtree roots, without any root inside another (it would count twice)."""
    roots = {unit.path: unit for unit in body.covers.all()}
    return [roots[path] for path in outermost(roots)]


def _percent(part: int, whole: int) -> float | None:
    if not whole:
        return None
    return float((Decimal(100) * part / whole).quantize(Decimal("0.1"), ROUND_HALF_UP))


def figures(body: ReportingBody, year: int, quarter: int) -> dict:
    """The body's quarter as the rollups have it: counts, shares and the units to watch."""
    roots = _roots(body)
    in_quarter = {"scope_kind": ScopeKind.QUARTER, "year": year, "number": quarter}
    rows = list(UnitPeriodRollup.objects.filter(unit__in=roots, **in_quarter))
    totals = {name: sum(getattr(row, name) for row in rows) for name in SUM_FIELDS}
    total_sum = sum((row.total_sum for row in rows), Decimal(0))
    rated = sum(totals[name] for name in BAND_FIELDS[:4])
    below = UnitPeriodRollup.objects.none()
    for root in roots:
        below |= UnitPeriodRollup.objects.filter(unit_path__startswith=root.path, **in_quarter)
    over_quota = below.filter(over_quota=True).order_by("unit_path")
    unpublished = below.filter(
        unit_kind__in=DECIDING_KINDS, people__gt=0, published=False
    ).order_by("unit_path")
    names = dict(
        OrgUnit.objects.filter(path__in=[r.unit_path for r in rows]).values_list("path", "name")
    )
    return {
        "quarter": quarter_code(year, quarter),
        "taken_at": timezone.now().isoformat(timespec="seconds"),
        "scope": [names.get(r.unit_path, "") for r in rows] or [u.name for u in roots],
        "has_data": bool(rows),
        **totals,
        "share_logged": _percent(totals["people_logged"], totals["people"]),
        "share_evaluated": _percent(totals["people_rated"], totals["people"]),
        "share_htxs": _percent(totals["count_htxs"], rated),
        "share_htt": _percent(totals["count_htt"], rated),
        "share_ht": _percent(totals["count_ht"], rated),
        "share_kht": _percent(totals["count_kht"], rated),
        "mean_total": (
            float((total_sum / totals["total_count"]).quantize(Decimal("0.01"), ROUND_HALF_UP))
            if totals["total_count"]
            else None
        ),
        "over_quota_count": over_quota.count(),
        "over_quota_units": _unit_names(over_quota),
        "unpublished_count": unpublished.count(),
        "unpublished_units": _unit_names(unpublished),
    }


def _unit_names(rows) -> list[str]:
    ids = list(rows.values_list("unit_id", flat=True)[:LISTED_UNITS])
    names = OrgUnit.objects.in_bulk(ids)
    return [names[i].name for i in ids if i in names]


# ---- the flow ------------------------------------------------------------------------------


def _audit(*, by: User, report: QuarterlyReport, action: str, changes: dict, reason: str = ""):
    audit.record(
        by=by,
        action=action,
        obj=report,
        unit_path=report.body.unit.path,
        changes=changes,
        reason=reason,
    )


def _check_quarter(year: int, quarter: int, today: date) -> None:
    if not 1 <= quarter <= 4 or not 2000 <= year <= 2100:
        raise ValidationError(_("Quý hoặc năm không hợp lệ."))
    if (year, quarter) > quarter_of(today):
        raise ValidationError(_("Chưa thể lập báo cáo cho quý chưa bắt đầu."))


@transaction.atomic
def quarterly_report_save(
    *,
    by: User,
    body: ReportingBody,
    year: int,
    quarter: int,
    general_assessment: str,
    difficulties: str,
    proposals: str,
) -> QuarterlyReport:
    """Create or update the draft's narrative; a submitted or accepted report stays as sent."""
    if not permissions.can_prepare_quarterly(by, body):
        raise PermissionDenied
    _check_quarter(year, quarter, timezone.localdate())
    report, created = QuarterlyReport.objects.select_for_update().get_or_create(
        body=body, year=year, quarter=quarter
    )
    if not report.is_editable:
        raise ValidationError(_("Báo cáo đã gửi; chỉ sửa được khi bị trả lại."))
    before = {name: getattr(report, name) for name in NARRATIVE_FIELDS}
    report.general_assessment = general_assessment.strip()
    report.difficulties = difficulties.strip()
    report.proposals = proposals.strip()
    report.full_clean()
    report.save()
    after = {name: getattr(report, name) for name in NARRATIVE_FIELDS}
    action = "quarterly_report.create" if created else "quarterly_report.edit"
    _audit(by=by, report=report, action=action, changes=audit.diff(before, after))
    return report


@transaction.atomic
def quarterly_report_submit(*, by: User, report: QuarterlyReport) -> QuarterlyReport:
    """Send the report to Ban Tổ chức with the rollups' figures as of now, as a new version."""
    report = QuarterlyReport.objects.select_for_update().select_related("body").get(pk=report.pk)
    if not permissions.can_prepare_quarterly(by, report.body):
        raise PermissionDenied
    if not report.is_editable:
        raise ValidationError(_("Báo cáo đã được gửi hoặc đã được tiếp nhận."))
    if not report.general_assessment:
        raise ValidationError(
            {"general_assessment": _("Hãy viết phần Đánh giá chung trước khi gửi báo cáo.")}
        )
    old_state = report.state
    report.figures = figures(report.body, report.year, report.quarter)
    report.state, report.version = QuarterlyState.SUBMITTED, report.version + 1
    report.submitted_by, report.submitted_at = by, timezone.now()
    report.full_clean()
    report.save()
    QuarterlyReportVersion.objects.create(
        report=report,
        number=report.version,
        figures=report.figures,
        submitted_by=by,
        submitted_at=report.submitted_at,
        **{name: getattr(report, name) for name in NARRATIVE_FIELDS},
    )
    _audit(
        by=by,
        report=report,
        action="quarterly_report.submit",
        changes={"state": [old_state, report.state], "version": [None, report.version]},
    )
    reviewers = User.objects.filter(pk__in=report.body.reviewer_ids(timezone.localdate()))
    notify(
        recipients=reviewers,
        kind="quarterly_report.submitted",
        title=_("%(body)s đã gửi báo cáo quý %(q)s/%(y)s (lần %(n)s)")
        % {"body": report.body, "q": report.quarter, "y": report.year, "n": report.version},
        url=report.get_absolute_url(),
    )
    return report


def _review(*, by: User, report: QuarterlyReport, state: str, comment: str) -> QuarterlyReport:
    report = QuarterlyReport.objects.select_for_update().select_related("body").get(pk=report.pk)
    if not permissions.can_review_quarterly(by, report.body):
        raise PermissionDenied
    if report.state != QuarterlyState.SUBMITTED:
        raise ValidationError(_("Chỉ xem xét được báo cáo đang chờ tiếp nhận."))
    old_state = report.state
    report.state, report.review_comment = state, comment.strip()
    report.reviewed_by, report.reviewed_at = by, timezone.now()
    report.full_clean()
    report.save()
    QuarterlyReportVersion.objects.filter(report=report, number=report.version).update(
        outcome=state,
        reviewed_by=by,
        reviewed_at=report.reviewed_at,
        review_comment=report.review_comment,
    )
    action = f"quarterly_report.{'return' if state == QuarterlyState.RETURNED else 'accept'}"
    _audit(
        by=by,
        report=report,
        action=action,
        changes={"state": [old_state, state]},
        reason=report.review_comment,
    )
    preparers = User.objects.filter(pk__in=report.body.preparer_ids(timezone.localdate()))
    title = (
        _("Báo cáo quý %(q)s/%(y)s của %(body)s bị trả lại: cần sửa và gửi lại")
        if state == QuarterlyState.RETURNED
        else _("Ban Tổ chức đã tiếp nhận báo cáo quý %(q)s/%(y)s của %(body)s")
    )
    notify(
        recipients=preparers,
        kind="quarterly_report.reviewed",
        title=title % {"body": report.body, "q": report.quarter, "y": report.year},
        body=report.review_comment,
        url=report.get_absolute_url(),
    )
    return report


@transaction.atomic
def quarterly_report_return(*, by: User, report: QuarterlyReport, comment: str) -> QuarterlyReport:
    """Send the report back to its body; the comment says what to fix."""
    if not comment.strip():
        raise ValidationError({"comment": _("Trả lại báo cáo phải nêu ý kiến cần sửa.")})
    return _review(by=by, report=report, state=QuarterlyState.RETURNED, comment=comment)


@transaction.atomic
def quarterly_report_accept(
    *, by: User, report: QuarterlyReport, comment: str = ""
) -> QuarterlyReport:
    """Accept the report into the province consolidation."""
    return _review(by=by, report=report, state=QuarterlyState.ACCEPTED, comment=comment)


# ---- tracking (who has reported) -----------------------------------------------------------


@dataclass(frozen=True)
class TrackingRow:
    body: ReportingBody
    report: QuarterlyReport | None
    deadline: date
    overdue: bool

    @property
    def state(self) -> str:
        return self.report.state if self.report else ""

    @property
    def state_label(self) -> str:
        if self.report is None:
            return _("Chưa lập")
        return str(self.report.get_state_display())


def not_sent(report: QuarterlyReport | None) -> bool:
    """Not (or no longer) with Ban Tổ chức: never sent, a draft, or returned for changes."""
    return report is None or report.is_editable


def tracking(bodies, year: int, quarter: int, today: date | None = None) -> list[TrackingRow]:
    """Each active body with its report of the quarter (if any), deadline and whether overdue."""
    today = today or timezone.localdate()
    bodies = list(bodies.filter(is_active=True).select_related("unit", "receiver"))
    reports = {
        r.body_id: r
        for r in QuarterlyReport.objects.filter(
            body__in=bodies, year=year, quarter=quarter
        ).select_related("submitted_by", "reviewed_by")
    }
    rows = []
    for body in bodies:
        report, deadline = reports.get(body.pk), body.deadline(year, quarter)
        rows.append(TrackingRow(body, report, deadline, not_sent(report) and today > deadline))
    return rows


def tracked_bodies(user: User):
    """The bodies on the user's tracking page: those reporting to them, or all for admins."""
    if permissions.can_review_quarterly(user):
        return ReportingBody.objects.reviewed_by(user)
    if permissions.can_view_quarterly_tracking(user):
        return ReportingBody.objects.all()
    return ReportingBody.objects.none()


# ---- consolidation -------------------------------------------------------------------------

CONSOLIDATED_FORMATS = ("pdf", "docx")


@transaction.atomic
def quarterly_consolidate(*, by: User, year: int, quarter: int, fmt: str) -> tuple[bytes, str, str]:
    """The province report of the bodies reporting to the user: (content, file name, type)."""
    from . import generators_quarterly as documents
    from .exporters import pdf

    bodies = ReportingBody.objects.reviewed_by(by).filter(is_active=True)
    if fmt not in CONSOLIDATED_FORMATS or not bodies.exists():
        raise PermissionDenied
    consolidation = documents.consolidate(bodies, year, quarter)
    if fmt == "pdf":
        content, content_type = documents.render_pdf(consolidation), pdf.CONTENT_TYPE
    else:
        content, content_type = documents.render_docx(consolidation), documents.DOCX_CONTENT_TYPE
    receiver = consolidation.rows[0].body.receiver
    audit.record(
        by=by,
        action="quarterly_report.consolidate",
        obj=receiver,
        unit_path=receiver.path,
        changes={
            "quarter": [None, quarter_code(year, quarter)],
            "format": [None, fmt],
            "accepted": [None, len(consolidation.rows) - len(consolidation.missing)],
            "missing": [None, [str(row.body) for row in consolidation.missing]],
        },
    )
    return content, documents.filename(consolidation, fmt), content_type


# ---- reminders -----------------------------------------------------------------------------


def collect_reminders(digest, days: int) -> None:
    """Add, to the daily digest, the last quarter's reports not yet sent to Ban Tổ chức.

    Preparers hear from `days` before the deadline until they send; once a deadline has
    passed, Ban Tổ chức's reviewers hear which bodies are late, in one line.
    """
    from .reminders import Item, due_soon

    today = digest.today
    year, quarter = last_ended_quarter(today)
    late_by_reviewer: dict[int, list[str]] = {}
    for row in tracking(ReportingBody.objects.all(), year, quarter, today):
        if not not_sent(row.report):
            continue
        overdue = today > row.deadline
        if not (overdue or due_soon(row.deadline, today, days)):
            continue
        returned = row.state == QuarterlyState.RETURNED
        text = (
            _("Báo cáo quý %(q)s/%(y)s của %(b)s bị trả lại, chưa gửi lại; hạn: %(d)s.")
            if returned
            else _("Báo cáo quý %(q)s/%(y)s của %(b)s chưa gửi Ban Tổ chức; hạn: %(d)s.")
        ) % {"q": quarter, "y": year, "b": row.body, "d": row.deadline.strftime("%d/%m/%Y")}
        if overdue:
            text += " " + _("Đã quá hạn %(n)s ngày.") % {"n": (today - row.deadline).days}
        url = reverse("reports:quarterly_mine")
        digest.add(row.body.preparer_ids(today), Item(REMINDER_KIND, text, url))
        if overdue:
            for user_id in row.body.reviewer_ids(today):
                late_by_reviewer.setdefault(user_id, []).append(str(row.body))
    url = reverse("reports:quarterly_tracking") + f"?quy={quarter_code(year, quarter)}"
    for user_id, names in late_by_reviewer.items():
        text = _("%(n)s cơ quan chưa gửi báo cáo quý %(q)s/%(y)s, đã quá hạn: %(names)s.") % {
            "n": len(names),
            "q": quarter,
            "y": year,
            "names": ", ".join(names),
        }
        digest.add([user_id], Item(REMINDER_KIND, text, url))
