from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from orgunits.selectors import home_summary


@login_required
def home(request):
    return render(request, "home.html", home_summary(request.user, timezone.localdate()))


def error_404(request, exception=None):
    return render(request, "errors/404.html", status=404)


def error_403(request, exception=None):
    return render(request, "errors/403.html", status=403)


def error_500(request):
    return render(request, "errors/500.html", status=500)
