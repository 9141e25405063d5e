"""Every change to catalogs, quotas, conversion tables and criteria sets, each audited."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kpi_portal import audit
from orgunits.models import JobPositionGroup, OrgUnit, Sector, User

from .criteria import PRESETS, clean_descriptions, clean_rules
from .models import (
    COMPLEXITY_LEVELS,
    FROZEN_MESSAGE,
    ConversionRule,
    ConversionTable,
    CriteriaSet,
    CriteriaSetVersion,
    OwnedByUnitOrSector,
    Product,
    PublishedVersionError,
    Quota,
    VersionStatus,
)

PRODUCT_FIELDS = [
    "owner_unit",
    "owner_sector",
    "code",
    "name",
    "description",
    "unit_of_measure",
    "group",
    "coefficient",
    "complexity",
    "expected_hours",
    "active_from",
    "active_to",
]
QUOTA_FIELDS = ["unit", "group", "per_month", "valid_from", "valid_to", "note"]
TABLE_FIELDS = ["owner_unit", "owner_sector", "code", "name", "description"]
RULE_FIELDS = ["task_type", "product", "coefficient", "note"]
SET_FIELDS = ["owner_unit", "owner_sector", "code", "name", "description", "preset"]


def _path(owned: OwnedByUnitOrSector) -> str:
    return owned.owner_unit.path if owned.owner_unit_id else ""


def _group_codes(groups: Iterable[JobPositionGroup]) -> list[str]:
    return sorted(g.code for g in groups)


# ---- products -----------------------------------------------------------------------------


@transaction.atomic
def product_create(
    *,
    by: User,
    owner_unit: OrgUnit | None = None,
    owner_sector: Sector | None = None,
    position_groups: Iterable[JobPositionGroup] = (),
    **fields: Any,
) -> Product:
    product = Product(owner_unit=owner_unit, owner_sector=owner_sector, **fields)
    product.full_clean()
    product.save()
    groups = list(dict.fromkeys(position_groups))  # each once, as stored
    product.position_groups.set(groups)
    changes = audit.diff({}, audit.snapshot(product, PRODUCT_FIELDS))
    changes["position_groups"] = [[], _group_codes(groups)]
    audit.record(
        by=by,
        action="catalog.product_create",
        obj=product,
        changes=changes,
        unit_path=_path(product),
    )
    return product


@transaction.atomic
def product_update(
    *,
    product: Product,
    by: User,
    position_groups: Iterable[JobPositionGroup] | None = None,
    reason: str = "",
    **fields: Any,
) -> Product:
    """Edit a product; its owner never changes, so logged work keeps its catalog."""
    product = Product.objects.select_for_update(of=("self",)).get(pk=product.pk)
    if {"owner_unit", "owner_sector"} & set(fields):
        raise ValidationError(_("Không thể chuyển sản phẩm sang danh mục của nơi khác."))
    before = audit.snapshot(product, PRODUCT_FIELDS)
    old_groups = _group_codes(product.position_groups.all())
    for name, value in fields.items():
        setattr(product, name, value)
    product.full_clean()
    product.save()
    changes = audit.diff(before, audit.snapshot(product, PRODUCT_FIELDS))
    if position_groups is not None:
        groups = list(dict.fromkeys(position_groups))  # each once, as stored
        product.position_groups.set(groups)
        if _group_codes(groups) != old_groups:
            changes["position_groups"] = [old_groups, _group_codes(groups)]
    if changes:
        audit.record(
            by=by,
            action="catalog.product_update",
            obj=product,
            changes=changes,
            reason=reason,
            unit_path=_path(product),
        )
    return product


@transaction.atomic
def product_retire(*, product: Product, active_to: date, by: User, reason: str = "") -> Product:
    """Stop a product being used after `active_to`; products are never deleted."""
    product = Product.objects.select_for_update(of=("self",)).get(pk=product.pk)
    if active_to < product.active_from:
        raise ValidationError(_("Ngày ngừng áp dụng phải sau hoặc trùng ngày bắt đầu áp dụng."))
    before = product.active_to
    product.active_to = active_to
    product.full_clean()
    product.save(update_fields=["active_to", "updated_at"])
    audit.record(
        by=by,
        action="catalog.product_retire",
        obj=product,
        changes={"active_to": [before, active_to]},
        reason=reason,
        unit_path=_path(product),
    )
    return product


def parse_coefficient(raw: Any) -> Decimal:
    """A coefficient typed as 0,3 or 0.3; ValidationError with a Vietnamese message otherwise."""
    try:
        value = Decimal(str(raw).strip().replace(",", "."))
    except InvalidOperation:
        raise ValidationError(_("Hệ số quy đổi phải là một số.")) from None
    if not value.is_finite() or value <= 0:
        raise ValidationError(_("Hệ số quy đổi phải lớn hơn 0."))
    if value != value.quantize(Decimal("0.001")) or value >= 10_000:
        raise ValidationError(_("Hệ số quy đổi tối đa 4 chữ số phần nguyên và 3 chữ số thập phân."))
    return value


@transaction.atomic
def product_bulk_set_coefficients(
    *, coefficients: Mapping[Product, Any], by: User, reason: str = ""
) -> int:
    """Set many coefficients at once; every value is checked first, so all change or none."""
    errors: dict[str, list[str]] = {}
    parsed: dict[Product, Decimal] = {}
    for product, raw in coefficients.items():
        try:
            parsed[product] = parse_coefficient(raw)
        except ValidationError as exc:
            errors[product.code] = exc.messages
    if errors:
        raise ValidationError(
            [
                _("Sản phẩm %(code)s: %(message)s") % {"code": code, "message": " ".join(messages)}
                for code, messages in errors.items()
            ]
        )
    locked = {
        p.pk: p
        for p in Product.objects.select_for_update(of=("self",)).filter(
            pk__in=[p.pk for p in parsed]
        )
    }
    changed = 0
    for product, value in parsed.items():
        current = locked[product.pk]
        if current.coefficient == value:
            continue
        old = current.coefficient
        current.coefficient = value
        current.full_clean()
        current.save(update_fields=["coefficient", "updated_at"])
        audit.record(
            by=by,
            action="catalog.product_update",
            obj=current,
            changes={"coefficient": [old, value]},
            reason=reason or _("Sửa hàng loạt hệ số quy đổi"),
            unit_path=_path(current),
        )
        changed += 1
    return changed


# ---- products in bulk ---------------------------------------------------------------------


@dataclass
class ProductWrite:
    """One row of `product_bulk_save`: an unsaved product, or a stored one and what to change."""

    product: Product
    fields: Mapping[str, Any] | None = None
    position_groups: Iterable[JobPositionGroup] | None = None  # None keeps a stored product's


class ProductBulkError(ValidationError):
    """Rows `product_bulk_save` refused, nothing written; `problems` maps row index to messages."""

    def __init__(self, problems: dict[int, list[str]], codes: dict[int, str]):
        super().__init__(
            [
                _("Sản phẩm %(code)s: %(message)s") % {"code": codes[i], "message": message}
                for i, messages in problems.items()
                for message in messages
            ]
        )
        self.problems = problems


_LEVELS = frozenset(level for level, _label in COMPLEXITY_LEVELS)


def _code_key(product: Product, kind: str) -> tuple | None:
    owner = product.owner_unit_id if kind == "unit" else product.owner_sector_id
    return None if owner is None else (kind, owner, product.code)


# Product's constraints checked in memory: `validate_constraints()` asks the database once per
# constraint and row, most of the time of a 5,000-row import. NULL passes, as in the database.
# Keyed by constraint name; a test fails when Product gains a constraint missing here.
_PRODUCT_RULES: dict[str, tuple[set[str], Callable[[Product, Mapping], bool]]] = {
    "catalog_product_one_owner": (
        {"owner_unit", "owner_sector"},
        lambda p, taken: (p.owner_unit_id is None) != (p.owner_sector_id is None),
    ),
    "catalog_product_code_unique_per_unit": (
        {"owner_unit", "code"},
        lambda p, taken: taken.get(_code_key(p, "unit"), p.pk) == p.pk,
    ),
    "catalog_product_code_unique_per_sector": (
        {"owner_sector", "code"},
        lambda p, taken: taken.get(_code_key(p, "sector"), p.pk) == p.pk,
    ),
    "catalog_product_coefficient_positive": (
        {"coefficient"},
        lambda p, taken: p.coefficient is None or p.coefficient > 0,
    ),
    "catalog_product_complexity_level": (
        {"complexity"},
        lambda p, taken: p.complexity is None or p.complexity in _LEVELS,
    ),
    "catalog_product_hours_positive": (
        {"expected_hours"},
        lambda p, taken: p.expected_hours is None or p.expected_hours > 0,
    ),
    "catalog_product_dates_ordered": (
        {"active_from", "active_to"},
        lambda p, taken: (
            p.active_from is None or p.active_to is None or p.active_to >= p.active_from
        ),
    ),
}


def _product_problems(product: Product, taken: Mapping[tuple, Any]) -> list[str]:
    """The messages `full_clean()` gives, without a query: foreign keys set are taken as
    existing, and `taken` holds the codes already used, as `_code_key` → product pk."""
    loaded = [
        f.name
        for f in product._meta.concrete_fields
        if f.is_relation and getattr(product, f.attname) is not None
    ]
    try:
        product.full_clean(exclude=loaded, validate_unique=False, validate_constraints=False)
        messages, failed = [], set()
    except ValidationError as exc:
        messages, failed = exc.messages, set(exc.message_dict) - {NON_FIELD_ERRORS}
    # Like full_clean(), a constraint on a field already refused is not checked again.
    for constraint in Product._meta.constraints:
        fields, holds = _PRODUCT_RULES[constraint.name]
        if not fields & failed and not holds(product, taken):
            messages.append(str(constraint.get_violation_error_message()))
    return messages


def _used_codes(products: list[Product]) -> dict[tuple, Any]:
    """`_code_key` → pk of the stored products whose owner and code one of `products` has."""
    units = {p.owner_unit_id for p in products} - {None}
    sectors = {p.owner_sector_id for p in products} - {None}
    stored = Product.objects.filter(
        Q(owner_unit_id__in=units) | Q(owner_sector_id__in=sectors),
        code__in={p.code for p in products},
    ).values_list("pk", "owner_unit_id", "owner_sector_id", "code")
    taken = {}
    for pk, unit_id, sector_id, code in stored:
        taken[("unit", unit_id, code) if unit_id else ("sector", sector_id, code)] = pk
    return taken


@dataclass
class _Planned:
    index: int
    product: Product
    fields: dict[str, Any]
    groups: list[JobPositionGroup] | None
    before: dict[str, Any] | None  # None: a new product


@transaction.atomic
def product_bulk_save(
    *, by: User, writes: Sequence[ProductWrite], reason: str = ""
) -> list[Product]:
    """Create and edit many products in a few statements, checked and audited as
    `product_create` and `product_update` do one by one; all are written or none."""
    edited = [w.product.pk for w in writes if w.product.pk is not None]
    locked = (
        Product.objects.select_for_update(of=("self",)).select_related("owner_unit").in_bulk(edited)
    )
    plan, problems = [], {}
    for index, write in enumerate(writes):
        fields = dict(write.fields or {})
        groups = None
        if write.position_groups is not None:
            groups = list(dict.fromkeys(write.position_groups))  # each once, as stored
        if write.product.pk is None:
            plan.append(_Planned(index, write.product, fields, groups or [], None))
            continue
        if {"owner_unit", "owner_sector"} & set(fields):
            problems[index] = [_("Không thể chuyển sản phẩm sang danh mục của nơi khác.")]
            continue
        product = locked[write.product.pk]
        before = audit.snapshot(product, PRODUCT_FIELDS)
        for name, value in fields.items():
            setattr(product, name, value)
        plan.append(_Planned(index, product, fields, groups, before))
    taken = _used_codes([row.product for row in plan])
    for row in plan:
        found = _product_problems(row.product, taken)
        if found:
            problems[row.index] = found
        for kind in ("unit", "sector"):
            key = _code_key(row.product, kind)
            if key is not None:
                # A new product has no pk yet; a fresh object() equals no later row's pk.
                taken.setdefault(key, row.product.pk or object())
    if problems:
        codes = {i: w.product.code for i, w in enumerate(writes)}
        raise ProductBulkError(dict(sorted(problems.items())), codes)
    _product_bulk_write(by, plan, reason)
    return [row.product for row in plan]


def _product_bulk_write(by: User, plan: list[_Planned], reason: str) -> None:
    edits = [row for row in plan if row.before is not None]
    now = timezone.now()
    for row in edits:
        row.product.updated_at = now  # save()'s auto_now, which bulk_update skips
    fields = sorted({name for row in edits for name in row.fields} | {"updated_at"})
    Product.objects.bulk_update([row.product for row in edits], fields, batch_size=500)
    Product.objects.bulk_create([row.product for row in plan if row.before is None], 1000)

    through = Product.position_groups.through
    old: dict[int, dict[int, str]] = {row.product.pk: {} for row in edits}
    stored = through.objects.filter(product_id__in=old.keys()).values_list(
        "product_id", "jobpositiongroup_id", "jobpositiongroup__code"
    )
    for product_id, group_id, code in stored:
        old[product_id][group_id] = code
    regrouped = [
        row
        for row in plan
        if row.groups is not None
        and (row.before is None or {g.pk for g in row.groups} != set(old[row.product.pk]))
    ]
    through.objects.filter(
        product_id__in=[row.product.pk for row in regrouped if row.before is not None]
    ).delete()
    through.objects.bulk_create(
        [
            through(product_id=row.product.pk, jobpositiongroup_id=group.pk)
            for row in regrouped
            for group in row.groups
        ],
        batch_size=5000,
    )

    events = []
    for row in plan:
        product = row.product
        if row.before is None:
            changes = audit.diff({}, audit.snapshot(product, PRODUCT_FIELDS))
            changes["position_groups"] = [[], _group_codes(row.groups)]
            action, why = "catalog.product_create", ""
        else:
            changes = audit.diff(row.before, audit.snapshot(product, PRODUCT_FIELDS))
            old_codes = sorted(old[product.pk].values())
            if row.groups is not None and _group_codes(row.groups) != old_codes:
                changes["position_groups"] = [old_codes, _group_codes(row.groups)]
            action, why = "catalog.product_update", reason
        if changes:
            events.append(
                audit.build(
                    by=by,
                    action=action,
                    obj=product,
                    changes=changes,
                    reason=why,
                    unit_path=_path(product),
                )
            )
    audit.bulk_record(events)


# ---- quotas -------------------------------------------------------------------------------


@transaction.atomic
def quota_create(*, by: User, **fields: Any) -> Quota:
    quota = Quota(**fields)
    quota.full_clean()
    quota.save()
    audit.record(
        by=by,
        action="catalog.quota_create",
        obj=quota,
        changes=audit.diff({}, audit.snapshot(quota, QUOTA_FIELDS)),
        unit_path=quota.unit.path,
    )
    return quota


@transaction.atomic
def quota_update(*, quota: Quota, by: User, reason: str = "", **fields: Any) -> Quota:
    quota = Quota.objects.select_for_update(of=("self",)).get(pk=quota.pk)
    if {"unit", "group"} & set(fields):
        raise ValidationError(
            _("Không thể đổi đơn vị hoặc nhóm của định mức; hãy tạo định mức mới.")
        )
    before = audit.snapshot(quota, QUOTA_FIELDS)
    for name, value in fields.items():
        setattr(quota, name, value)
    quota.full_clean()
    quota.save()
    changes = audit.diff(before, audit.snapshot(quota, QUOTA_FIELDS))
    if changes:
        audit.record(
            by=by,
            action="catalog.quota_update",
            obj=quota,
            changes=changes,
            reason=reason,
            unit_path=quota.unit.path,
        )
    return quota


def quota_for(*, unit: OrgUnit, group: JobPositionGroup, on: date) -> Decimal | None:
    """Standard products a month expected of `group` in `unit`; the nearest owner wins."""
    return Quota.objects.filter(group=group).per_group_for(unit, on).get(group.pk)


# ---- conversion tables --------------------------------------------------------------------


@transaction.atomic
def conversion_table_create(
    *,
    by: User,
    owner_unit: OrgUnit | None = None,
    owner_sector: Sector | None = None,
    **fields: Any,
) -> ConversionTable:
    table = ConversionTable(owner_unit=owner_unit, owner_sector=owner_sector, **fields)
    table.full_clean()
    table.save()
    audit.record(
        by=by,
        action="catalog.conversion_table_create",
        obj=table,
        changes=audit.diff({}, audit.snapshot(table, TABLE_FIELDS)),
        unit_path=_path(table),
    )
    return table


@transaction.atomic
def conversion_table_update(*, table: ConversionTable, by: User, **fields: Any) -> ConversionTable:
    table = ConversionTable.objects.select_for_update(of=("self",)).get(pk=table.pk)
    if {"owner_unit", "owner_sector"} & set(fields):
        raise ValidationError(_("Không thể chuyển bảng quy đổi sang nơi ban hành khác."))
    before = audit.snapshot(table, TABLE_FIELDS)
    for name, value in fields.items():
        setattr(table, name, value)
    table.full_clean()
    table.save()
    changes = audit.diff(before, audit.snapshot(table, TABLE_FIELDS))
    if changes:
        audit.record(
            by=by,
            action="catalog.conversion_table_update",
            obj=table,
            changes=changes,
            unit_path=_path(table),
        )
    return table


@transaction.atomic
def conversion_rule_create(*, table: ConversionTable, by: User, **fields: Any) -> ConversionRule:
    rule = ConversionRule(table=table, **fields)
    rule.full_clean()
    rule.save()
    audit.record(
        by=by,
        action="catalog.conversion_rule_create",
        obj=rule,
        changes=audit.diff({}, audit.snapshot(rule, RULE_FIELDS)),
        unit_path=_path(table),
    )
    return rule


@transaction.atomic
def conversion_rule_update(*, rule: ConversionRule, by: User, **fields: Any) -> ConversionRule:
    rule = (
        ConversionRule.objects.select_for_update(of=("self",))
        .select_related("table")
        .get(pk=rule.pk)
    )
    before = audit.snapshot(rule, RULE_FIELDS)
    for name, value in fields.items():
        setattr(rule, name, value)
    rule.full_clean()
    rule.save()
    changes = audit.diff(before, audit.snapshot(rule, RULE_FIELDS))
    if changes:
        audit.record(
            by=by,
            action="catalog.conversion_rule_update",
            obj=rule,
            changes=changes,
            unit_path=_path(rule.table),
        )
    return rule


@transaction.atomic
def conversion_rule_delete(*, rule: ConversionRule, by: User) -> None:
    """Remove a line; assignments already converted keep the numbers they were given."""
    audit.record(
        by=by,
        action="catalog.conversion_rule_delete",
        obj=rule,
        changes=audit.diff(audit.snapshot(rule, RULE_FIELDS), {}),
        unit_path=_path(rule.table),
    )
    rule.delete()


# ---- criteria sets ------------------------------------------------------------------------


@transaction.atomic
def criteria_set_create(
    *,
    by: User,
    code: str,
    name: str,
    preset: str,
    owner_unit: OrgUnit | None = None,
    owner_sector: Sector | None = None,
    description: str = "",
) -> CriteriaSet:
    """Create a criteria set whose first version is a draft copied from a preset."""
    if preset not in PRESETS:
        raise ValidationError({"preset": _("Mẫu bộ tiêu chí không hợp lệ.")})
    criteria_set = CriteriaSet(
        owner_unit=owner_unit,
        owner_sector=owner_sector,
        code=code,
        name=name,
        description=description,
        preset=preset,
    )
    criteria_set.full_clean()
    criteria_set.save()
    template = PRESETS[preset]
    version = CriteriaSetVersion(
        criteria_set=criteria_set,
        number=1,
        rules=template.fresh_rules(),
        general_descriptions=list(template.descriptions),
        note=_("Tạo từ mẫu %(name)s.") % {"name": template.name},
        created_by=by,
    )
    version.full_clean()
    version.save()
    audit.record(
        by=by,
        action="catalog.criteria_set_create",
        obj=criteria_set,
        changes=audit.diff({}, audit.snapshot(criteria_set, SET_FIELDS)),
        unit_path=_path(criteria_set),
    )
    return criteria_set


@transaction.atomic
def criteria_set_update(
    *, criteria_set: CriteriaSet, by: User, name: str, description: str = ""
) -> CriteriaSet:
    criteria_set = CriteriaSet.objects.select_for_update(of=("self",)).get(pk=criteria_set.pk)
    before = audit.snapshot(criteria_set, SET_FIELDS)
    criteria_set.name, criteria_set.description = name, description
    criteria_set.full_clean()
    criteria_set.save()
    changes = audit.diff(before, audit.snapshot(criteria_set, SET_FIELDS))
    if changes:
        audit.record(
            by=by,
            action="catalog.criteria_set_update",
            obj=criteria_set,
            changes=changes,
            unit_path=_path(criteria_set),
        )
    return criteria_set


def _locked_draft(version: CriteriaSetVersion) -> CriteriaSetVersion:
    version = CriteriaSetVersion.objects.select_for_update(of=("self",)).get(pk=version.pk)
    if version.status != VersionStatus.DRAFT:
        raise PublishedVersionError(FROZEN_MESSAGE)
    return version


@transaction.atomic
def criteria_version_update(
    *,
    version: CriteriaSetVersion,
    by: User,
    rules: Mapping[str, Any],
    general_descriptions: list[str] | None = None,
    valid_from: date | None = None,
    note: str = "",
) -> CriteriaSetVersion:
    """Edit a draft's rules; a published version refuses, whatever the caller."""
    version = _locked_draft(version)
    clean = clean_rules(rules)
    before = {"rules": version.rules, "valid_from": version.valid_from, "note": version.note}
    version.rules = clean
    version.general_descriptions = clean_descriptions(
        general_descriptions if general_descriptions is not None else version.general_descriptions,
        clean,
    )
    version.valid_from = valid_from
    version.note = note
    version.full_clean()
    version.save()
    changes = audit.diff(
        before, {"rules": version.rules, "valid_from": version.valid_from, "note": version.note}
    )
    if changes:
        audit.record(
            by=by,
            action="catalog.criteria_version_update",
            obj=version,
            changes=changes,
            unit_path=_path(version.criteria_set),
        )
    return version


