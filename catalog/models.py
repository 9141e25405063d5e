"""Product catalogs, quotas, conversion tables and versioned criteria sets."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from orgunits.models import JobPositionGroup, OrgUnit, Sector

from .querysets import (
    ConversionTableQuerySet,
    CriteriaSetQuerySet,
    ProductQuerySet,
    QuotaQuerySet,
)

# The levels named in the province's guidance; a product's complexity is one of them.
COMPLEXITY_LEVELS = [
    (Decimal("1.0"), _("1,0 — thông thường")),
    (Decimal("1.2"), _("1,2 — tương đối phức tạp")),
    (Decimal("1.5"), _("1,5 — phức tạp")),
    (Decimal("2.0"), _("2,0 — rất phức tạp")),
]

# Suggestions for the unit of measure; the field stays free text because agencies add their own.
UNITS_OF_MEASURE = [
    "văn bản",
    "hồ sơ",
    "báo cáo",
    "cuộc họp",
    "giờ dạy",
    "lượt khám",
    "cuộc kiểm tra",
    "cuộc thanh tra",
    "đề án",
    "kế hoạch",
    "sự kiện",
    "buổi",
    "lượt",
    "vụ việc",
]


class OwnedByUnitOrSector(models.Model):
    """Something owned either by a unit (applies to its subtree) or by a sector (its units)."""

    owner_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("đơn vị ban hành"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    owner_sector = models.ForeignKey(
        Sector,
        verbose_name=_("ngành, lĩnh vực ban hành"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        abstract = True

    @property
    def owner(self) -> OrgUnit | Sector | None:
        return self.owner_unit or self.owner_sector

    @property
    def owner_label(self) -> str:
        if self.owner_sector_id:
            return _("Ngành %(name)s") % {"name": self.owner_sector}
        return str(self.owner_unit) if self.owner_unit_id else ""

    def owner_applies_to(self, unit: OrgUnit) -> bool:
        """The owner's scope covers `unit`: it is below the owner unit or of the owner sector."""
        if self.owner_unit_id:
            return unit.path.startswith(self.owner_unit.path)
        return unit.sector_id is not None and unit.sector_id == self.owner_sector_id


def _one_owner(prefix: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=(Q(owner_unit__isnull=False) & Q(owner_sector__isnull=True))
        | (Q(owner_unit__isnull=True) & Q(owner_sector__isnull=False)),
        name=f"{prefix}_one_owner",
        violation_error_message=_("Phải chọn đúng một đơn vị hoặc một ngành ban hành."),
    )


def _unique_code_per_owner(prefix: str, message) -> list[models.UniqueConstraint]:
    return [
        models.UniqueConstraint(
            fields=["owner_unit", "code"],
            condition=Q(owner_unit__isnull=False),
            name=f"{prefix}_code_unique_per_unit",
            violation_error_message=message,
        ),
        models.UniqueConstraint(
            fields=["owner_sector", "code"],
            condition=Q(owner_sector__isnull=False),
            name=f"{prefix}_code_unique_per_sector",
            violation_error_message=message,
        ),
    ]


def _dates_ordered(name: str, start: str, end: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gte": models.F(start)}),
        name=name,
        violation_error_message=_("Ngày kết thúc phải sau hoặc trùng ngày bắt đầu."),
    )


class ProductGroup(models.Model):
    """Nhóm sản phẩm A–D; the names are configurable, the codes are what imports use."""

    code = models.CharField(_("mã nhóm"), max_length=8, unique=True)
    name = models.CharField(_("tên nhóm sản phẩm"), max_length=200)
    description = models.TextField(_("mô tả"), blank=True)
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("nhóm sản phẩm")
        verbose_name_plural = _("nhóm sản phẩm")

    def __str__(self) -> str:
        return f"{self.code}. {self.name}"


