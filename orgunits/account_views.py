from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from . import services
from .forms import ProfileForm
from .selectors import profile_summary


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.user_update_profile(user=request.user, by=request.user, **form.cleaned_data)
        messages.success(request, _("Đã lưu hồ sơ."))
        return redirect("accounts:profile")
    context = {"form": form, **profile_summary(request.user, timezone.localdate())}
    return render(request, "accounts/profile.html", context)


@login_required
def personal_data(request):
    """The signed-in person's own data: an overview, or the JSON / PDF download."""
    # kpi_portal gathers records from every app; importing it here keeps orgunits' import light.
    from kpi_portal import audit
    from kpi_portal import personal_data as data

    kind = request.GET.get("format")
    if kind not in ("json", "pdf"):
        sections = [
            {"title": t, "count": rows.count()} for _k, t, rows in data.sections(request.user)
        ]
        return render(request, "accounts/personal_data.html", {"sections": sections})
    audit.record(by=request.user, action="personal_data.download", obj=request.user, reason=kind)
    body, content_type = (
        (data.as_json(request.user), "application/json")
        if kind == "json"
        else (data.as_pdf(request.user), "application/pdf")
    )
    response = HttpResponse(body, content_type=content_type)
    stamp = timezone.localdate().strftime("%Y%m%d")
    name = f"du-lieu-ca-nhan-{request.user.username}-{stamp}.{kind}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
