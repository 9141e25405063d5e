"""Precomputed figures per person × period and unit × period; dashboards read only these.

Person rows are keyed by the evaluation `Period`. Unit rows are keyed by a calendar scope
(`scope_kind` month, quarter or year + `year` + `number`), because blocs may run separate
periods for the same month: a unit row covers every period of its scope (a quarter or a year is
rolled up from the person rows of the months, and quarterly periods, inside it) and the whole
subtree of the unit, so the province, bloc and agency rows are just rows.
"""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from evaluations.models import Evaluation, Period, Rating
from orgunits.models import JobPositionGroup, OrgUnit, Person

__all__ = ["PersonPeriodRollup", "ScopeKind", "UnitPeriodRollup"]

RATED = (Rating.HTXS, Rating.HTT, Rating.HT, Rating.KHT)


# Rollup rows are derived and rewritten wholesale: re-checking six keys per row at every
# rebuild doubled its time, and the composite indexes already serve every lookup. Deleting the
# referenced row still cascades (Django does it, not the database).
def _key(to, **options) -> models.ForeignKey:
    """A reference without a database constraint or an index of its own."""
    return models.ForeignKey(
        to,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
        **options,
    )


def _standard(verbose_name) -> models.DecimalField:
    # quantity (2 places) × hệ số quy đổi (3 places): five places keep sums exact.
    return models.DecimalField(verbose_name, max_digits=18, decimal_places=5, default=Decimal(0))


def _count(verbose_name) -> models.PositiveIntegerField:
    return models.PositiveIntegerField(verbose_name, default=0)


def _ratio(verbose_name) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=6, decimal_places=4, null=True, blank=True)


def _score(verbose_name) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=5, decimal_places=2, null=True, blank=True)


