from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kpi_portal.forms import StyledFormMixin
from orgunits.models import JobPositionGroup, OrgUnit, Sector

from .criteria import (
    CAP_DENOMINATORS,
    DECIMAL_KEYS,
    MAX_GROUPS,
    PRESET_CHOICES,
    TOGGLE_KEYS,
    WEIGHT_LABELS,
    clean_descriptions,
    validate_rules,
)
from .models import (
    FROZEN_MESSAGE,
    UNITS_OF_MEASURE,
    ConversionRule,
    ConversionTable,
    CriteriaSet,
    CriteriaSetVersion,
    Product,
    Quota,
)
from .querysets import manage_reach, prefix_q
from .services import parse_coefficient

DATE_WIDGET = forms.DateInput(format="%d/%m/%Y")


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form, by field where the form has that field."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            target = field if field in form.fields else None
            for message in messages:
                form.add_error(target if field != NON_FIELD_ERRORS else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


class OwnerField(forms.ChoiceField):
    """A unit (`u<pk>`) or a sector (`s<pk>`) the user manages, as one select."""

    def __init__(self, *, user, **kwargs):
        super().__init__(choices=owner_choices(user), **kwargs)

    def clean(self, value):
        value = super().clean(value)
        kind, pk = value[:1], int(value[1:])
        if kind == "u":
            return OrgUnit.objects.get(pk=pk), None
        return None, Sector.objects.get(pk=pk)


def manageable_units(user):
    reach = manage_reach(user)
    units = OrgUnit.objects.only("id", "name", "depth", "path")
    if reach.everything:
        return units
    return units.filter(prefix_q(reach.unit_paths, "path"))


def owner_choices(user) -> list:
    reach = manage_reach(user)
    sectors = Sector.objects.all()
    if not reach.everything:
        sectors = sectors.filter(pk__in=reach.sector_ids)
    units = [(f"u{u.pk}", "— " * (u.depth - 1) + u.name) for u in manageable_units(user)]
    choices: list = [("", "---------"), (_("Đơn vị (áp dụng cho cả cấp dưới)"), units)]
    if sectors:
        choices.append((_("Ngành, lĩnh vực"), [(f"s{s.pk}", s.name) for s in sectors]))
    return choices


def owner_value(owned) -> str:
    return f"u{owned.owner_unit_id}" if owned.owner_unit_id else f"s{owned.owner_sector_id}"


class OwnedForm(StyledFormMixin, forms.ModelForm):
    """A model form that asks for the owner only when creating."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.fields = {
                "owner": OwnerField(user=user, label=_("Nơi ban hành")),
                **self.fields,
            }
            self.fields["owner"].widget.attrs["class"] = "form-select"

    def owner_kwargs(self) -> dict[str, Any]:
        if "owner" not in self.cleaned_data:
            return {}
        unit, sector = self.cleaned_data["owner"]
        return {"owner_unit": unit, "owner_sector": sector}


class ProductForm(OwnedForm):
    class Meta:
        model = Product
        fields = [
            "code",
            "name",
            "description",
            "unit_of_measure",
            "group",
            "coefficient",
            "complexity",
            "expected_hours",
            "position_groups",
            "active_from",
            "active_to",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "unit_of_measure": forms.TextInput(attrs={"list": "units-of-measure"}),
            "active_from": DATE_WIDGET,
            "active_to": DATE_WIDGET,
        }
        localized_fields = ["coefficient", "expected_hours"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position_groups"].queryset = JobPositionGroup.objects.all()
        self.fields["position_groups"].widget.attrs["size"] = 5
        if self.instance.pk is None:
            self.initial.setdefault("active_from", timezone.localdate())
        else:
            # Retiring is its own action with a reason; the edit form leaves the end date alone.
            del self.fields["active_to"]

    units_of_measure = UNITS_OF_MEASURE


class RetireForm(StyledFormMixin, forms.Form):
    active_to = forms.DateField(label=_("Áp dụng đến hết ngày"), widget=DATE_WIDGET)
    reason = forms.CharField(label=_("Lý do"), max_length=500)


class BulkCoefficientForm(StyledFormMixin, forms.Form):
    """One coefficient box per product; every row is checked before anything is saved."""

    reason = forms.CharField(label=_("Căn cứ sửa đổi"), max_length=500, required=False)

    def __init__(self, *args, products, **kwargs):
        super().__init__(*args, **kwargs)
        self.products = list(products)
        for product in self.products:
            self.fields[f"c{product.pk}"] = forms.CharField(
                label=product.code,
                initial=format(product.coefficient.normalize(), "f").replace(".", ","),
                widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 6}),
            )

    def clean(self):
        cleaned = super().clean()
        for product in self.products:
            name = f"c{product.pk}"
            if name in cleaned:
                try:
                    cleaned[name] = parse_coefficient(cleaned[name])
                except ValidationError as exc:
                    self.add_error(name, exc)
        return cleaned

    def rows(self):
        return [(product, self[f"c{product.pk}"]) for product in self.products]

    def coefficients(self) -> dict[Product, Decimal]:
        return {p: self.cleaned_data[f"c{p.pk}"] for p in self.products}


class QuotaForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Quota
        fields = ["unit", "group", "per_month", "valid_from", "valid_to", "note"]
        widgets = {"valid_from": DATE_WIDGET, "valid_to": DATE_WIDGET}
        localized_fields = ["per_month"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.fields["unit"].queryset = manageable_units(user)
        else:
            del self.fields["unit"]
            del self.fields["group"]


class ConversionTableForm(OwnedForm):
    class Meta:
        model = ConversionTable
        fields = ["code", "name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class ConversionRuleForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = ConversionRule
        fields = ["task_type", "product", "coefficient", "note"]
        localized_fields = ["coefficient"]

    def __init__(self, *args, table: ConversionTable, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.table = table
        products = Product.objects.filter(active_to__isnull=True)
        if table.owner_unit_id:
            products = products.applicable_to(table.owner_unit)
        else:
            products = products.filter(owner_sector=table.owner_sector)
        self.fields["product"].queryset = products
        self.fields["coefficient"].initial = Decimal(1)


class CriteriaSetForm(OwnedForm):
    preset = forms.ChoiceField(label=_("Tạo từ mẫu"), choices=PRESET_CHOICES)

    class Meta:
        model = CriteriaSet
        fields = ["code", "name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            del self.fields["preset"]
            self.fields["code"].disabled = True


def _number(label, **kwargs) -> forms.DecimalField:
    return forms.DecimalField(label=label, localize=True, max_digits=8, decimal_places=4, **kwargs)


class CriteriaVersionForm(StyledFormMixin, forms.Form):
    """Every setting of a draft version; the result must pass the rules schema as a whole."""

    valid_from = forms.DateField(
        label=_("Dự kiến áp dụng từ ngày"), required=False, widget=DATE_WIDGET
    )
    note = forms.CharField(
        label=_("Nội dung thay đổi, căn cứ"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    task_max = _number(DECIMAL_KEYS["task_max"])
    error_deduction = _number(DECIMAL_KEYS["error_deduction"])
    delay_deduction = _number(DECIMAL_KEYS["delay_deduction"])
    leader_unit_ok = _number(DECIMAL_KEYS["leader_unit_ok"])
    leader_unit_not_ok = _number(DECIMAL_KEYS["leader_unit_not_ok"])
    band_HTXS = _number(_("Hoàn thành xuất sắc nhiệm vụ: từ … điểm"))
    band_HTT = _number(_("Hoàn thành tốt nhiệm vụ: từ … điểm"))
    band_HT = _number(_("Hoàn thành nhiệm vụ: từ … điểm"))
    override_disciplined = forms.BooleanField(
        label=TOGGLE_KEYS["override_disciplined"], required=False
    )
    override_degraded = forms.BooleanField(label=TOGGLE_KEYS["override_degraded"], required=False)
    override_unit_corruption = forms.BooleanField(
        label=TOGGLE_KEYS["override_unit_corruption"], required=False
    )
    qd366_conditions = forms.BooleanField(label=TOGGLE_KEYS["qd366_conditions"], required=False)
    qd366_exceeded_min = _number(DECIMAL_KEYS["qd366_exceeded_min"])
    qd366_late_share_max = _number(DECIMAL_KEYS["qd366_late_share_max"])
    htxs_cap_rate = _number(DECIMAL_KEYS["htxs_cap_rate"])
    htxs_cap_denominator = forms.ChoiceField(
        label=_("Tỷ lệ Hoàn thành xuất sắc nhiệm vụ tính trên"),
        choices=list(CAP_DENOMINATORS.items()),
    )
    htxs_exception_rate = _number(
        _("Tỷ lệ ngoại lệ"),
        required=False,
        help_text=_(
            "Để trống nếu không có. Chỉ áp dụng khi có số quyết định của cấp có thẩm quyền."
        ),
    )

    WEIGHT_FIELDS = {
        key: [f"{key}_{i}" for i in range(len(labels))] for key, labels in WEIGHT_LABELS.items()
    }

    def __init__(self, *args, version: CriteriaSetVersion, **kwargs):
        self.version = version
        kwargs.setdefault("initial", self.initial_from(version))
        super().__init__(*args, **kwargs)
        for key, labels in WEIGHT_LABELS.items():
            for name, label in zip(self.WEIGHT_FIELDS[key], labels, strict=True):
                self.fields[name] = forms.CharField(
                    label=label,
                    max_length=16,
                    help_text=_("Số thập phân hoặc phân số, ví dụ 1/3."),
                    widget=forms.TextInput(attrs={"class": "form-control"}),
                )
        for i in range(MAX_GROUPS):
            self.fields[f"group_name_{i}"] = forms.CharField(
                label=_("Tên nhóm %s") % (i + 1), required=False, max_length=200
            )
            self.fields[f"group_desc_{i}"] = forms.CharField(
                label=_("Mô tả nhóm %s") % (i + 1), required=False, max_length=1000
            )
            self.fields[f"group_max_{i}"] = _number(
                _("Điểm tối đa nhóm %s") % (i + 1), required=False
            )
            for suffix in ("name", "desc", "max"):
                self.fields[f"group_{suffix}_{i}"].widget.attrs["class"] = "form-control"

    @classmethod
    def initial_from(cls, version: CriteriaSetVersion) -> dict[str, Any]:
        rules = version.rules
        initial: dict[str, Any] = {"valid_from": version.valid_from, "note": version.note}
        for key in (*DECIMAL_KEYS, "htxs_exception_rate"):
            initial[key] = None if rules.get(key) is None else Decimal(rules[key])
        for key in TOGGLE_KEYS:
            initial[key] = rules.get(key)
        initial["htxs_cap_denominator"] = rules.get("htxs_cap_denominator")
        for rating, threshold in rules.get("bands", []):
            initial[f"band_{rating}"] = Decimal(threshold)
        for key, names in cls.WEIGHT_FIELDS.items():
            for name, weight in zip(names, rules.get(key, []), strict=False):
                initial[name] = weight
        descriptions = clean_descriptions(version.general_descriptions, rules)
        for i, (name, points) in enumerate(rules.get("general_groups", [])):
            initial[f"group_name_{i}"] = name
            initial[f"group_desc_{i}"] = descriptions[i]
            initial[f"group_max_{i}"] = Decimal(points)
        return initial

    def group_rows(self):
        return [
            (self[f"group_name_{i}"], self[f"group_desc_{i}"], self[f"group_max_{i}"])
            for i in range(MAX_GROUPS)
        ]

    def task_weight_rows(self):
        return [self[name] for name in self.WEIGHT_FIELDS["weights"]]

    def leader_weight_rows(self):
        return [self[name] for name in self.WEIGHT_FIELDS["leader_weights"]]

    def clean(self):
        cleaned = super().clean()
        if not self.version.is_draft:
            raise ValidationError(FROZEN_MESSAGE)
        if self.errors:
            return cleaned
        rules = self._rules(cleaned)
        errors = validate_rules(rules)
        if errors:
            raise ValidationError(errors)
        cleaned["rules"] = rules
        cleaned["general_descriptions"] = [
            cleaned[f"group_desc_{i}"]
            for i in range(MAX_GROUPS)
            if cleaned.get(f"group_name_{i}") or cleaned.get(f"group_max_{i}") is not None
        ]
        return cleaned

    def _rules(self, cleaned) -> dict[str, Any]:
        groups = []
        for i in range(MAX_GROUPS):
            name, points = cleaned.get(f"group_name_{i}"), cleaned.get(f"group_max_{i}")
            if name or points is not None:
                groups.append([name, str(points) if points is not None else ""])
        rules: dict[str, Any] = {"general_groups": groups}
        for key in DECIMAL_KEYS:
            rules[key] = str(cleaned[key])
        for key, names in self.WEIGHT_FIELDS.items():
            rules[key] = [cleaned[name] for name in names]
        rules["bands"] = [[r, str(cleaned[f"band_{r}"])] for r in ("HTXS", "HTT", "HT")]
        for key in TOGGLE_KEYS:
            rules[key] = bool(cleaned.get(key))
        rules["htxs_cap_denominator"] = cleaned["htxs_cap_denominator"]
        exception = cleaned.get("htxs_exception_rate")
        rules["htxs_exception_rate"] = None if exception is None else str(exception)
        return rules


class PublishForm(StyledFormMixin, forms.Form):
    valid_from = forms.DateField(label=_("Áp dụng từ ngày"), widget=DATE_WIDGET)


class VersionRetireForm(StyledFormMixin, forms.Form):
    on = forms.DateField(label=_("Ngừng áp dụng từ ngày"), widget=DATE_WIDGET)
    reason = forms.CharField(label=_("Lý do"), max_length=500)


class RulesUploadForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label=_("Tệp JSON quy tắc chấm điểm"))


class LookupForm(StyledFormMixin, forms.Form):
    unit = forms.ModelChoiceField(label=_("Đơn vị"), queryset=OrgUnit.objects.none())
    on = forms.DateField(label=_("Ngày"), widget=DATE_WIDGET)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class OwnerSelectForm(StyledFormMixin, forms.Form):
    """Pick one owner the user manages, for the bulk editor and the export."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"] = OwnerField(user=user, label=_("Danh mục của"))
        self.fields["owner"].widget.attrs["class"] = "form-select"


class ImportForm(StyledFormMixin, forms.Form):
    owner = forms.ChoiceField(label=_("Nơi ban hành"))
    file = forms.FileField(label=_("Tệp Excel (.xlsx)"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"] = OwnerField(user=user, label=_("Nơi ban hành"))
        self.fields["owner"].widget.attrs["class"] = "form-select"
