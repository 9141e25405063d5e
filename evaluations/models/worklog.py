import calendar
import uuid
from datetime import date
from decimal import Decimal
from pathlib import PurePosixPath

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from orgunits.models import Bloc, OrgUnit, Person

from ..querysets import PeriodQuerySet, PlanItemQuerySet, WorkEntryQuerySet

ZERO = Decimal("0")


class Frequency(models.TextChoices):
    MONTHLY = "month", _("Hằng tháng")
    QUARTERLY = "quarter", _("Hằng quý")


class PeriodPolicy(models.Model):
    """How often a bloc (or the whole province, bloc blank) is evaluated, and its deadlines."""

    bloc = models.CharField(_("khối"), max_length=16, choices=Bloc.choices, blank=True, unique=True)
    frequency = models.CharField(
        _("chu kỳ đánh giá"), max_length=8, choices=Frequency.choices, default=Frequency.MONTHLY
    )
    log_close_day = models.PositiveSmallIntegerField(
        _("ngày khóa ghi nhận sản phẩm (trong tháng cuối kỳ)"),
        default=25,
        validators=[MinValueValidator(1)],
    )
    self_assessment_days = models.PositiveSmallIntegerField(
        _("số ngày tự đánh giá sau khi khóa ghi nhận"), default=2
    )
    review_days = models.PositiveSmallIntegerField(
        _("số ngày đánh giá, phê duyệt sau hạn tự đánh giá"), default=3
    )
    lock_days = models.PositiveSmallIntegerField(
        _("số ngày từ cuối kỳ đến khi khóa kỳ"), default=20
    )
    daily_pace_factor = models.DecimalField(
        _("ngưỡng cảnh báo: gấp bao nhiêu lần định mức mỗi ngày"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("3"),
    )
    working_day_hours = models.DecimalField(
        _("số giờ làm việc mỗi ngày"), max_digits=4, decimal_places=1, default=Decimal("8")
    )
    # Nghị định 335 leaves both windows to the province; 5 and 10 working days are its usual terms.
    appeal_days = models.PositiveSmallIntegerField(
        _("thời hạn khiếu nại (ngày làm việc sau khi công bố)"),
        default=5,
        validators=[MinValueValidator(1)],
    )
    appeal_resolve_days = models.PositiveSmallIntegerField(
        _("thời hạn giải quyết khiếu nại (ngày làm việc)"),
        default=10,
        validators=[MinValueValidator(1)],
    )
    # The year's results are decided and published by this day: 15/12 unless the bloc says else.
    annual_deadline_day = models.PositiveSmallIntegerField(
        _("hạn quyết định, công bố kết quả năm: ngày"), default=15
    )
    annual_deadline_month = models.PositiveSmallIntegerField(
        _("hạn quyết định, công bố kết quả năm: tháng"), default=12
    )

    class Meta:
        verbose_name = _("quy định kỳ đánh giá")
        verbose_name_plural = _("quy định kỳ đánh giá")
        constraints = [
            models.CheckConstraint(
                condition=Q(log_close_day__gte=1, log_close_day__lte=28),
                name="policy_log_close_day_in_month",
                violation_error_message=_("Ngày khóa ghi nhận phải từ 1 đến 28."),
            ),
            models.CheckConstraint(
                condition=Q(
                    annual_deadline_month__gte=1,
                    annual_deadline_month__lte=12,
                    annual_deadline_day__gte=1,
                    annual_deadline_day__lte=31,
                ),
                name="policy_annual_deadline_is_a_date",
                violation_error_message=_("Hạn xếp loại năm phải là một ngày hợp lệ trong năm."),
            ),
        ]

    def __str__(self) -> str:
        return self.get_bloc_display() or str(_("Toàn tỉnh"))

    def annual_deadline(self, year: int) -> date:
        """The last day to decide and publish `year`; a day past the month's end means its end."""
        last = calendar.monthrange(year, self.annual_deadline_month)[1]
        return date(year, self.annual_deadline_month, min(self.annual_deadline_day, last))


class PeriodState(models.TextChoices):
    OPEN = "open", _("Đang mở")
    IN_REVIEW = "in_review", _("Đang đánh giá")
    DECIDED = "decided", _("Đã quyết định")
    PUBLISHED = "published", _("Đã công bố")
    LOCKED = "locked", _("Đã khóa")


class Period(models.Model):
    """Kỳ đánh giá: a month or quarter of one bloc (or of the whole province: bloc blank)."""

    kind = models.CharField(_("loại kỳ"), max_length=8, choices=Frequency.choices)
    bloc = models.CharField(_("khối"), max_length=16, choices=Bloc.choices, blank=True)
    year = models.PositiveSmallIntegerField(_("năm"))
    number = models.PositiveSmallIntegerField(_("tháng/quý"))
    start = models.DateField(_("từ ngày"))
    end = models.DateField(_("đến ngày"))
    log_close = models.DateField(_("hạn ghi nhận sản phẩm"))
    self_assessment_due = models.DateField(_("hạn tự đánh giá"))
    review_due = models.DateField(_("hạn đánh giá, phê duyệt"))
    lock_date = models.DateField(_("ngày khóa kỳ"))
    state = models.CharField(
        _("trạng thái"), max_length=12, choices=PeriodState.choices, default=PeriodState.OPEN
    )

    objects = PeriodQuerySet.as_manager()

    class Meta:
        ordering = ["-start", "bloc"]
        verbose_name = _("kỳ đánh giá")
        verbose_name_plural = _("kỳ đánh giá")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "bloc", "year", "number"],
                name="period_unique_per_bloc",
                violation_error_message=_("Kỳ đánh giá này đã tồn tại."),
            ),
            models.CheckConstraint(
                condition=Q(end__gte=F("start")),
                name="period_dates_ordered",
                violation_error_message=_("Ngày kết thúc kỳ phải sau ngày bắt đầu."),
            ),
        ]

    def __str__(self) -> str:
        label = _("Tháng %(n)02d/%(y)s") if self.kind == Frequency.MONTHLY else _("Quý %(n)s/%(y)s")
        return str(label) % {"n": self.number, "y": self.year}

    def get_absolute_url(self) -> str:
        return reverse("evaluations:worklog", args=[self.pk])

    @property
    def code(self) -> str:
        return (
            f"{self.year}-{self.number:02d}"
            if self.kind == Frequency.MONTHLY
            else f"{self.year}-Q{self.number}"
        )

    def accepts_logging(self, on: date) -> bool:
        return self.state == PeriodState.OPEN and on <= self.log_close

    @property
    def is_locked(self) -> bool:
        return self.state == PeriodState.LOCKED

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