class Product(OwnedByUnitOrSector):
    """An item of a catalog (danh mục sản phẩm, công việc); never deleted, only retired."""

    code = models.CharField(_("mã sản phẩm"), max_length=32)
    name = models.CharField(_("tên sản phẩm, công việc"), max_length=255)
    description = models.TextField(_("mô tả, yêu cầu"), blank=True)
    unit_of_measure = models.CharField(_("đơn vị tính"), max_length=64)
    group = models.ForeignKey(
        ProductGroup,
        verbose_name=_("nhóm sản phẩm"),
        on_delete=models.PROTECT,
        related_name="products",
    )
    coefficient = models.DecimalField(
        _("hệ số quy đổi"),
        max_digits=7,
        decimal_places=3,
        validators=[MinValueValidator(Decimal("0.001"))],
        help_text=_("Số sản phẩm chuẩn tương ứng với một sản phẩm này, lớn hơn 0."),
    )
    complexity = models.DecimalField(
        _("mức độ phức tạp"),
        max_digits=3,
        decimal_places=1,
        choices=COMPLEXITY_LEVELS,
        default=Decimal("1.0"),
    )
    expected_hours = models.DecimalField(
        _("số giờ thực hiện dự kiến"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    position_groups = models.ManyToManyField(
        JobPositionGroup,
        verbose_name=_("nhóm vị trí việc làm áp dụng"),
        blank=True,
        related_name="catalog_products",
        help_text=_("Để trống nếu áp dụng cho mọi nhóm vị trí việc làm."),
    )
    active_from = models.DateField(_("áp dụng từ ngày"))
    active_to = models.DateField(_("áp dụng đến hết ngày"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProductQuerySet.as_manager()

    class Meta:
        ordering = ["group__position", "code"]
        verbose_name = _("sản phẩm, công việc")
        verbose_name_plural = _("danh mục sản phẩm, công việc")
        indexes = [models.Index(fields=["name"], name="catalog_product_name")]
        constraints = [
            _one_owner("catalog_product"),
            *_unique_code_per_owner(
                "catalog_product", _("Mã sản phẩm đã có trong danh mục của nơi ban hành này.")
            ),
            models.CheckConstraint(
                condition=Q(coefficient__gt=0),
                name="catalog_product_coefficient_positive",
                violation_error_message=_("Hệ số quy đổi phải lớn hơn 0."),
            ),
            models.CheckConstraint(
                condition=Q(complexity__in=[level for level, _label in COMPLEXITY_LEVELS]),
                name="catalog_product_complexity_level",
                violation_error_message=_("Mức độ phức tạp phải là 1,0; 1,2; 1,5 hoặc 2,0."),
            ),
            models.CheckConstraint(
                condition=Q(expected_hours__isnull=True) | Q(expected_hours__gt=0),
                name="catalog_product_hours_positive",
                violation_error_message=_("Số giờ thực hiện dự kiến phải lớn hơn 0."),
            ),
            _dates_ordered("catalog_product_dates_ordered", "active_from", "active_to"),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("catalog:product_detail", args=[self.pk])

    def is_active_on(self, on: date) -> bool:
        return self.active_from <= on and (self.active_to is None or on <= self.active_to)

    @property
    def is_retired(self) -> bool:
        return self.active_to is not None


class Quota(models.Model):
    """Định mức: standard products expected per month of a job-position group in a subtree."""

    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("đơn vị áp dụng (gồm cấp dưới)"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    group = models.ForeignKey(
        JobPositionGroup,
        verbose_name=_("nhóm vị trí việc làm"),
        on_delete=models.PROTECT,
        related_name="catalog_quotas",
    )
    per_month = models.DecimalField(
        _("số sản phẩm chuẩn mỗi tháng"),
        max_digits=7,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    valid_from = models.DateField(_("áp dụng từ ngày"))
    valid_to = models.DateField(_("áp dụng đến hết ngày"), null=True, blank=True)
    note = models.CharField(_("căn cứ, ghi chú"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = QuotaQuerySet.as_manager()

    class Meta:
        ordering = ["unit__path", "group__name", "-valid_from"]
        verbose_name = _("định mức")
        verbose_name_plural = _("định mức")
        constraints = [
            models.CheckConstraint(
                condition=Q(per_month__gt=0),
                name="catalog_quota_positive",
                violation_error_message=_("Định mức phải lớn hơn 0."),
            ),
            models.UniqueConstraint(
                fields=["unit", "group", "valid_from"],
                name="catalog_quota_unique_start",
                violation_error_message=_(
                    "Đơn vị đã có định mức cho nhóm vị trí việc làm này từ cùng ngày."
                ),
            ),
            _dates_ordered("catalog_quota_dates_ordered", "valid_from", "valid_to"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} — {self.group}: {self.per_month}"

    def get_absolute_url(self) -> str:
        return reverse("catalog:quota_update", args=[self.pk])

    def clean(self) -> None:
        super().clean()
        if self.unit_id is None or self.group_id is None or self.valid_from is None:
            return
        # Two overlapping quotas for the same unit and group would make the lookup ambiguous.
        overlapping = (
            Quota.objects.filter(unit_id=self.unit_id, group_id=self.group_id)
            .overlapping(self.valid_from, self.valid_to)
            .exclude(pk=self.pk)
        )
        if overlapping.exists():
            raise ValidationError(
                _("Khoảng thời gian trùng với một định mức khác của cùng đơn vị và nhóm.")
            )


class ConversionTable(OwnedByUnitOrSector):
    """Bảng quy đổi: task types a manager assigns, each converted to a product."""

    code = models.CharField(_("mã bảng"), max_length=32)
    name = models.CharField(_("tên bảng quy đổi"), max_length=255)
    description = models.TextField(_("căn cứ, ghi chú"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ConversionTableQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("bảng quy đổi")
        verbose_name_plural = _("bảng quy đổi")
        constraints = [
            _one_owner("catalog_conversiontable"),
            *_unique_code_per_owner(
                "catalog_conversiontable", _("Mã bảng quy đổi đã có ở nơi ban hành này.")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("catalog:conversion_table_detail", args=[self.pk])


class ConversionRule(models.Model):
    """One line of a conversion table: a task type counts as `coefficient` of a product."""

    table = models.ForeignKey(ConversionTable, on_delete=models.CASCADE, related_name="rules")
    task_type = models.CharField(_("loại nhiệm vụ"), max_length=255)
    product = models.ForeignKey(
        Product,
        verbose_name=_("sản phẩm"),
        on_delete=models.PROTECT,
        related_name="conversion_rules",
    )
    coefficient = models.DecimalField(
        _("hệ số quy đổi"),
        max_digits=7,
        decimal_places=3,
        validators=[MinValueValidator(Decimal("0.001"))],
    )
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)

    class Meta:
        ordering = ["table", "task_type"]
        verbose_name = _("dòng quy đổi")
        verbose_name_plural = _("dòng quy đổi")
        constraints = [
            models.UniqueConstraint(
                fields=["table", "task_type"],
                name="catalog_conversionrule_unique_task",
                violation_error_message=_("Loại nhiệm vụ này đã có trong bảng quy đổi."),
            ),
            models.CheckConstraint(
                condition=Q(coefficient__gt=0),
                name="catalog_conversionrule_coefficient_positive",
                violation_error_message=_("Hệ số quy đổi phải lớn hơn 0."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task_type} → {self.product.code} × {self.coefficient}"

    def clean(self) -> None:
        super().clean()
        if self.table_id is None or self.product_id is None:
            return
        if not product_usable_by_owner(self.product, self.table):
            raise ValidationError(
                {"product": _("Sản phẩm không thuộc danh mục áp dụng cho nơi ban hành bảng này.")}
            )

    @property
    def standard_products(self) -> Decimal:
        """Standard products one task of this type is worth."""
        return self.coefficient * self.product.coefficient


def product_usable_by_owner(product: Product, owned: OwnedByUnitOrSector) -> bool:
    """The product belongs to a catalog that applies wherever `owned` applies."""
    if owned.owner_sector_id:
        return product.owner_sector_id == owned.owner_sector_id
    unit = owned.owner_unit
    if product.owner_unit_id:
        return unit.path.startswith(product.owner_unit.path)
    return product.owner_sector_id == unit.sector_id


class CriteriaSet(OwnedByUnitOrSector):
    """Bộ tiêu chí đánh giá, xếp loại of a sector or a unit subtree; its rules live in versions."""

    code = models.CharField(_("mã bộ tiêu chí"), max_length=32)
    name = models.CharField(_("tên bộ tiêu chí"), max_length=255)
    description = models.TextField(_("căn cứ, ghi chú"), blank=True)
    preset = models.CharField(_("tạo từ mẫu"), max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CriteriaSetQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("bộ tiêu chí đánh giá, xếp loại")
        verbose_name_plural = _("bộ tiêu chí đánh giá, xếp loại")
        constraints = [
            _one_owner("catalog_criteriaset"),
            *_unique_code_per_owner(
                "catalog_criteriaset", _("Mã bộ tiêu chí đã có ở nơi ban hành này.")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("catalog:criteria_set_detail", args=[self.pk])


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Dự thảo")
    PUBLISHED = "published", _("Đã ban hành")
    RETIRED = "retired", _("Ngừng áp dụng")


class PublishedVersionError(ValidationError):
    """A published or retired criteria version was about to change."""


# Only these columns may change once a version is published, and only to retire it.
LIFECYCLE_FIELDS = ("status", "retired_on", "retired_at", "retired_by")
FROZEN_MESSAGE = _("Phiên bản bộ tiêu chí đã ban hành không được sửa hoặc xóa; hãy tạo bản mới.")


class CriteriaSetVersion(models.Model):
    """One version of a criteria set; from publication on, its rules never change."""

    criteria_set = models.ForeignKey(
        CriteriaSet,
        verbose_name=_("bộ tiêu chí"),
        on_delete=models.PROTECT,
        related_name="versions",
    )
    number = models.PositiveIntegerField(_("phiên bản số"))
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    valid_from = models.DateField(_("áp dụng từ ngày"), null=True, blank=True)
    # Keys exactly those of evaluations.scoring.ScoringRules.to_dict(); checked by catalog.criteria.
    rules = models.JSONField(_("quy tắc chấm điểm, xếp loại"))
    general_descriptions = models.JSONField(
        _("mô tả các nhóm tiêu chí chung"), default=list, blank=True
    )
    note = models.TextField(_("nội dung thay đổi, căn cứ"), blank=True)
    based_on = models.ForeignKey(
        "self",
        verbose_name=_("sửa từ phiên bản"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("ban hành lúc"), null=True, blank=True)
    retired_on = models.DateField(_("ngừng áp dụng từ ngày"), null=True, blank=True)
    retired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["criteria_set", "-number"]
        verbose_name = _("phiên bản bộ tiêu chí")
        verbose_name_plural = _("phiên bản bộ tiêu chí")
        constraints = [
            models.UniqueConstraint(
                fields=["criteria_set", "number"],
                name="catalog_version_unique_number",
                violation_error_message=_("Số phiên bản đã tồn tại trong bộ tiêu chí này."),
            ),
            models.UniqueConstraint(
                fields=["criteria_set"],
                condition=Q(status="draft"),
                name="catalog_version_one_draft",
                violation_error_message=_("Bộ tiêu chí này đã có một bản dự thảo đang soạn."),
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(valid_from__isnull=False),
                name="catalog_version_published_has_start",
                violation_error_message=_("Phiên bản đã ban hành phải có ngày áp dụng."),
            ),
            models.CheckConstraint(
                condition=Q(retired_on__isnull=True) | Q(retired_on__gt=models.F("valid_from")),
                name="catalog_version_retired_after_start",
                violation_error_message=_("Ngày ngừng áp dụng phải sau ngày bắt đầu áp dụng."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criteria_set.code} v{self.number}"

    def save(self, *args, **kwargs) -> None:
        self._refuse_frozen_change()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("catalog:version_detail", args=[self.pk])

    def delete(self, *args, **kwargs):
        stored = type(self).objects.filter(pk=self.pk).values_list("status", flat=True).first()
        if stored is not None and stored != VersionStatus.DRAFT:
            raise PublishedVersionError(FROZEN_MESSAGE)
        return super().delete(*args, **kwargs)

    @property
    def is_draft(self) -> bool:
        return self.status == VersionStatus.DRAFT

    def is_in_force_on(self, on: date) -> bool:
        """Published (or later retired) with `on` inside its own dates; a later version may win."""
        return (
            self.status != VersionStatus.DRAFT
            and self.valid_from is not None
            and self.valid_from <= on
            and (self.retired_on is None or on < self.retired_on)
        )

    def _refuse_frozen_change(self) -> None:
        if self.pk is None:
            return
        stored = type(self).objects.filter(pk=self.pk).first()
        if stored is None or stored.status == VersionStatus.DRAFT:
            return
        changed = {
            f.attname
            for f in self._meta.concrete_fields
            if getattr(stored, f.attname) != getattr(self, f.attname)
        }
        lifecycle = {self._meta.get_field(name).attname for name in LIFECYCLE_FIELDS}
        retiring = stored.status == VersionStatus.PUBLISHED and self.status == VersionStatus.RETIRED
        if changed - lifecycle or (changed and not retiring):
            raise PublishedVersionError(FROZEN_MESSAGE)
