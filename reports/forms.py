"""Forms of the reports app: choosing what to export on "Báo cáo của tôi"."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from evaluations.models import Period
from kpi_portal.forms import StyledFormMixin
from orgunits.models import OrgUnit, Person

from . import permissions
from .exports import SPECS
from .models import ExportKind

NBSP = "\u00a0"
QUARTERS = [(1, _("Quý I")), (2, _("Quý II")), (3, _("Quý III")), (4, _("Quý IV"))]


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: OrgUnit) -> str:
        return f"{NBSP * 2 * max(obj.depth - 1, 0)}{obj.name}"


class PeriodChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Period) -> str:
        return f"{obj} — {obj.get_bloc_display() or _('toàn tỉnh')}"


class ExportRequestForm(StyledFormMixin, forms.Form):
    """The scope of a report (unit or person, period or quarter); a button per report kind."""

    unit = UnitChoiceField(label=_("Đơn vị"), queryset=OrgUnit.objects.none(), required=False)
    person = forms.CharField(
        label=_("Mã HRMIS của một cán bộ"),
        max_length=32,
        required=False,
        help_text=_(
            "Chỉ dùng cho phiếu đánh giá Mẫu 01, chi tiết nhiệm vụ và nhật ký công việc của "
            "một người; để trống để xuất cả đơn vị."
        ),
    )
    period = PeriodChoiceField(label=_("Kỳ đánh giá"), queryset=Period.objects.none())
    year = forms.TypedChoiceField(label=_("Năm"), coerce=int)
    quarter = forms.TypedChoiceField(label=_("Quý"), coerce=int, choices=QUARTERS)

    def __init__(self, *args, user, quarterly: bool, kind: str = "", **kwargs):
        super().__init__(*args, prefix="quy" if quarterly else "ky", **kwargs)
        self.user, self.quarterly, self.kind = user, quarterly, kind
        self.person_obj: Person | None = None
        oversees = permissions.can_export_units(user)
        self.kinds = [
            (value, label)
            for value, label in ExportKind.choices
            if SPECS[value].listed
            and SPECS[value].quarterly == quarterly
            and (oversees or SPECS[value].for_person)
        ]
        today = timezone.localdate()
        if quarterly:
            del self.fields["person"], self.fields["period"]
            years = set(Period.objects.values_list("year", flat=True)) | {today.year}
            self.fields["year"].choices = [(y, str(y)) for y in sorted(years, reverse=True)]
            self.fields["year"].initial = today.year
            self.fields["quarter"].initial = (today.month - 1) // 3 + 1
        else:
            del self.fields["year"], self.fields["quarter"]
            periods = Period.objects.filter(start__lte=today, start__year__gte=today.year - 3)
            self.fields["period"].queryset = periods.order_by("-start", "bloc")
            self.fields["period"].initial = periods.order_by("-start").first()
        if oversees:
            units = permissions.exportable_units(user)
            self.fields["unit"].queryset = units
            self.fields["unit"].initial = units.first()
        else:
            del self.fields["unit"]
        if not oversees and "person" in self.fields:
            person = self.fields["person"]
            person.required, person.help_text = True, _("Mã HRMIS của bạn.")
            person.initial = getattr(getattr(user, "person", None), "hrmis_code", "")

    @property
    def kind_values(self) -> set[str]:
        return {value for value, _label in self.kinds}

    def clean(self):
        data = super().clean()
        spec = SPECS.get(self.kind)
        if spec is None:
            return data
        code = (data.get("person") or "").strip()
        if code and spec.for_person:
            self.person_obj = (
                Person.objects.visible_to(self.user).filter(hrmis_code__iexact=code).first()
            )
            if self.person_obj is None:
                self.add_error(
                    "person", _("Không tìm thấy cán bộ có mã này trong phạm vi của bạn.")
                )
        elif "unit" not in self.fields:
            self.add_error(None, _("Báo cáo này chỉ xuất theo đơn vị."))
        elif data.get("unit") is None:
            self.add_error("unit", _("Hãy chọn đơn vị."))
        unit, period = data.get("unit"), data.get("period")
        other_bloc = unit and period and period.bloc and unit.bloc and period.bloc != unit.bloc
        if self.person_obj is None and other_bloc:
            self.add_error("period", _("Kỳ đánh giá này thuộc khối khác với đơn vị đã chọn."))
        return data

    def params(self) -> dict[str, int]:
        data = self.cleaned_data
        scope = {"person": self.person_obj.pk} if self.person_obj else {"unit": data["unit"].pk}
        if self.quarterly:
            return {**scope, "year": data["year"], "quarter": data["quarter"]}
        return {**scope, "period": data["period"].pk}
