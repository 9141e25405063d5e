"""django-filter sets for the list endpoints."""

import django_filters

from catalog.models import Product
from evaluations.models import Evaluation, WorkEntry
from orgunits.models import OrgUnit, Person


class OrgUnitFilter(django_filters.FilterSet):
    code = django_filters.CharFilter()
    name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = OrgUnit
        fields = ["code", "kind", "bloc", "name"]


class PersonFilter(django_filters.FilterSet):
    hrmis_code = django_filters.CharFilter()
    full_name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Person
        fields = ["hrmis_code", "full_name", "category", "is_active"]


class ProductFilter(django_filters.FilterSet):
    code = django_filters.CharFilter()

    class Meta:
        model = Product
        fields = ["code"]


class WorkEntryFilter(django_filters.FilterSet):
    period = django_filters.NumberFilter(field_name="period_id")

    class Meta:
        model = WorkEntry
        fields = ["status", "period"]


class EvaluationFilter(django_filters.FilterSet):
    period = django_filters.NumberFilter(field_name="period_id")
    unit = django_filters.CharFilter(field_name="unit__code")

    class Meta:
        model = Evaluation
        fields = ["state", "period", "unit"]
