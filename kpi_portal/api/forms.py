"""The machine-account screen's form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kpi_portal.api_models import TokenScope
from orgunits.models import OrgUnit


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Tên hệ thống kết nối"), max_length=120)
    unit = forms.ModelChoiceField(
        label=_("Giới hạn trong đơn vị (gồm cấp dưới)"),
        queryset=OrgUnit.objects.all(),
        to_field_name="code",
        widget=forms.TextInput,
        help_text=_("Mã đơn vị, ví dụ mã của sở hoặc của tỉnh."),
    )
    scope = forms.ChoiceField(label=_("Phạm vi"), choices=TokenScope.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css
