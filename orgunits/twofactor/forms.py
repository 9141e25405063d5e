"""Forms for entering a one-time code and for switching the second factor off."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django_otp import verify_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from kpi_portal.forms import StyledFormMixin

from .policy import confirmed_devices


class CodeForm(StyledFormMixin, forms.Form):
    """A six-digit authenticator code, or one recovery code, checked against the user's devices."""

    code = forms.CharField(
        label=_("Mã xác thực"),
        max_length=16,
        help_text=_("Mã 6 chữ số trong ứng dụng xác thực, hoặc một mã dự phòng."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )

    def __init__(self, *args, user, devices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.devices = devices
        self.device = None

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        devices = self.devices if self.devices is not None else confirmed_devices(self.user)
        # A recovery code tried against the authenticator would count as a failure there.
        devices = [d for d in devices if _fits(d, code)]
        for device in devices:
            self.device = verify_token(self.user, device.persistent_id, code)
            if self.device is not None:
                return code
        if any(not device.verify_is_allowed()[0] for device in devices):
            # django-otp doubles the wait after each failure, which stops guessing codes.
            raise forms.ValidationError(
                _("Đã nhập sai nhiều lần: hãy chờ ít giây rồi thử lại với mã mới nhất.")
            )
        raise forms.ValidationError(_("Mã không đúng hoặc đã hết hạn. Hãy nhập mã mới nhất."))


class DisableForm(StyledFormMixin, forms.Form):
    password = forms.CharField(
        label=_("Mật khẩu hiện tại"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("Mật khẩu không đúng."))
        return password


def _fits(device, code: str) -> bool:
    """Authenticator codes are all digits of the device's length; recovery codes are not."""
    looks_like_totp = code.isdigit() and len(code) == getattr(device, "digits", 6)
    return looks_like_totp == isinstance(device, TOTPDevice)
