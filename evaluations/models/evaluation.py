"""Phiếu đánh giá (Mẫu 01) and what follows it: decision, publication, appeal, the year."""

import uuid
from datetime import date
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from orgunits.models import JobPositionGroup, OrgUnit, Person

from ..querysets import EvaluationQuerySet, ResultQuerySet
from .worklog import Period


class Rating(models.TextChoices):
    HTXS = "HTXS", _("Hoàn thành xuất sắc nhiệm vụ")
    HTT = "HTT", _("Hoàn thành tốt nhiệm vụ")
    HT = "HT", _("Hoàn thành nhiệm vụ")
    KHT = "KHT", _("Không hoàn thành nhiệm vụ")
    NOT_RATED = "CHUA_XEP_LOAI", _("Chưa xếp loại")


class EvaluationState(models.TextChoices):
    DRAFT = "draft", _("Chưa tự đánh giá")
    SELF_ASSESSED = "self_assessed", _("Đã tự đánh giá")
    HEAD_ASSESSED = "head_assessed", _("Thủ trưởng đã đánh giá")
    HR_CHECKED = "hr_checked", _("Đã thẩm định")
    DECIDED = "decided", _("Đã quyết định")
    PUBLISHED = "published", _("Đã công bố")


class EvaluationRole(models.TextChoices):
    STAFF = "staff", _("Cán bộ, công chức, viên chức")
    LEADER = "leader", _("Lãnh đạo, quản lý")