@transaction.atomic
def criteria_version_publish(
    *, version: CriteriaSetVersion, by: User, valid_from: date | None = None
) -> CriteriaSetVersion:
    """Publish a draft; from now on it is frozen and applies from its start date."""
    version = _locked_draft(version)
    valid_from = valid_from or version.valid_from
    if valid_from is None:
        raise ValidationError({"valid_from": _("Phải có ngày bắt đầu áp dụng để ban hành.")})
    version.rules = clean_rules(version.rules)
    latest = (
        CriteriaSetVersion.objects.filter(criteria_set=version.criteria_set)
        .exclude(status=VersionStatus.DRAFT)
        .aggregate(Max("valid_from"))["valid_from__max"]
    )
    if latest is not None and valid_from <= latest:
        raise ValidationError(
            {
                "valid_from": _(
                    "Ngày áp dụng phải sau ngày áp dụng của phiên bản đã ban hành gần nhất (%(d)s)."
                )
                % {"d": latest.strftime("%d/%m/%Y")}
            }
        )
    version.valid_from = valid_from
    version.status = VersionStatus.PUBLISHED
    version.published_at = timezone.now()
    version.published_by = by
    version.full_clean()
    version.save()
    audit.record(
        by=by,
        action="catalog.criteria_version_publish",
        obj=version,
        changes={
            "status": [VersionStatus.DRAFT, VersionStatus.PUBLISHED],
            "valid_from": [None, valid_from],
        },
        unit_path=_path(version.criteria_set),
    )
    return version


