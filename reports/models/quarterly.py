"""The quarterly report flow between bodies: who reports on which subtree, and each report.

A reporting body (Sở Nội vụ for the government bloc, a Party or MTTQ body for its own) prepares
one report a quarter from the rollups and sends it to Ban Tổ chức Tỉnh ủy, which returns it with
comments or accepts it, then consolidates the province report for the Ban Thường vụ.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgunits import roles
from orgunits.models import Assignment, AssignmentRole, Delegation, OrgUnit, Role, RoleGrant
from orgunits.querysets import ancestor_paths

__all__ = [
    "QuarterlyReport",
    "QuarterlyReportVersion",
    "QuarterlyState",
    "ReportingBody",
    "ReportingBodyKind",
    "quarter_end",
]


def quarter_end(year: int, quarter: int) -> date:
    """The last day of a calendar quarter."""
    if quarter == 4:
        return date(year, 12, 31)
    return date(year, 3 * quarter + 1, 1) - timedelta(days=1)


class ReportingBodyKind(models.TextChoices):
    GOVERNMENT = "government", _("Khối Chính quyền")
    PARTY = "party", _("Khối Đảng")
    MTTQ = "mttq", _("Khối MTTQ và các đoàn thể")


class ReportingBodyQuerySet(models.QuerySet):
    def prepared_by(self, user, on: date | None = None) -> ReportingBodyQuerySet:
        """Bodies whose report the user prepares: HR officers granted on the body's own unit,
        the head of that unit, or the head's live delegate."""
        if not user.is_authenticated:
            return self.none()
        on = on or timezone.localdate()
        hr_units = RoleGrant.objects.active_on(on).filter(user=user, role=Role.HR_OFFICER)
        heads = Assignment.objects.active_on(on).filter(person__user=user, role=AssignmentRole.HEAD)
        delegated = roles.delegations_to(user, on)
        return self.filter(
            Q(unit_id__in=hr_units.values("unit_id"))
            | Q(unit_id__in=heads.values("unit_id"))
            | Q(unit_id__in=delegated.values("unit_id"))
        )

    def reviewed_by(self, user, on: date | None = None) -> ReportingBodyQuerySet:
        """Bodies reporting to a unit the user oversees as an organization-department viewer."""
        if not user.is_authenticated:
            return self.none()
        on = on or timezone.localdate()
        paths = roles.granted_paths(user, on, (Role.ORG_DEPT_VIEWER,))
        if not paths:
            return self.none()
        query = Q()
        for path in paths:
            query |= Q(receiver__path__startswith=path)
        return self.filter(query)


class ReportingBody(models.Model):
    """Cơ quan báo cáo: the body that prepares a quarterly report, on which subtree, to whom."""

    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("cơ quan lập báo cáo"),
        on_delete=models.PROTECT,
        related_name="reporting_bodies",
    )
    covers = models.ManyToManyField(
        OrgUnit,
        verbose_name=_("phạm vi báo cáo"),
        related_name="covered_by_reporting_bodies",
        help_text=_("Các đơn vị gốc được tổng hợp số liệu, kể cả đơn vị trực thuộc."),
    )
    kind = models.CharField(_("khối"), max_length=16, choices=ReportingBodyKind.choices)
    receiver = models.ForeignKey(
        OrgUnit,
        verbose_name=_("cơ quan nhận báo cáo"),
        on_delete=models.PROTECT,
        related_name="received_reporting_bodies",
    )
    due_days = models.PositiveSmallIntegerField(_("hạn gửi (số ngày sau khi hết quý)"), default=15)
    is_active = models.BooleanField(_("đang báo cáo"), default=True)

    objects = ReportingBodyQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "unit__path"]
        verbose_name = _("cơ quan báo cáo quý")
        verbose_name_plural = _("cơ quan báo cáo quý")
        constraints = [
            models.UniqueConstraint(
                fields=["unit"],
                name="reporting_body_once_per_unit",
                violation_error_message=_("Cơ quan này đã được khai báo là cơ quan báo cáo."),
            )
        ]

    def __str__(self) -> str:
        return self.unit.name

    def deadline(self, year: int, quarter: int) -> date:
        return quarter_end(year, quarter) + timedelta(days=self.due_days)

    def preparer_ids(self, on: date) -> set[int]:
        """Users who prepare this body's report on the date (the reminders' recipients)."""
        grants = RoleGrant.objects.active_on(on).filter(
            unit=self.unit_id, role=Role.HR_OFFICER, user__is_active=True
        )
        heads = Assignment.objects.active_on(on).filter(
            unit=self.unit_id, role=AssignmentRole.HEAD, person__user__is_active=True
        )
        delegates = Delegation.objects.filter(
            unit=self.unit_id, revoked_at__isnull=True, valid_from__lte=on, valid_to__gte=on
        )
        return (
            set(grants.values_list("user_id", flat=True))
            | set(heads.values_list("person__user_id", flat=True))
            | set(delegates.values_list("delegate__user_id", flat=True))
        )

    def reviewer_ids(self, on: date) -> set[int]:
        """Organization-department viewers of the receiving unit (Ban Tổ chức)."""
        grants = RoleGrant.objects.active_on(on).filter(
            role=Role.ORG_DEPT_VIEWER,
            unit__path__in=ancestor_paths(self.receiver.path, OrgUnit.steplen),
            user__is_active=True,
        )
        return set(grants.values_list("user_id", flat=True))


