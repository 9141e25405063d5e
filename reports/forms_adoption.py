"""Forms of the pilot's pages: the sơ kết pack's range and last year's manual ratings."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kpi_portal.forms import StyledFormMixin
from orgunits.models import OrgUnit
from orgunits.querysets import ALL, prefix_q

from . import permissions
from .forms import UnitChoiceField

PILOT_FROM = date(2026, 6, 15)
# Blocs, agencies and communes: a pack or a baseline for a single team is not meaningful.
MAX_DEPTH = 3
MAX_DAYS = 2 * 366
COUNTS = ("count_htxs", "count_htt", "count_ht", "count_kht")


def _units(paths: tuple[str, ...]):
    units = OrgUnit.objects.filter(depth__lte=MAX_DEPTH)
    if paths != ALL:
        units = units.filter(prefix_q(paths)) if paths else units.none()
    return units.order_by("path")


class PackForm(StyledFormMixin, forms.Form):
    unit = UnitChoiceField(label=_("Phạm vi"), queryset=OrgUnit.objects.none())
    start = forms.DateField(label=_("Từ ngày"), initial=PILOT_FROM)
    end = forms.DateField(label=_("Đến ngày"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        units = _units(permissions.dashboard_paths(user))
        self.fields["unit"].queryset = units
        self.fields["unit"].initial = units.first()
        self.fields["end"].initial = timezone.localdate()

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", _("Ngày kết thúc phải sau ngày bắt đầu."))
        elif start and end and (end - start).days > MAX_DAYS:
            self.add_error("end", _("Khoảng thời gian sơ kết không được quá hai năm."))
        return data


class BaselineForm(StyledFormMixin, forms.Form):
    """A unit's counts per band; saving the same unit and year again corrects them."""

    unit = UnitChoiceField(label=_("Đơn vị"), queryset=OrgUnit.objects.none())
    year = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2100)
    count_htxs = forms.IntegerField(label=_("Hoàn thành xuất sắc nhiệm vụ"), min_value=0)
    count_htt = forms.IntegerField(label=_("Hoàn thành tốt nhiệm vụ"), min_value=0)
    count_ht = forms.IntegerField(label=_("Hoàn thành nhiệm vụ"), min_value=0)
    count_kht = forms.IntegerField(label=_("Không hoàn thành nhiệm vụ"), min_value=0)
    note = forms.CharField(label=_("Ghi chú, nguồn số liệu"), max_length=255, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = _units(permissions.baseline_paths(user))
        self.fields["year"].initial = PILOT_FROM.year - 1

    def clean(self):
        data = super().clean()
        if all(data.get(name) == 0 for name in COUNTS):
            raise forms.ValidationError(_("Hãy nhập số người của ít nhất một mức xếp loại."))
        return data

    def counts(self) -> dict[str, int]:
        return {name: self.cleaned_data[name] for name in COUNTS}
