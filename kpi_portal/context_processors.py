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
    }


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
