import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import JobPositionGroup, OrgUnit, Person, StaffCategory


class PersonFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Tìm theo tên hoặc mã"), method="search")
    unit = django_filters.ModelChoiceFilter(
        label=_("Đơn vị (gồm cấp dưới)"), queryset=OrgUnit.objects.none(), method="in_subtree"
    )
    category = django_filters.ChoiceFilter(label=_("Loại cán bộ"), choices=StaffCategory.choices)
    group = django_filters.ModelChoiceFilter(
        label=_("Nhóm vị trí việc làm"),
        queryset=JobPositionGroup.objects.all(),
        field_name="job_position__group",
    )

    class Meta:
        model = Person
        fields = ["q", "unit", "category", "group"]

    def __init__(self, *args, units=None, on=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.on = on
        if units is not None:
            self.filters["unit"].queryset = units

    def search(self, queryset, name, value):
        return queryset.filter(Q(full_name__icontains=value) | Q(hrmis_code__iexact=value))

    def in_subtree(self, queryset, name, unit):
        return queryset.working_in(unit, self.on)
