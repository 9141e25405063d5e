"""Adoption figures of the pilot per unit subtree and scope, and last year's manual ratings.

`UnitAdoptionRollup` adds what the rating rollups lack (entries, self-assessment on time, review
latency, overdue queues, unpublished units); it is keyed like `UnitPeriodRollup` and rebuilt with
it by `reports.adoption`. `ManualRatingBaseline` holds the counts of the year before the pilot,
entered by hand, so the sơ kết can compare the pilot's ratings with them.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from orgunits.models import OrgUnit

from .rollups import ScopeKind, _key

__all__ = ["ManualRatingBaseline", "UnitAdoptionRollup"]


def _count(verbose_name) -> models.PositiveIntegerField:
    return models.PositiveIntegerField(verbose_name, default=0)


def _hours(verbose_name) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=10, decimal_places=2, null=True, blank=True)


def _share(part: int, whole: int) -> Decimal | None:
    return None if not whole else (Decimal(part) / whole).quantize(Decimal("0.0001"))


def _percent(share: Decimal | None) -> Decimal | None:
    return None if share is None else (share * 100).quantize(Decimal("0.1"))


class UnitAdoptionRollup(models.Model):
    """How one unit's whole subtree used the software over one month, quarter or year."""

    unit = _key(OrgUnit)
    unit_path = models.CharField(max_length=255)
    depth = models.PositiveIntegerField()
    unit_kind = models.CharField(max_length=16)
    bloc = models.CharField(max_length=16, blank=True)
    scope_kind = models.CharField(max_length=8, choices=ScopeKind.choices)
    year = models.PositiveSmallIntegerField()
    number = models.PositiveSmallIntegerField()
    people = _count(_("số người"))
    people_logged = _count(_("số người có ghi nhận sản phẩm"))
    entries = _count(_("số sản phẩm đã ghi nhận"))
    # Person × period rows with a phiếu đánh giá, and those self-assessed by the deadline.
    evaluations = _count(_("số phiếu đánh giá"))
    self_assessed_on_time = _count(_("số phiếu tự đánh giá đúng hạn"))
    evaluations_published = _count(_("số phiếu đã công bố"))
    reviewed_entries = _count(_("số sản phẩm đã được xem xét"))
    review_hours_median = _hours(_("thời gian phê duyệt, trung vị (giờ)"))
    review_hours_p90 = _hours(_("thời gian phê duyệt, phân vị 90 (giờ)"))
    # Entries still waiting for review after their period's review deadline (as of the rebuild):
    # anywhere below, logged in this very unit, and the units (review queues) holding them.
    overdue_entries = _count(_("số sản phẩm quá hạn phê duyệt"))
    own_overdue_entries = _count(_("số sản phẩm quá hạn phê duyệt tại chính đơn vị"))
    overdue_queues = _count(_("số đơn vị có hàng chờ phê duyệt quá hạn"))
    units_unpublished = _count(_("số đơn vị chưa công bố kết quả"))
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("số liệu sử dụng phần mềm của đơn vị")
        verbose_name_plural = _("số liệu sử dụng phần mềm của đơn vị")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "scope_kind", "year", "number"], name="adoption_unit_once"
            )
        ]
        indexes = [
            models.Index(
                fields=["scope_kind", "year", "number", "unit_path"],
                name="adoption_scope_path",
                opclasses=["varchar_pattern_ops", "int2_ops", "int2_ops", "varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} — {self.scope_kind} {self.number}/{self.year}"

    @property
    def share_logged(self) -> Decimal | None:
        return _share(self.people_logged, self.people)

    @property
    def entries_per_person(self) -> Decimal | None:
        if not self.people:
            return None
        return (Decimal(self.entries) / self.people).quantize(Decimal("0.01"))

    @property
    def share_self_on_time(self) -> Decimal | None:
        return _share(self.self_assessed_on_time, self.evaluations)

    @property
    def share_published(self) -> Decimal | None:
        return _share(self.evaluations_published, self.evaluations)

    # Percent with one decimal for the pages (templates cannot multiply).
    @property
    def percent_logged(self) -> Decimal | None:
        return _percent(self.share_logged)

    @property
    def percent_self_on_time(self) -> Decimal | None:
        return _percent(self.share_self_on_time)

    @property
    def percent_published(self) -> Decimal | None:
        return _percent(self.share_published)

    @property
    def has_unpublished(self) -> bool:
        return self.evaluations_published < self.evaluations

    @property
    def lag(self) -> Decimal:
        """How far the subtree is behind, 0 (nothing missing) to 1: the mean of its shortfalls.

        Logging, self-assessing on time and publishing weigh alike; a share that cannot be
        measured yet (no one, no phiếu) is left out rather than counted as done.
        """
        shares = (self.share_logged, self.share_self_on_time, self.share_published)
        known = [s for s in shares if s is not None]
        if not known:
            return Decimal(0)
        return (sum(1 - s for s in known) / len(known)).quantize(Decimal("0.0001"))


class ManualRatingBaseline(models.Model):
    """A unit's ratings of one year made by hand before the pilot: the sơ kết's yardstick."""

    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(
        _("năm"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    count_htxs = _count(_("Hoàn thành xuất sắc nhiệm vụ"))
    count_htt = _count(_("Hoàn thành tốt nhiệm vụ"))
    count_ht = _count(_("Hoàn thành nhiệm vụ"))
    count_kht = _count(_("Không hoàn thành nhiệm vụ"))
    note = models.CharField(_("ghi chú, nguồn số liệu"), max_length=255, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người nhập"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        ordering = ["-year", "unit__path"]
        verbose_name = _("kết quả xếp loại năm trước (nhập tay)")
        verbose_name_plural = _("kết quả xếp loại năm trước (nhập tay)")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year"],
                name="baseline_unit_year_once",
                violation_error_message=_("Đơn vị đã có số liệu xếp loại của năm này."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} — {self.year}"

    @property
    def rated(self) -> int:
        return self.count_htxs + self.count_htt + self.count_ht + self.count_kht
