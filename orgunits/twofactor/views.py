"""Screens to set up, enter, renew and switch off the second factor."""

from base64 import b32encode

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from . import services
from .forms import CodeForm, DisableForm
from .middleware import forget_gate
from .policy import has_authenticator, requires_two_factor

NEW_CODES_KEY = "twofactor_new_codes"


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure())
    return target if safe else "/"


@login_required
def overview(request):
    context = {
        "enabled": has_authenticator(request.user),
        "required": requires_two_factor(request.user),
        "verified": request.user.is_verified(),
    }
    return render(request, "accounts/twofactor/overview.html", context)


@login_required
def setup(request):
    if has_authenticator(request.user) and not request.user.is_verified():
        return redirect("twofactor:verify")
    device = services.totp_device_pending(user=request.user)
    form = CodeForm(request.POST or None, user=request.user, devices=[device])
    if request.method == "POST" and form.is_valid():
        codes = services.two_factor_enable(user=request.user, device=device, by=request.user)
        otp_login(request, device)
        forget_gate(request)
        request.session[NEW_CODES_KEY] = codes
        messages.success(request, _("Đã bật xác thực hai lớp."))
        return redirect("twofactor:recovery_codes")
    qr = segno.make(device.config_url, error="m")
    context = {"form": form, "qr_svg": qr.svg_inline(scale=5), "secret": _base32(device)}
    return render(request, "accounts/twofactor/setup.html", context)


@login_required
def verify(request):
    form = CodeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        otp_login(request, form.device)
        return redirect(_next_url(request))
    context = {"form": form, "next": _next_url(request)}
    return render(request, "accounts/twofactor/verify.html", context)


@login_required
def recovery_codes(request):
    """Show freshly made recovery codes exactly once."""
    codes = request.session.pop(NEW_CODES_KEY, None)
    if codes is None:
        return redirect("twofactor:overview")
    return render(request, "accounts/twofactor/recovery_codes.html", {"codes": codes})


@login_required
@require_POST
def recovery_codes_regenerate(request):
    if not request.user.is_verified():
        return redirect("twofactor:verify")
    codes = services.recovery_codes_regenerate(user=request.user, by=request.user)
    request.session[NEW_CODES_KEY] = codes
    return redirect("twofactor:recovery_codes")


@login_required
def disable(request):
    if not has_authenticator(request.user):
        return redirect("twofactor:overview")
    if not request.user.is_verified():
        return redirect("twofactor:verify")
    form = DisableForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.two_factor_disable(user=request.user, by=request.user)
        request.session.pop("otp_device_id", None)
        forget_gate(request)
        messages.success(request, _("Đã tắt xác thực hai lớp."))
        return redirect("twofactor:overview")
    context = {"form": form, "required": requires_two_factor(request.user)}
    return render(request, "accounts/twofactor/disable.html", context)


def _base32(device) -> str:
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
