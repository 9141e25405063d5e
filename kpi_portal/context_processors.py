from django.conf import settings
from django.utils.functional import SimpleLazyObject


def _navigation(request) -> dict[str, bool]:
    """Which menu entries the user gets; computed once per request, only if a template asks."""
    from orgunits import permissions

    user = request.user
    if not user.is_authenticated:
        return {}
    return {
        "directory": permissions.can_view_directory(user),
        "manage_units": permissions.can_manage_unit(user),
        "grant_roles": permissions.can_grant_roles(user),
        "leader": permissions.is_leader(user),
        "province_dashboard": permissions.can_view_province_dashboard(user),
        "has_person": hasattr(user, "person"),
        "audit_log": SimpleLazyObject(lambda: _can_view_audit(user)),
        "decider": SimpleLazyObject(lambda: _evaluation_right(user, "is_decider")),
        "hr_officer": SimpleLazyObject(lambda: _evaluation_right(user, "can_hr_check_any")),
        "quarterly_prepare": SimpleLazyObject(lambda: _report_right(user, "can_prepare_quarterly")),
        "quarterly_tracking": SimpleLazyObject(
            lambda: _report_right(user, "can_view_quarterly_tracking")
        ),
    }


def _report_right(user, name: str) -> bool:
    """A menu right of the reports app, asked only when the menu is drawn."""
    from reports import permissions as report_permissions

    return getattr(report_permissions, name)(user)


def _evaluation_right(user, name: str) -> bool:
    """A menu right of the evaluation workflow, asked only when the menu is drawn."""
    from evaluations import permissions as evaluation_permissions

    return getattr(evaluation_permissions, name)(user)


def _can_view_audit(user) -> bool:
    from .audit_views import can_view_audit

    return can_view_audit(user)


def shell(request) -> dict:
    unread = SimpleLazyObject(
        lambda: (
            request.user.notifications.filter(read_at__isnull=True).count()
            if request.user.is_authenticated
            else 0
        )
    )
    return {
        "PROVINCE_NAME": settings.PROVINCE_NAME,
        "SYSTEM_NAME": settings.SYSTEM_NAME,
        "DEMO_MODE": settings.DEMO_MODE,
        "nav": SimpleLazyObject(lambda: _navigation(request)),
        "unread_notifications": unread,
    }
