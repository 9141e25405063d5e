import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kpi_portal.forms import StyledFormMixin
from orgunits.models import JobPositionGroup, OrgUnit

from .models import Product, ProductGroup


class FilterForm(StyledFormMixin, forms.Form):
    pass


STATUS_CHOICES = [("active", _("Đang áp dụng")), ("retired", _("Ngừng áp dụng"))]


class ProductFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Tìm theo mã hoặc tên"), method="search")
    owner = django_filters.ChoiceFilter(label=_("Nơi ban hành"), method="by_owner")
    applies_to = django_filters.ModelChoiceFilter(
        label=_("Áp dụng cho đơn vị"), queryset=OrgUnit.objects.none(), method="by_unit"
    )
    group = django_filters.ModelChoiceFilter(
        label=_("Nhóm sản phẩm"), queryset=ProductGroup.objects.all()
    )
    position_group = django_filters.ModelChoiceFilter(
        label=_("Nhóm vị trí việc làm"),
        queryset=JobPositionGroup.objects.all(),
        method="by_position_group",
    )
    status = django_filters.ChoiceFilter(
        label=_("Trạng thái"), choices=STATUS_CHOICES, method="by_status"
    )

    class Meta:
        model = Product
        fields = ["q", "owner", "applies_to", "group", "position_group", "status"]
        form = FilterForm

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.filters["applies_to"].queryset = units
        self.filters["owner"].extra["choices"] = self._owner_choices()

    def _owner_choices(self) -> list[tuple[str, str]]:
        owners = (
            self.queryset.order_by()
            .values_list("owner_unit", "owner_unit__name", "owner_sector", "owner_sector__name")
            .distinct()
        )
        choices = []
        for unit_id, unit_name, sector_id, sector_name in owners:
            if unit_id:
                choices.append((f"u{unit_id}", unit_name))
            else:
                choices.append((f"s{sector_id}", _("Ngành %(name)s") % {"name": sector_name}))
        return sorted(choices, key=lambda choice: str(choice[1]))

    def search(self, queryset, name, value):
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value))

    def by_owner(self, queryset, name, value):
        kind, pk = value[:1], value[1:]
        if not pk.isdecimal():
            return queryset.none()
        return (
            queryset.filter(owner_unit_id=pk)
            if kind == "u"
            else queryset.filter(owner_sector_id=pk)
        )

    def by_unit(self, queryset, name, unit):
        return queryset.applicable_to(unit)

    def by_position_group(self, queryset, name, group):
        return queryset.for_position_group(group)

    def by_status(self, queryset, name, value):
        today = timezone.localdate()
        active = queryset.active_on(today)
        return active if value == "active" else queryset.exclude(pk__in=active.values("pk"))