class QuarterlyState(models.TextChoices):
    DRAFT = "draft", _("Đang soạn")
    SUBMITTED = "submitted", _("Đã gửi")
    RETURNED = "returned", _("Bị trả lại")
    ACCEPTED = "accepted", _("Đã tiếp nhận")


EDITABLE_STATES = (QuarterlyState.DRAFT, QuarterlyState.RETURNED)


class QuarterlyReportQuerySet(models.QuerySet):
    def visible_to(self, user, on: date | None = None) -> QuarterlyReportQuerySet:
        """The body's preparers, Ban Tổ chức receiving it, and system admins; nobody else."""
        if not user.is_authenticated:
            return self.none()
        on = on or timezone.localdate()
        if roles.is_system_admin(user, on):
            return self
        prepared = ReportingBody.objects.prepared_by(user, on).values("pk")
        reviewed = ReportingBody.objects.reviewed_by(user, on).values("pk")
        # A draft stays with its body until it is sent for the first time.
        return self.filter(Q(body__in=prepared) | Q(body__in=reviewed, version__gt=0))


class QuarterlyReport(models.Model):
    """Báo cáo quý of one body: figures from the rollups, narrative, and the review's outcome."""

    body = models.ForeignKey(
        ReportingBody,
        verbose_name=_("cơ quan báo cáo"),
        on_delete=models.PROTECT,
        related_name="reports",
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    quarter = models.PositiveSmallIntegerField(_("quý"))
    state = models.CharField(
        _("trạng thái"), max_length=16, choices=QuarterlyState.choices, default=QuarterlyState.DRAFT
    )
    # Taken from the rollups at each submission; what Ban Tổ chức reviews never moves under it.
    figures = models.JSONField(_("số liệu"), default=dict, blank=True)
    general_assessment = models.TextField(_("Đánh giá chung"), blank=True)
    difficulties = models.TextField(_("Khó khăn, vướng mắc"), blank=True)
    proposals = models.TextField(_("Kiến nghị, đề xuất"), blank=True)
    version = models.PositiveSmallIntegerField(_("lần gửi"), default=0)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người gửi"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    submitted_at = models.DateTimeField(_("thời điểm gửi"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người xem xét"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    reviewed_at = models.DateTimeField(_("thời điểm xem xét"), null=True, blank=True)
    review_comment = models.TextField(_("ý kiến của Ban Tổ chức"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = QuarterlyReportQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-quarter", "body__kind", "body__unit__path"]
        verbose_name = _("báo cáo quý")
        verbose_name_plural = _("báo cáo quý")
        constraints = [
            models.UniqueConstraint(
                fields=["body", "year", "quarter"],
                name="quarterly_report_once",
                violation_error_message=_("Cơ quan này đã có báo cáo của quý này."),
            ),
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4),
                name="quarterly_report_quarter_1_4",
                violation_error_message=_("Quý phải từ 1 đến 4."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.body} — Quý {self.quarter}/{self.year}"

    def get_absolute_url(self) -> str:
        return reverse("reports:quarterly_detail", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE_STATES

    def deadline(self) -> date:
        return self.body.deadline(self.year, self.quarter)


class QuarterlyReportVersion(models.Model):
    """One submission as sent, with how Ban Tổ chức answered it: the report's history."""

    report = models.ForeignKey(QuarterlyReport, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("lần gửi"))
    figures = models.JSONField(_("số liệu"), default=dict)
    general_assessment = models.TextField(_("Đánh giá chung"), blank=True)
    difficulties = models.TextField(_("Khó khăn, vướng mắc"), blank=True)
    proposals = models.TextField(_("Kiến nghị, đề xuất"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("thời điểm gửi"))
    outcome = models.CharField(
        _("kết quả xem xét"),
        max_length=16,
        choices=QuarterlyState.choices,
        default=QuarterlyState.SUBMITTED,
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(_("ý kiến của Ban Tổ chức"), blank=True)

    class Meta:
        ordering = ["report", "-number"]
        verbose_name = _("lần gửi báo cáo quý")
        verbose_name_plural = _("lần gửi báo cáo quý")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "number"],
                name="quarterly_version_once",
                violation_error_message=_("Lần gửi này đã được ghi nhận."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.report} — lần {self.number}"