@transaction.atomic
def criteria_version_new_draft(*, from_version: CriteriaSetVersion, by: User) -> CriteriaSetVersion:
    """Start the next version as a draft copy of `from_version`; the source stays untouched."""
    criteria_set = CriteriaSet.objects.select_for_update(of=("self",)).get(
        pk=from_version.criteria_set_id
    )
    versions = CriteriaSetVersion.objects.filter(criteria_set=criteria_set)
    if versions.filter(status=VersionStatus.DRAFT).exists():
        raise ValidationError(_("Bộ tiêu chí này đã có một bản dự thảo đang soạn."))
    number = (versions.aggregate(Max("number"))["number__max"] or 0) + 1
    draft = CriteriaSetVersion(
        criteria_set=criteria_set,
        number=number,
        rules=clean_rules(from_version.rules),
        general_descriptions=list(from_version.general_descriptions),
        based_on=from_version,
        created_by=by,
    )
    draft.full_clean()
    draft.save()
    audit.record(
        by=by,
        action="catalog.criteria_version_new_draft",
        obj=draft,
        changes={"based_on": [None, from_version.pk], "number": [None, number]},
        unit_path=_path(criteria_set),
    )
    return draft


@transaction.atomic
def criteria_version_retire(
    *, version: CriteriaSetVersion, on: date, by: User, reason: str
) -> CriteriaSetVersion:
    """Stop a published version applying from `on`; periods already bound to it keep it."""
    version = CriteriaSetVersion.objects.select_for_update(of=("self",)).get(pk=version.pk)
    if version.status != VersionStatus.PUBLISHED:
        raise ValidationError(_("Chỉ phiên bản đang ban hành mới có thể ngừng áp dụng."))
    if not reason.strip():
        raise ValidationError({"reason": _("Phải ghi lý do ngừng áp dụng.")})
    if on <= version.valid_from:
        raise ValidationError({"on": _("Ngày ngừng áp dụng phải sau ngày bắt đầu áp dụng.")})
    version.status = VersionStatus.RETIRED
    version.retired_on = on
    version.retired_at = timezone.now()
    version.retired_by = by
    version.full_clean()
    version.save()
    audit.record(
        by=by,
        action="catalog.criteria_version_retire",
        obj=version,
        changes={
            "status": [VersionStatus.PUBLISHED, VersionStatus.RETIRED],
            "retired_on": [None, on],
        },
        reason=reason,
        unit_path=_path(version.criteria_set),
    )
    return version


