from django.contrib import messages
from django.contrib.auth.decorators import login_required
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
