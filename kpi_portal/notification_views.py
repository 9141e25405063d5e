"""Thông báo: the signed-in user's in-app notifications; nobody sees anyone else's."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .models import Notification

PAGE_SIZE = 30


def get_notification_for_user(user, pk: int) -> Notification:
    return get_object_or_404(Notification, pk=pk, recipient=user)


def _mark_read(notifications) -> int:
    return notifications.filter(read_at__isnull=True).update(read_at=timezone.now())


@login_required
def notification_list(request):
    notifications = request.user.notifications.all()
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "has_unread": notifications.filter(read_at__isnull=True).exists()}
    return render(request, "kpi_portal/notifications.html", context)


@login_required
def notification_open(request, pk: int):
    """Follow a notification's link, marking it read on the way."""
    notification = get_notification_for_user(request.user, pk)
    _mark_read(Notification.objects.filter(pk=notification.pk))
    target = notification.url
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notifications")


@login_required
@require_POST
def notification_read(request, pk: int):
    notification = get_notification_for_user(request.user, pk)
    _mark_read(Notification.objects.filter(pk=notification.pk))
    return redirect("notifications")


@login_required
@require_POST
def notifications_read_all(request):
    count = _mark_read(request.user.notifications.all())
    messages.success(request, _("Đã đánh dấu %(c)s thông báo là đã đọc.") % {"c": count})
    return redirect("notifications")
