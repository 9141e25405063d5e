from copy import copy
from decimal import Decimal

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Product
from kpi_portal.forms import StyledFormMixin
from kpi_portal.uploads import ALLOWED_TEXT
from orgunits.models import JobPositionGroup, OrgUnit, Person

from .models import PeriodPolicy, PlanItem, WorkEntry
from .services import Review, computed_delays

NBSP = "\u00a0"  # plain spaces collapse inside <option>


def _reason(label, required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=label, max_length=255, required=required, widget=forms.Textarea(attrs={"rows": 2})
    )


def _quantity(label, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=Decimal("0.01"),
        max_digits=9,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )


class ProductChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Product) -> str:
        return f"{obj.code} — {obj.name} ({obj.unit_of_measure}, ×{obj.coefficient.normalize():f})"


class PlanItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: PlanItem) -> str:
        return _("%(p)s × %(q)s, hạn %(d)s") % {
            "p": obj.product.name,
            "q": f"{obj.quantity.normalize():f}",
            "d": obj.due_date.strftime("%d/%m/%Y"),
        }


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: OrgUnit) -> str:
        return f"{NBSP * 2 * max(obj.depth - 1, 0)}{obj.name}"


class EntryForm(StyledFormMixin, forms.Form):
    """A completed product; the picker of `product` is drawn by the template (search, recent)."""

    product = forms.ModelChoiceField(
        label=_("Sản phẩm"),
        queryset=Product.objects.none(),
        widget=forms.RadioSelect,
        error_messages={"required": _("Hãy chọn sản phẩm đã hoàn thành.")},
    )
    quantity = _quantity(_("Số lượng"))
    completed_on = forms.DateField(label=_("Ngày hoàn thành"), initial=timezone.localdate)
    plan_item = PlanItemChoiceField(
        label=_("Thuộc nhiệm vụ được giao"),
        queryset=PlanItem.objects.none(),
        required=False,
        empty_label=_("— Không gắn với nhiệm vụ được giao —"),
    )
    doc_number = forms.CharField(label=_("Số, ký hiệu văn bản"), max_length=60, required=False)
    doc_date = forms.DateField(label=_("Ngày văn bản"), required=False)
    link = forms.URLField(label=_("Đường dẫn minh chứng"), required=False, assume_scheme="https")
    evidence = forms.FileField(
        label=_("Tệp minh chứng"),
        required=False,
        widget=forms.FileInput,
    )
    note = forms.CharField(
        label=_("Ghi chú"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, products, plan_items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products
        self.fields["plan_item"].queryset = plan_items.select_related("product")
        self.fields["quantity"].initial = 1
        # Formatted here, per request: formatting at import would freeze the text in Vietnamese.
        self.fields["evidence"].help_text = _("%(types)s; tối đa 10 MB.") % {"types": ALLOWED_TEXT}

    @classmethod
    def initial_from(cls, entry: WorkEntry) -> dict:
        return {
            name: getattr(entry, name)
            for name in (
                "product",
                "quantity",
                "completed_on",
                "plan_item",
                "doc_number",
                "doc_date",
                "link",
                "note",
            )
        }

    def entry_fields(self) -> dict:
        """Everything but the file, as the entry services take it."""
        return {k: v for k, v in self.cleaned_data.items() if k != "evidence"}


class ReviewForm(StyledFormMixin, forms.Form):
    """One reviewer's verdict; the pressed button (approve or return) is read from the data."""

    approved_quantity = _quantity(_("Số lượng được duyệt"), required=False)
    adjust_reason = _reason(_("Lý do điều chỉnh số lượng"))
    quality_pass = forms.TypedChoiceField(
        label=_("Chất lượng"),
        choices=[("1", _("Đạt")), ("0", _("Không đạt"))],
        coerce=lambda value: value == "1",
        initial="1",
    )
    major_errors = forms.IntegerField(label=_("Số lỗi lớn"), min_value=0, initial=0)
    delays = forms.IntegerField(label=_("Số lần chậm tiến độ"), min_value=0)
    delay_reason = _reason(_("Lý do sửa số lần chậm tiến độ"))
    exceeded = forms.BooleanField(label=_("Vượt yêu cầu"), required=False)
    exempt = forms.BooleanField(label=_("Có lý do khách quan (không trừ điểm)"), required=False)
    exempt_reason = _reason(_("Lý do khách quan"))
    note = forms.CharField(
        label=_("Ý kiến người duyệt (bắt buộc khi trả lại)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, entry: WorkEntry, **kwargs):
        super().__init__(*args, **kwargs)
        self.computed_delays = computed_delays(entry)
        self.fields["approved_quantity"].initial = entry.quantity
        self.fields["delays"].initial = self.computed_delays
        self.fields["delays"].help_text = _(
            "Tính theo hạn của nhiệm vụ được giao: %(n)s; sửa khác thì phải ghi lý do."
        ) % {"n": self.computed_delays}
        self.fields["version"].initial = entry.version

    def review(self) -> Review:
        data = self.cleaned_data
        return Review(
            approve=self.data.get("decision") != "return",
            approved_quantity=data["approved_quantity"],
            adjust_reason=data["adjust_reason"],
            quality_pass=data["quality_pass"],
            major_errors=data["major_errors"],
            delays=data["delays"],
            delay_reason=data["delay_reason"],
            exceeded=data["exceeded"],
            exempt=data["exempt"],
            exempt_reason=data["exempt_reason"],
            note=data["note"],
        )


class PlanLineForm(StyledFormMixin, forms.Form):
    product = ProductChoiceField(label=_("Sản phẩm"), queryset=Product.objects.none())
    quantity = _quantity(_("Số lượng"))
    # Blank means the period's last day; no initial value, so untouched spare lines stay empty.
    due_date = forms.DateField(label=_("Hạn hoàn thành"), required=False)

    def __init__(self, *args, products, due_default, **kwargs):
        super().__init__(*args, **kwargs)
        self.due_default = due_default
        self.fields["product"].queryset = products
        self.fields["due_date"].help_text = _("Để trống: %(d)s (cuối kỳ).") % {
            "d": due_default.strftime("%d/%m/%Y")
        }


class BasePlanLineFormSet(forms.BaseFormSet):
    def lines(self) -> list[tuple]:
        return [
            (
                f.cleaned_data["product"],
                f.cleaned_data["quantity"],
                f.cleaned_data["due_date"] or f.due_default,
            )
            for f in self.forms
            if f.cleaned_data
        ]


PlanLineFormSet = forms.formset_factory(
    PlanLineForm, formset=BasePlanLineFormSet, extra=2, min_num=1, validate_min=True
)


class PlanTargetForm(StyledFormMixin, forms.Form):
    """Whom the lines go to: the people ticked in the list, or a unit's people of one group."""

    people = forms.ModelMultipleChoiceField(
        label=_("Cán bộ được chọn"), queryset=Person.objects.none(), required=False
    )
    unit = UnitChoiceField(
        label=_("Hoặc: mọi cán bộ của đơn vị (gồm cấp dưới)"),
        queryset=OrgUnit.objects.none(),
        required=False,
    )
    group = forms.ModelChoiceField(
        label=_("thuộc nhóm vị trí việc làm"),
        queryset=JobPositionGroup.objects.all(),
        required=False,
    )
    note = forms.CharField(label=_("Ghi chú"), max_length=255, required=False)

    def __init__(self, *args, assignments, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.assignments = assignments
        self.fields["people"].queryset = Person.objects.filter(
            pk__in=assignments.values("person_id")
        )
        self.fields["unit"].queryset = units

    def clean(self):
        data = super().clean()
        if not data.get("people") and not data.get("unit"):
            raise forms.ValidationError(
                _("Hãy đánh dấu cán bộ trong danh sách, hoặc chọn một đơn vị.")
            )
        if data.get("unit"):
            data["people"] = list(data.get("people") or []) + self._of_unit(
                data["unit"], data.get("group")
            )
        if not data["people"]:
            raise forms.ValidationError(_("Đơn vị đã chọn không có cán bộ thuộc nhóm này."))
        return data

    def _of_unit(self, unit: OrgUnit, group) -> list[Person]:
        query = Q(unit__path__startswith=unit.path)
        if group is not None:
            query &= Q(person__job_position__group=group)
        ids = self.assignments.filter(query).values("person_id")
        return list(Person.objects.filter(pk__in=ids))

    def target_people(self) -> list[Person]:
        return list({p.pk: p for p in self.cleaned_data["people"]}.values())


class PlanDecisionForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Lý do không chấp nhận"), max_length=255, required=False, strip=True
    )


class ProposalForm(StyledFormMixin, forms.Form):
    product = ProductChoiceField(label=_("Sản phẩm"), queryset=Product.objects.none())
    quantity = _quantity(_("Số lượng"))
    due_date = forms.DateField(label=_("Hạn hoàn thành"))
    note = forms.CharField(label=_("Ghi chú"), max_length=255, required=False)

    def __init__(self, *args, products, due_default, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products
        self.fields["due_date"].initial = due_default


class PeriodStepForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("Ghi chú"), max_length=255, required=False)


class PeriodReopenForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Lý do mở lại kỳ đã khóa"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Phải ghi lý do mở lại kỳ đã khóa.")},
    )


class PeriodPolicyForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = PeriodPolicy
        fields = [
            "frequency",
            "log_close_day",
            "self_assessment_days",
            "review_days",
            "lock_days",
            "daily_pace_factor",
            "working_day_hours",
            "appeal_days",
            "appeal_resolve_days",
            "annual_deadline_day",
            "annual_deadline_month",
        ]

    def __init__(self, *args, instance: PeriodPolicy, **kwargs):
        # A copy: a failed save must not leave half-changed values on the caller's object.
        super().__init__(*args, instance=copy(instance), **kwargs)
