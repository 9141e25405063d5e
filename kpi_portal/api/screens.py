"""/api/tai-khoan-may/: system administrators create and revoke machine accounts."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kpi_portal.api_models import ApiToken

from . import tokens
from .forms import TokenForm


def _require_admin(user) -> None:
    if not tokens.can_manage_tokens(user):
        raise PermissionDenied


@login_required
def token_list(request):
    _require_admin(request.user)
    form = TokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        _token, new_key = tokens.token_create(by=request.user, **form.cleaned_data)
        form = TokenForm()
    # The key is shown in this response only: it is stored as a hash and cannot be shown again.
    rows = ApiToken.objects.select_related("unit", "created_by")
    return render(request, "api/tokens.html", {"form": form, "tokens": rows, "new_key": new_key})


@login_required
@require_POST
def token_revoke(request, pk: int):
    _require_admin(request.user)
    token = get_object_or_404(ApiToken, pk=pk)
    tokens.token_revoke(by=request.user, token=token, reason=request.POST.get("reason", ""))
    messages.success(request, _("Đã thu hồi khóa API %(name)s.") % {"name": token.name})
    return redirect("api:tokens")