@transaction.atomic
def criteria_version_discard(*, version: CriteriaSetVersion, by: User) -> None:
    """Throw away a draft; published versions refuse."""
    version = _locked_draft(version)
    audit.record(
        by=by,
        action="catalog.criteria_version_discard",
        obj=version,
        changes={"number": [version.number, None]},
        unit_path=_path(version.criteria_set),
    )
    version.delete()


def _set_rank(criteria_set: CriteriaSet) -> tuple[int, int]:
    """Province- and bloc-wide sets are defaults, a sector's set overrides them, and a set of
    an agency or anything below overrides the sector's; among units the deeper one wins."""
    if criteria_set.owner_sector_id:
        return (1, 0)
    owner = criteria_set.owner_unit
    return (0, owner.depth) if owner.kind in ("tinh", "khoi") else (2, owner.depth)


def criteria_version_for(*, unit: OrgUnit, on: date) -> CriteriaSetVersion | None:
    """The version a period of `unit` starting on `on` binds to, or None if no set applies."""
    versions = (
        CriteriaSetVersion.objects.filter(
            criteria_set__in=CriteriaSet.objects.applicable_to(unit),
            status__in=[VersionStatus.PUBLISHED, VersionStatus.RETIRED],
            valid_from__lte=on,
        )
        .exclude(retired_on__lte=on)
        .select_related("criteria_set__owner_unit", "criteria_set__owner_sector")
    )
    best: CriteriaSetVersion | None = None
    for version in versions:
        key = (*_set_rank(version.criteria_set), version.valid_from)
        if best is None or key > (*_set_rank(best.criteria_set), best.valid_from):
            best = version
    return best
