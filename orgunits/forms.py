from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kpi_portal.forms import StyledFormMixin

from . import selectors
from .models import AssignmentRole, OrgUnit, Person, Role, Sector, User


class ProfileForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = ["email", "email_notifications"]


NBSP = "\u00a0"  # plain spaces collapse inside <option>


class UnitChoiceField(forms.ModelChoiceField):
    """Units indented by depth, with their code, so a long province list stays readable."""

    def label_from_instance(self, obj: OrgUnit) -> str:
        return f"{NBSP * 2 * (obj.depth - 1)}{obj.name} ({obj.code})"


def _reason(required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=_("Lý do, căn cứ"),
        max_length=500,
        required=required,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _day(label, required: bool = True, today: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label, required=required, initial=timezone.localdate if today else None
    )


class UnitForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = OrgUnit
        fields = ["code", "name", "short_name", "kind", "bloc", "sector", "active_from"]


class UnitEditForm(UnitForm):
    reason = _reason()

    class Meta(UnitForm.Meta):
        # The code is the key that import and export match on, so it is not edited here.
        fields = ["name", "short_name", "kind", "bloc", "sector", "active_from"]


class UnitMoveForm(StyledFormMixin, forms.Form):
    new_parent = UnitChoiceField(label=_("Chuyển về trực thuộc"), queryset=OrgUnit.objects.none())
    reason = _reason()

    def __init__(self, *args, unit: OrgUnit, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_parent"].queryset = targets.exclude(path__startswith=unit.path)


class UnitCloseForm(StyledFormMixin, forms.Form):
    on = _day(_("Ngừng hoạt động từ ngày"))
    reason = _reason(required=True)


class UnitMergeForm(StyledFormMixin, forms.Form):
    into = UnitChoiceField(label=_("Sáp nhập vào đơn vị"), queryset=OrgUnit.objects.none())
    on = _day(_("Ngày sáp nhập"))
    reason = _reason(required=True)

    def __init__(self, *args, unit: OrgUnit, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = targets.exclude(path__startswith=unit.path)


class PersonForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Person
        fields = [
            "full_name",
            "date_of_birth",
            "gender",
            "category",
            "position_title",
            "job_position",
            "party_member",
            "hrmis_code",
            "email",
            "phone",
        ]


class PersonEditForm(PersonForm):
    reason = _reason()


class PersonCreateForm(PersonForm):
    role = forms.ChoiceField(
        label=_("Vai trò tại đơn vị"), choices=AssignmentRole.choices, initial=AssignmentRole.STAFF
    )
    start = _day(_("Công tác tại đơn vị từ ngày"))
    username = forms.CharField(
        label=_("Tên đăng nhập"),
        max_length=150,
        required=False,
        help_text=_("Để trống thì dùng mã HRMIS viết thường."),
    )

    def clean(self):
        data = super().clean()
        username = data.get("username") or (data.get("hrmis_code") or "").lower()
        if username and User.objects.filter(username__iexact=username).exists():
            self.add_error("username", _("Tên đăng nhập “%s” đã có người dùng.") % username)
        data["username"] = username
        return data


class TransferForm(StyledFormMixin, forms.Form):
    to_unit = UnitChoiceField(label=_("Đơn vị công tác mới"), queryset=OrgUnit.objects.none())
    role = forms.ChoiceField(label=_("Vai trò"), choices=AssignmentRole.choices)
    on = _day(_("Từ ngày"))
    reason = _reason()

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_unit"].queryset = targets


class SecondaryAssignmentForm(StyledFormMixin, forms.Form):
    unit = UnitChoiceField(label=_("Đơn vị kiêm nhiệm"), queryset=OrgUnit.objects.none())
    role = forms.ChoiceField(label=_("Vai trò"), choices=AssignmentRole.choices)
    start = _day(_("Từ ngày"))
    end = _day(_("Đến ngày"), required=False, today=False)

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = targets


class EndForm(StyledFormMixin, forms.Form):
    on = _day(_("Kết thúc vào ngày"))
    reason = _reason()


class DeactivateForm(StyledFormMixin, forms.Form):
    on = _day(_("Nghỉ việc từ ngày"))
    reason = _reason(required=True)


class RoleGrantForm(StyledFormMixin, forms.Form):
    account = forms.CharField(
        label=_("Tài khoản"),
        max_length=150,
        help_text=_("Tên đăng nhập hoặc mã HRMIS của người được phân quyền."),
    )
    role = forms.ChoiceField(label=_("Vai trò"), choices=Role.choices)
    sector = forms.ModelChoiceField(
        label=_("Ngành, lĩnh vực"),
        queryset=Sector.objects.all(),
        required=False,
        help_text=_("Chỉ dùng cho quản trị ngành: giới hạn thêm theo ngành."),
    )
    valid_from = _day(_("Từ ngày"))
    valid_to = _day(_("Đến hết ngày"), required=False, today=False)

    def __init__(self, *args, unit: OrgUnit, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit = unit

    def clean(self):
        data = super().clean()
        role = data.get("role")
        if role == Role.SYSTEM_ADMIN and not self.unit.is_root():
            self.add_error("role", _("Quản trị hệ thống chỉ được phân quyền tại cấp tỉnh."))
        if data.get("sector") and role != Role.SECTOR_ADMIN:
            self.add_error("sector", _("Chỉ dùng ngành, lĩnh vực khi phân quyền quản trị ngành."))
        return data

    def clean_account(self) -> User:
        value = self.cleaned_data["account"].strip()
        user = User.objects.filter(
            Q(username__iexact=value) | Q(person__hrmis_code__iexact=value)
        ).first()
        if user is None:
            raise forms.ValidationError(_("Không tìm thấy tài khoản “%s”.") % value)
        if not user.is_active:
            raise forms.ValidationError(_("Tài khoản “%s” đã bị khóa.") % value)
        return user


class RevokeGrantForm(StyledFormMixin, forms.Form):
    on = _day(_("Thu hồi từ ngày"))
    reason = _reason()


class DelegationForm(StyledFormMixin, forms.Form):
    delegate = forms.ModelChoiceField(
        label=_("Người được ủy quyền"), queryset=Person.objects.none()
    )
    valid_from = _day(_("Từ ngày"))
    valid_to = _day(_("Đến hết ngày"), today=False)
    reason = _reason(required=True)

    def __init__(self, *args, unit: OrgUnit, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit = unit
        self.fields["delegate"].queryset = selectors.delegation_candidates(
            unit, timezone.localdate()
        )

    def clean(self):
        data = super().clean()
        if data.get("valid_from"):
            data["delegator"] = selectors.unit_head_on(self.unit, data["valid_from"])
            if data["delegator"] is None:
                raise forms.ValidationError(
                    _("Đơn vị chưa có cấp trưởng vào ngày bắt đầu ủy quyền.")
                )
        if data.get("delegate") and data.get("delegate") == data.get("delegator"):
            self.add_error("delegate", _("Không thể tự ủy quyền cho chính mình."))
        return data


class RevokeDelegationForm(StyledFormMixin, forms.Form):
    reason = _reason()
