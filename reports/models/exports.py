"""Report export jobs: a row per request, polled by the page, its file checked against scope."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = [
    "ExportFormat",
    "ExportKind",
    "ExportStatus",
    "ReminderLog",
    "ReportExport",
    "export_path",
]


class ExportKind(models.TextChoices):
    UNIT_SUMMARY = "unit_summary", _("Biểu tổng hợp kết quả đánh giá, xếp loại (Excel)")
    PERSON_DETAIL = "person_detail", _("Chi tiết từng người với các dòng nhiệm vụ (Excel)")
    WORKLOG = "worklog", _("Nhật ký công việc (Excel)")
    PROVINCE_QUARTER = "province_quarter", _("Biểu tổng hợp quý toàn tỉnh (Excel)")
    FORM01_PDF = "form01_pdf", _("Phiếu đánh giá Mẫu 01 (PDF)")
    UNIT_SUMMARY_PDF = "unit_summary_pdf", _("Biểu tổng hợp kết quả đánh giá, xếp loại (PDF)")
    STANDING_COMMITTEE_PDF = "standing_committee_pdf", _("Báo cáo quý gửi Ban Thường vụ (PDF)")
    ADOPTION_XLSX = "adoption_xlsx", _("Tình hình sử dụng phần mềm trong thí điểm (Excel)")
    PILOT_PACK_XLSX = "pilot_pack_xlsx", _("Báo cáo sơ kết thí điểm (Excel)")
    PILOT_PACK_PDF = "pilot_pack_pdf", _("Báo cáo sơ kết thí điểm (PDF)")


class ExportFormat(models.TextChoices):
    XLSX = "xlsx", _("Excel")
    PDF = "pdf", _("PDF")
    ZIP = "zip", _("Tệp nén ZIP")


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Đang chờ")
    RUNNING = "running", _("Đang tạo")
    DONE = "done", _("Hoàn thành")
    FAILED = "failed", _("Lỗi")


def export_path(instance, filename: str) -> str:
    """Random name in a private folder; the download name lives on the row, not on disk."""
    suffix = PurePosixPath(filename).suffix.lower()[:8]
    return f"exports/{date.today():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class ReportExportQuerySet(models.QuerySet):
    def stalled(self, since) -> ReportExportQuerySet:
        """Running jobs with no sign of life since `since`."""
        return self.filter(status=ExportStatus.RUNNING).filter(
            Q(heartbeat_at__lt=since) | Q(heartbeat_at__isnull=True, started_at__lt=since)
        )

    def requested_by(self, user) -> ReportExportQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(requested_by=user)

    def expired(self, now=None) -> ReportExportQuerySet:
        return self.filter(expires_at__lt=now or timezone.now())


class ReportExport(models.Model):
    """Báo cáo, biểu mẫu xuất: one background job, its progress, its file and who asked for it."""

    kind = models.CharField(_("loại báo cáo"), max_length=32, choices=ExportKind.choices)
    format = models.CharField(_("định dạng"), max_length=8, choices=ExportFormat.choices)
    parameters = models.JSONField(_("tham số"), default=dict, blank=True)
    title = models.CharField(_("tên báo cáo"), max_length=255, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=8, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("tiến độ (%)"), default=0)
    file = models.FileField(_("tệp"), upload_to=export_path, blank=True)
    filename = models.CharField(_("tên tệp tải về"), max_length=255, blank=True)
    error = models.TextField(_("lỗi"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người yêu cầu"),
        on_delete=models.CASCADE,
        related_name="report_exports",
    )
    created_at = models.DateTimeField(_("thời điểm yêu cầu"), auto_now_add=True)
    started_at = models.DateTimeField(_("bắt đầu"), null=True, blank=True)
    finished_at = models.DateTimeField(_("kết thúc"), null=True, blank=True)
    # Touched at the start and at each progress step: a running job silent for long lost its
    # worker, and the watchdog marks it failed.
    heartbeat_at = models.DateTimeField(_("lần báo tiến độ gần nhất"), null=True, blank=True)
    expires_at = models.DateTimeField(_("hết hạn lúc"), db_index=True)
    attempts = models.PositiveSmallIntegerField(_("số lần chạy"), default=0)

    objects = ReportExportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("báo cáo xuất")
        verbose_name_plural = _("báo cáo xuất")
        indexes = [
            models.Index(fields=["requested_by", "-created_at"], name="export_requester_recent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100),
                name="export_progress_percent",
                violation_error_message=_("Tiến độ phải từ 0 đến 100%."),
            ),
        ]

    def __str__(self) -> str:
        return self.title or str(self.get_kind_display())

    def get_absolute_url(self) -> str:
        return reverse("reports:export_download", args=[self.pk])

    @property
    def is_pending(self) -> bool:
        return self.status in (ExportStatus.QUEUED, ExportStatus.RUNNING)

    @property
    def is_done(self) -> bool:
        return self.status == ExportStatus.DONE

    @property
    def is_failed(self) -> bool:
        return self.status == ExportStatus.FAILED

    def is_expired(self, now=None) -> bool:
        return self.expires_at < (now or timezone.now())


class ReminderLog(models.Model):
    """The day's reminder digest of one user: at most one notification and one email a day."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_logs"
    )
    day = models.DateField(_("ngày"))
    kinds = models.JSONField(_("loại nhắc việc"), default=list, blank=True)
    emailed = models.BooleanField(_("đã gửi email"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-day", "user_id"]
        verbose_name = _("nhật ký nhắc việc")
        verbose_name_plural = _("nhật ký nhắc việc")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "day"],
                name="reminder_once_per_user_day",
                violation_error_message=_("Mỗi người chỉ nhận một bản nhắc việc mỗi ngày."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.day:%d/%m/%Y}"
