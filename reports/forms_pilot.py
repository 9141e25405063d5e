"""Forms of the feedback screens: send, answer, accept, decline, and the register's filters."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import CriteriaSet, CriteriaSetVersion, Product, VersionStatus
from kpi_portal.forms import StyledFormMixin

from .models import Feedback, FeedbackKind, FeedbackStatus, FeedbackTopic


class FeedbackForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Loại"), choices=FeedbackKind.choices)
    topic = forms.ChoiceField(label=_("Nội dung liên quan"), choices=FeedbackTopic.choices)
    criteria_set = forms.ModelChoiceField(
        label=_("Bộ tiêu chí"), queryset=CriteriaSet.objects.none(), required=False
    )
    product = forms.ModelChoiceField(
        queryset=Product.objects.none(), required=False, widget=forms.HiddenInput
    )
    product_code = forms.CharField(
        label=_("Mã sản phẩm"),
        max_length=32,
        required=False,
        help_text=_("Ghi mã sản phẩm trong danh mục khi góp ý về một sản phẩm cụ thể."),
    )
    function_name = forms.CharField(
        label=_("Chức năng"),
        max_length=200,
        required=False,
        help_text=_("Ví dụ: Nhật ký công việc, Hàng chờ phê duyệt, Phiếu đánh giá."),
    )
    title = forms.CharField(label=_("Tiêu đề"), max_length=200)
    body = forms.CharField(label=_("Nội dung"), widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criteria_set"].queryset = CriteriaSet.objects.visible_to(user).order_by("code")
        self.products = Product.objects.visible_to(user)
        self.fields["product"].queryset = self.products

    def clean(self):
        data = super().clean()
        code = (data.get("product_code") or "").strip()
        if data.get("product") is None and code:
            matches = list(self.products.filter(code__iexact=code)[:2])
            if len(matches) != 1:
                self.add_error("product_code", _("Không tìm thấy đúng một sản phẩm có mã này."))
            else:
                data["product"] = matches[0]
        topic = data.get("topic")
        if data.get("product") is not None and topic != FeedbackTopic.PRODUCT:
            data["product"] = None  # a prefilled product is dropped when the topic changes
        if data.get("criteria_set") is not None and topic != FeedbackTopic.CRITERIA_SET:
            data["criteria_set"] = None
        if topic != FeedbackTopic.FUNCTION:
            data["function_name"] = ""
        return data


class AnswerForm(StyledFormMixin, forms.Form):
    answer = forms.CharField(label=_("Trả lời"), widget=forms.Textarea(attrs={"rows": 4}))


class AcceptForm(StyledFormMixin, forms.Form):
    resolution_version = forms.ModelChoiceField(
        label=_("Phiên bản bộ tiêu chí giải quyết"),
        queryset=CriteriaSetVersion.objects.none(),
        required=False,
    )
    resolution_product = forms.ModelChoiceField(
        label=_("Sản phẩm được sửa, bổ sung trong danh mục"),
        queryset=Product.objects.none(),
        required=False,
    )
    note = forms.CharField(
        label=_("Ghi chú xử lý"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, user, item: Feedback, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the kind of change that can resolve the item is offered.
        if item.topic == FeedbackTopic.CRITERIA_SET:
            del self.fields["resolution_product"]
            sets = CriteriaSet.objects.manageable_by(user)
            if item.criteria_set_id:
                sets = sets.filter(pk=item.criteria_set_id)
            versions = CriteriaSetVersion.objects.filter(criteria_set__in=sets).exclude(
                status=VersionStatus.DRAFT
            )
            self.fields["resolution_version"].queryset = versions.select_related("criteria_set")
        elif item.topic == FeedbackTopic.PRODUCT:
            del self.fields["resolution_version"]
            if item.product_id:
                unit_id, sector_id = item.product.owner_unit_id, item.product.owner_sector_id
            else:
                unit_id, sector_id = item.routed_to_unit_id, item.routed_to_sector_id
            products = Product.objects.manageable_by(user).filter(
                owner_unit=unit_id, owner_sector=sector_id
            )
            self.fields["resolution_product"].queryset = products.order_by("code")
            self.fields["resolution_product"].initial = item.product_id
        else:
            del self.fields["resolution_version"]
            del self.fields["resolution_product"]


class DeclineForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Lý do không chấp nhận"), widget=forms.Textarea(attrs={"rows": 3})
    )


class RegisterFilterForm(StyledFormMixin, forms.Form):
    status = forms.ChoiceField(
        label=_("Trạng thái"), choices=[("", _("Tất cả")), *FeedbackStatus.choices], required=False
    )
    kind = forms.ChoiceField(
        label=_("Loại"), choices=[("", _("Tất cả")), *FeedbackKind.choices], required=False
    )
    topic = forms.ChoiceField(
        label=_("Nội dung liên quan"),
        choices=[("", _("Tất cả")), *FeedbackTopic.choices],
        required=False,
    )

    def apply(self, items):
        if not self.is_valid():
            return items
        for name in ("status", "kind", "topic"):
            if self.cleaned_data.get(name):
                items = items.filter(**{name: self.cleaned_data[name]})
        return items
