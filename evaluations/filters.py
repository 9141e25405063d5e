import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from orgunits.models import OrgUnit

from .models import Period, WorkEntry


class ReviewQueueFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Họ và tên"), field_name="person__full_name", lookup_expr="icontains"
    )
    unit = django_filters.ModelChoiceFilter(
        label=_("Đơn vị (gồm cấp dưới)"), queryset=OrgUnit.objects.none(), method="in_subtree"
    )
    period = django_filters.ModelChoiceFilter(label=_("Kỳ đánh giá"), queryset=Period.objects.all())
    flagged = django_filters.BooleanFilter(
        label=_("Chỉ mục có cảnh báo"), method="only_flagged", widget=forms.CheckboxInput
    )

    class Meta:
        model = WorkEntry
        fields = ["q", "unit", "period", "flagged"]

    def __init__(self, *args, units, periods, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["unit"].queryset = units
        self.filters["period"].queryset = periods
        for field in self.form.fields.values():
            css = "form-check-input" if isinstance(field.widget, forms.CheckboxInput) else ""
            if not css:
                css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css

    def in_subtree(self, queryset, name, unit):
        return queryset.filter(unit__path__startswith=unit.path)

    def only_flagged(self, queryset, name, value):
        return queryset.exclude(flags=[]) if value else queryset