class PeriodReopening(models.Model):
    """A locked period opened again: rare, and only with a recorded reason."""

    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="reopenings")
    reopened_at = models.DateTimeField(auto_now_add=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("lý do mở lại"))

    class Meta:
        ordering = ["-reopened_at"]
        verbose_name = _("lần mở lại kỳ")
        verbose_name_plural = _("lần mở lại kỳ")

    def __str__(self) -> str:
        return f"{self.period} — {self.reopened_at:%d/%m/%Y}"


class PlanStatus(models.TextChoices):
    ASSIGNED = "assigned", _("Được giao")
    PROPOSED = "proposed", _("Đề xuất, chờ duyệt")
    DECLINED = "declined", _("Không chấp nhận")


class PlanItem(models.Model):
    """Nhiệm vụ được giao: a catalog product × quantity × due date for one person and period."""

    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="plan_items")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="plan_items")
    product = models.ForeignKey(
        "catalog.Product", verbose_name=_("sản phẩm"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.DecimalField(
        _("số lượng"),
        max_digits=9,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    coefficient = models.DecimalField(_("hệ số quy đổi"), max_digits=7, decimal_places=3)
    due_date = models.DateField(_("hạn hoàn thành"))
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.ASSIGNED
    )
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decline_reason = models.CharField(_("lý do không chấp nhận"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PlanItemQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("nhiệm vụ được giao")
        verbose_name_plural = _("nhiệm vụ được giao")
        indexes = [models.Index(fields=["person", "period"], name="planitem_person_period")]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0) & Q(coefficient__gt=0),
                name="planitem_positive",
                violation_error_message=_("Số lượng và hệ số quy đổi phải lớn hơn 0."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.product} × {self.quantity}"

    @property
    def standard_products(self) -> Decimal:
        """Assigned quantity converted to sản phẩm chuẩn."""
        return self.quantity * self.coefficient


class EntryStatus(models.TextChoices):
    DRAFT = "draft", _("Nháp")
    SUBMITTED = "submitted", _("Chờ phê duyệt")
    APPROVED = "approved", _("Đã phê duyệt")
    RETURNED = "returned", _("Trả lại")


def evidence_path(instance, filename: str) -> str:
    """Random name in a private folder; the original name is kept on the row, not on disk."""
    suffix = PurePosixPath(filename).suffix.lower()[:8]
    return f"evidence/{date.today():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class WorkEntry(models.Model):
    """Nhật ký công việc: one completed product as logged by a person, and its review."""

    # The period keeps its own index although entry_period_status leads with it: reading a
    # quarter out of a year in period order needs no bitmap, whatever work_mem is (measured).
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="entries")
    # entry_person_period leads with the person and serves every lookup by person.
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="entries", db_index=False
    )
    # Where the person worked when logging: the review queue and rollups filter on it.
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    author_role = models.CharField(max_length=8)
    product = models.ForeignKey(
        "catalog.Product", verbose_name=_("sản phẩm"), on_delete=models.PROTECT, related_name="+"
    )
    plan_item = models.ForeignKey(
        PlanItem,
        verbose_name=_("nhiệm vụ được giao"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entries",
    )
    quantity = models.DecimalField(
        _("số lượng"),
        max_digits=9,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    coefficient = models.DecimalField(_("hệ số quy đổi"), max_digits=7, decimal_places=3)
    completed_on = models.DateField(_("ngày hoàn thành"))
    doc_number = models.CharField(_("số, ký hiệu văn bản"), max_length=60, blank=True)
    doc_date = models.DateField(_("ngày văn bản"), null=True, blank=True)
    link = models.URLField(_("đường dẫn minh chứng"), blank=True)
    evidence = models.FileField(_("tệp minh chứng"), upload_to=evidence_path, blank=True)
    evidence_name = models.CharField(max_length=255, blank=True)
    evidence_type = models.CharField(max_length=80, blank=True)
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=EntryStatus.choices, default=EntryStatus.DRAFT
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    # The review. Approved quantity may differ from the logged one (adjusted with a reason).
    approved_quantity = models.DecimalField(
        _("số lượng được duyệt"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    quality_pass = models.BooleanField(_("đạt chất lượng"), default=True)
    major_errors = models.PositiveSmallIntegerField(_("số lỗi lớn"), default=0)
    delays = models.PositiveSmallIntegerField(_("số lần chậm tiến độ"), default=0)
    exceeded = models.BooleanField(_("vượt yêu cầu"), default=False)
    exempt = models.BooleanField(_("có lý do khách quan"), default=False)
    exempt_reason = models.CharField(_("lý do khách quan"), max_length=255, blank=True)
    exempt_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(_("ý kiến người duyệt"), max_length=500, blank=True)
    flags = models.JSONField(_("cảnh báo"), default=list, blank=True)
    version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WorkEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-completed_on", "-id"]
        verbose_name = _("sản phẩm đã hoàn thành")
        verbose_name_plural = _("nhật ký công việc")
        indexes = [
            models.Index(fields=["person", "period", "status"], name="entry_person_period"),
            models.Index(
                fields=["unit", "submitted_at"],
                condition=Q(status="submitted"),
                name="entry_review_queue",
            ),
            models.Index(fields=["period", "status"], name="entry_period_status"),
            # Almost always empty: partial indexes keep the user-deletion checks fast without
            # an entry per row (a full index each was as big as the period's).
            models.Index(
                fields=["exempt_confirmed_by"],
                condition=Q(exempt_confirmed_by__isnull=False),
                name="entry_exempt_confirmed_by",
            ),
            models.Index(
                fields=["reviewed_on_behalf_of"],
                condition=Q(reviewed_on_behalf_of__isnull=False),
                name="entry_on_behalf_of",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0) & Q(coefficient__gt=0),
                name="entry_positive",
                violation_error_message=_("Số lượng và hệ số quy đổi phải lớn hơn 0."),
            ),
            models.CheckConstraint(
                condition=Q(approved_quantity__isnull=True) | Q(approved_quantity__gte=0),
                name="entry_approved_not_negative",
                violation_error_message=_("Số lượng được duyệt không được âm."),
            ),
            models.CheckConstraint(
                condition=Q(exempt=False) | ~Q(exempt_reason=""),
                name="entry_exempt_has_reason",
                violation_error_message=_("Phải ghi lý do khách quan."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} × {self.quantity} ({self.completed_on:%d/%m/%Y})"

    def get_absolute_url(self) -> str:
        return reverse("evaluations:entry_detail", args=[self.pk])

    @property
    def standard_products(self) -> Decimal:
        """Sản phẩm chuẩn: what the entry counts for (the approved quantity once reviewed)."""
        quantity = self.approved_quantity if self.approved_quantity is not None else self.quantity
        return quantity * self.coefficient

    @property
    def is_editable_by_author(self) -> bool:
        return self.status in (EntryStatus.DRAFT, EntryStatus.RETURNED)


class FavouriteProduct(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="favourite_products")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("sản phẩm hay dùng")
        verbose_name_plural = _("sản phẩm hay dùng")
        constraints = [models.UniqueConstraint(fields=["person", "product"], name="favourite_once")]

    def __str__(self) -> str:
        return f"{self.person} ★ {self.product}"
