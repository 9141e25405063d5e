"""Links from screens to their section of the user guide, and the first-login tour's switch."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def help_link(role: str, anchor: str = "") -> str:
    """A small "?" link to a guide section, e.g. {% help_link "staff" "ghi-nhan-san-pham" %}."""
    url = reverse("guide:role", args=[role]) + (f"#{anchor}" if anchor else "")
    label = _("Xem hướng dẫn cho màn hình này")
    return format_html(
        '<a class="help-link badge rounded-pill text-bg-light border align-middle fs-6 '
        'text-decoration-none" href="{}" aria-label="{}" title="{}">?</a>',
        url,
        label,
        label,
    )


@register.simple_tag(takes_context=True)
def tour_pending(context) -> bool:
    """Staff who have not dismissed the first-login tour still see it."""
    from reports.models import GuideProgress  # the project package mounts reports, not the reverse

    user = getattr(context.get("request"), "user", None)
    if user is None or not user.is_authenticated or not hasattr(user, "person"):
        return False
    return not GuideProgress.objects.filter(user=user, dismissed_tour_at__isnull=False).exists()