class Evaluation(models.Model):
    """One person × one period: self-assessment, head's assessment, HR check and decision."""

    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="evaluations")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="evaluations")
    # The unit where the person worked at the period's end evaluates them.
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="evaluations")
    # The agency that decides and whose quota applies (the unit itself or its nearest agency).
    deciding_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    position_group = models.ForeignKey(
        JobPositionGroup, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("đối tượng"), max_length=8, choices=EvaluationRole.choices)
    author_role = models.CharField(max_length=8)
    criteria_version = models.ForeignKey(
        "catalog.CriteriaSetVersion", null=True, on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(
        _("trạng thái"),
        max_length=16,
        choices=EvaluationState.choices,
        default=EvaluationState.DRAFT,
    )
    self_general = models.JSONField(_("điểm tiêu chí chung tự chấm"), default=list, blank=True)
    self_notes = models.JSONField(_("giải trình"), default=list, blank=True)
    self_comment = models.TextField(_("tự nhận xét"), blank=True)
    self_assessed_at = models.DateTimeField(null=True, blank=True)
    head_general = models.JSONField(
        _("điểm tiêu chí chung của thủ trưởng"), default=list, blank=True
    )
    head_reasons = models.JSONField(_("lý do điều chỉnh"), default=list, blank=True)
    head_comment = models.TextField(_("nhận xét của thủ trưởng"), blank=True)
    organizing = models.DecimalField(
        _("năng lực tổ chức thực hiện (lãnh đạo)"),
        max_digits=4,
        decimal_places=3,
        null=True,
        blank=True,
    )
    head_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    head_on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    head_assessed_at = models.DateTimeField(null=True, blank=True)
    return_note = models.TextField(_("lý do trả lại"), blank=True)
    disciplined = models.BooleanField(
        _("bị kỷ luật (khiển trách trở lên) trong năm"), default=False
    )
    degraded = models.BooleanField(_("có kết luận suy thoái"), default=False)
    unit_corruption = models.BooleanField(
        _("đơn vị để xảy ra tham nhũng (lãnh đạo)"), default=False
    )
    hr_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    hr_note = models.TextField(_("ý kiến thẩm định"), blank=True)
    hr_checked_at = models.DateTimeField(null=True, blank=True)
    # The computed result (refreshed while open, frozen by the decision).
    task_lines = models.JSONField(default=list, blank=True)
    general_score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    task_score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    total = models.DecimalField(
        _("tổng điểm"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    ratios = models.JSONField(default=dict, blank=True)
    band_rating = models.CharField(max_length=16, choices=Rating.choices, blank=True)
    computed_rating = models.CharField(max_length=16, choices=Rating.choices, blank=True)
    capped_by = models.CharField(max_length=32, blank=True)
    not_rated_reason = models.CharField(max_length=255, blank=True)
    rating = models.CharField(_("xếp loại"), max_length=16, choices=Rating.choices, blank=True)
    downgrade_reason = models.CharField(_("lý do hạ mức do vượt tỷ lệ"), max_length=255, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_number = models.CharField(_("số quyết định"), max_length=60, blank=True)
    decision_date = models.DateField(_("ngày quyết định"), null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=0)

    objects = EvaluationQuerySet.as_manager()

    class Meta:
        ordering = ["period", "person__full_name"]
        verbose_name = _("phiếu đánh giá")
        verbose_name_plural = _("phiếu đánh giá")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "person"],
                name="evaluation_once_per_period",
                violation_error_message=_("Mỗi người chỉ có một phiếu đánh giá trong một kỳ."),
            ),
            models.CheckConstraint(
                condition=Q(organizing__isnull=True) | Q(organizing__gte=0, organizing__lte=1),
                name="evaluation_organizing_in_unit_range",
                violation_error_message=_("Năng lực tổ chức thực hiện phải từ 0 đến 1."),
            ),
        ]
        indexes = [
            models.Index(
                fields=["period", "deciding_unit", "state"], name="evaluation_decision_queue"
            ),
            models.Index(fields=["period", "unit"], name="evaluation_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.period}"

    def get_absolute_url(self) -> str:
        return reverse("evaluations:evaluation_detail", args=[self.pk])

    @property
    def is_decided(self) -> bool:
        return self.state in (EvaluationState.DECIDED, EvaluationState.PUBLISHED)


class DecisionVersion(models.Model):
    """Every decision of an evaluation, kept whole: an accepted appeal adds a version."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="decisions")
    number = models.PositiveSmallIntegerField()
    rating = models.CharField(max_length=16, choices=Rating.choices)
    total = models.DecimalField(max_digits=5, decimal_places=2, null=True)
    snapshot = models.JSONField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["evaluation", "number"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "number"], name="decision_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.evaluation} v{self.number}: {self.rating}"


class AppealStatus(models.TextChoices):
    OPEN = "open", _("Đang xem xét")
    ACCEPTED = "accepted", _("Chấp nhận, đánh giá lại")
    REJECTED = "rejected", _("Không chấp nhận")


class Appeal(models.Model):
    """Khiếu nại against a published result, filed within the working-day limit."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="appeals")
    text = models.TextField(_("nội dung khiếu nại"))
    filed_at = models.DateTimeField(auto_now_add=True)
    due_on = models.DateField(_("hạn giải quyết"))
    status = models.CharField(
        max_length=10, choices=AppealStatus.choices, default=AppealStatus.OPEN
    )
    resolution = models.TextField(_("kết quả giải quyết"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    # Past the 10 working days a resolution is still accepted (the person is owed an answer),
    # but the lateness is kept for oversight.
    resolved_late = models.BooleanField(_("giải quyết quá hạn"), default=False)

    class Meta:
        ordering = ["-filed_at"]
        verbose_name = _("khiếu nại")
        verbose_name_plural = _("khiếu nại")

    def __str__(self) -> str:
        return f"{self.evaluation} ({self.get_status_display()})"

    def is_overdue_on(self, on: date) -> bool:
        return self.status == AppealStatus.OPEN and on > self.due_on


def appeal_attachment_path(instance, filename: str) -> str:
    suffix = PurePosixPath(filename).suffix.lower()[:8]
    return f"appeals/{date.today():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class AppealAttachment(models.Model):
    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=appeal_attachment_path)
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=80)

    def __str__(self) -> str:
        return self.name


class AnnualResult(models.Model):
    """The year: the mean of the rated periods' totals, banded, with the year's overrides."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="annual_results")
    year = models.PositiveSmallIntegerField(_("năm"))
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    total = models.DecimalField(max_digits=5, decimal_places=2, null=True)
    computed_rating = models.CharField(max_length=16, choices=Rating.choices)
    capped_by = models.CharField(max_length=32, blank=True)
    rating = models.CharField(_("xếp loại năm"), max_length=16, choices=Rating.choices, blank=True)
    periods_rated = models.PositiveSmallIntegerField(default=0)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    late_reason = models.TextField(_("lý do quyết định, công bố sau hạn"), blank=True)

    objects = ResultQuerySet.as_manager()

    class Meta:
        ordering = ["year", "person__full_name"]
        verbose_name = _("kết quả xếp loại năm")
        verbose_name_plural = _("kết quả xếp loại năm")
        constraints = [models.UniqueConstraint(fields=["person", "year"], name="annual_once")]

    def __str__(self) -> str:
        return f"{self.person} — {self.year}: {self.rating or self.computed_rating}"

    def get_absolute_url(self) -> str:
        return reverse("evaluations:annual_result", args=[self.pk])


class QuarterResult(models.Model):
    """Kết luận 198-KL/TW: a leader's quarter, the mean of its rated months, banded as the year."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="quarter_results")
    year = models.PositiveSmallIntegerField(_("năm"))
    quarter = models.PositiveSmallIntegerField(_("quý"))
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    deciding_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    total = models.DecimalField(_("tổng điểm"), max_digits=5, decimal_places=2, null=True)
    computed_rating = models.CharField(max_length=16, choices=Rating.choices)
    capped_by = models.CharField(max_length=32, blank=True)
    rating = models.CharField(_("xếp loại quý"), max_length=16, choices=Rating.choices, blank=True)
    months_rated = models.PositiveSmallIntegerField(default=0)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = ResultQuerySet.as_manager()

    class Meta:
        ordering = ["year", "quarter", "person__full_name"]
        verbose_name = _("kết quả xếp loại quý của lãnh đạo")
        verbose_name_plural = _("kết quả xếp loại quý của lãnh đạo")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "year", "quarter"],
                name="quarter_result_once",
                violation_error_message=_("Mỗi người chỉ có một kết quả xếp loại trong một quý."),
            ),
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4),
                name="quarter_result_quarter_in_year",
                violation_error_message=_("Quý phải từ 1 đến 4."),
            ),
        ]
        indexes = [
            models.Index(fields=["year", "quarter", "deciding_unit"], name="quarter_result_decider")
        ]

    def __str__(self) -> str:
        return f"{self.person} — Q{self.quarter}/{self.year}: {self.rating or self.computed_rating}"


class CollectiveEvaluation(models.Model):
    """Đánh giá tập thể: an agency's own yearly rating on the same scale."""

    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="collective_evaluations"
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    general = models.JSONField(_("điểm tiêu chí chung do cấp trên chấm"), default=list)
    task_completion = models.DecimalField(max_digits=6, decimal_places=4, null=True)
    total = models.DecimalField(max_digits=5, decimal_places=2, null=True)
    rating = models.CharField(
        _("xếp loại tập thể"), max_length=16, choices=Rating.choices, blank=True
    )
    head_capped = models.BooleanField(
        _("xếp loại người đứng đầu không cao hơn tập thể"), default=False
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["year", "unit__path"]
        verbose_name = _("đánh giá tập thể")
        verbose_name_plural = _("đánh giá tập thể")
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="collective_once")]

    def __str__(self) -> str:
        return f"{self.unit} — {self.year}"