class PersonPeriodRollup(models.Model):
    """One person in one period: work, review backlog, scores and rating, as of `updated_at`."""

    person = _key(Person)
    period = _key(Period)
    # Where the person is evaluated (else where they worked at the period's end, else logged).
    unit = _key(OrgUnit)
    unit_path = models.CharField(max_length=255)
    deciding_unit = _key(OrgUnit, null=True, blank=True)
    bloc = models.CharField(_("khối"), max_length=16, blank=True)
    position_group = _key(JobPositionGroup, null=True, blank=True)
    evaluation = _key(Evaluation, null=True, blank=True)
    assigned_standard = _standard(_("sản phẩm chuẩn được giao"))
    done_standard = _standard(_("sản phẩm chuẩn đã được duyệt"))
    submitted_standard = _standard(_("sản phẩm chuẩn chờ phê duyệt"))
    quota_standard = models.DecimalField(
        _("định mức sản phẩm chuẩn của kỳ"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    entries_approved = _count(_("số sản phẩm đã duyệt"))
    entries_submitted = _count(_("số sản phẩm chờ phê duyệt"))
    entries_draft = _count(_("số sản phẩm nháp"))
    entries_returned = _count(_("số sản phẩm bị trả lại"))
    late_submissions = _count(_("số sản phẩm gửi sau hạn ghi nhận"))
    # Entries awaiting review, plus one while the phiếu đánh giá waits for a leader or HR.
    pending_approvals = _count(_("số việc chờ phê duyệt"))
    flagged_entries = _count(_("số sản phẩm có cảnh báo"))
    ratio_quantity = _ratio(_("tỷ lệ khối lượng (Q)"))
    ratio_quality = _ratio(_("tỷ lệ chất lượng (C)"))
    ratio_timeliness = _ratio(_("tỷ lệ tiến độ (P)"))
    general_score = _score(_("điểm tiêu chí chung"))
    task_score = _score(_("điểm kết quả thực hiện nhiệm vụ"))
    total = _score(_("tổng điểm"))
    computed_rating = models.CharField(max_length=16, choices=Rating.choices, blank=True)
    rating = models.CharField(_("xếp loại"), max_length=16, choices=Rating.choices, blank=True)
    evaluation_state = models.CharField(_("trạng thái phiếu"), max_length=16, blank=True)
    self_assessed_on_time = models.BooleanField(_("tự đánh giá đúng hạn"), default=False)
    # The phiếu is still undecided after the period's review deadline (as of the rebuild).
    evaluation_overdue = models.BooleanField(_("quá hạn đánh giá"), default=False)
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("số liệu tổng hợp cá nhân")
        verbose_name_plural = _("số liệu tổng hợp cá nhân")
        constraints = [
            models.UniqueConstraint(fields=["person", "period"], name="rollup_person_once")
        ]
        indexes = [
            models.Index(
                fields=["unit_path"],
                name="rollup_person_path",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(fields=["period", "unit"], name="rollup_person_period_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} — {self.period_id}"

    @property
    def entries_total(self) -> int:
        return (
            self.entries_approved
            + self.entries_submitted
            + self.entries_draft
            + self.entries_returned
        )

    @property
    def is_rated(self) -> bool:
        return self.rating in RATED


class ScopeKind(models.TextChoices):
    MONTH = "month", _("Tháng")
    QUARTER = "quarter", _("Quý")
    YEAR = "year", _("Năm")


class UnitPeriodRollup(models.Model):
    """One unit's whole subtree over one month, quarter or year."""

    unit = _key(OrgUnit)
    unit_path = models.CharField(max_length=255)
    depth = models.PositiveIntegerField()
    unit_kind = models.CharField(max_length=16)
    bloc = models.CharField(max_length=16, blank=True)
    scope_kind = models.CharField(max_length=8, choices=ScopeKind.choices)
    year = models.PositiveSmallIntegerField()
    number = models.PositiveSmallIntegerField()  # month 1–12, quarter 1–4, 0 for the year
    people = _count(_("số người"))
    people_logged = _count(_("số người có ghi nhận sản phẩm"))
    people_rated = _count(_("số người đã xếp loại"))
    # Band counts are person × period ratings (final, decided); in a month they count people.
    count_htxs = _count(_("Hoàn thành xuất sắc nhiệm vụ"))
    count_htt = _count(_("Hoàn thành tốt nhiệm vụ"))
    count_ht = _count(_("Hoàn thành nhiệm vụ"))
    count_kht = _count(_("Không hoàn thành nhiệm vụ"))
    count_not_rated = _count(_("Chưa xếp loại"))
    total_sum = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal(0))
    total_count = _count(_("số phiếu có tổng điểm"))
    mean_total = _score(_("điểm trung bình"))
    assigned_standard = _standard(_("sản phẩm chuẩn được giao"))
    done_standard = _standard(_("sản phẩm chuẩn đã được duyệt"))
    submitted_standard = _standard(_("sản phẩm chuẩn chờ phê duyệt"))
    pending_approvals = _count(_("số việc chờ phê duyệt"))
    late_submissions = _count(_("số sản phẩm gửi sau hạn ghi nhận"))
    flagged_entries = _count(_("số sản phẩm có cảnh báo"))
    flagged_people = _count(_("số người có cảnh báo"))
    overdue_evaluations = _count(_("số phiếu quá hạn đánh giá"))
    # The engine's (pre-decision) ratings, for the outliers: the cap forces decisions to comply.
    computed_rated = _count(_("số người được máy tính xếp loại"))
    computed_htxs = _count(_("số người được máy tính xếp loại xuất sắc"))
    published = models.BooleanField(_("đã công bố toàn bộ"), default=False)
    # The unit itself decides (agency, xã…) and a job-position group exceeds the HTXS cap.
    over_quota = models.BooleanField(_("vượt tỷ lệ xuất sắc"), default=False)
    all_excellent = models.BooleanField(_("mọi người đều xuất sắc"), default=False)
    no_logs = models.BooleanField(_("không ai ghi nhận sản phẩm"), default=False)
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("số liệu tổng hợp đơn vị")
        verbose_name_plural = _("số liệu tổng hợp đơn vị")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "scope_kind", "year", "number"], name="rollup_unit_once"
            )
        ]
        indexes = [
            models.Index(
                fields=["scope_kind", "year", "number", "unit_path"],
                name="rollup_unit_scope_path",
                opclasses=["varchar_pattern_ops", "int2_ops", "int2_ops", "varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} — {self.scope_kind} {self.number}/{self.year}"

    @property
    def rated(self) -> int:
        return self.count_htxs + self.count_htt + self.count_ht + self.count_kht

    def share(self, count: int) -> Decimal | None:
        rated = self.rated
        return None if not rated else (Decimal(100) * count / rated).quantize(Decimal("0.1"))
