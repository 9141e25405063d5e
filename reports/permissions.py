"""What a user may do with dashboards and exports, as predicates; templates receive the booleans."""

from __future__ import annotations

from django.utils import timezone

from orgunits import roles
from orgunits.models import OrgUnit, Role, User
from orgunits.querysets import ALL, covers, prefix_q, scope_paths

# ---- exports (báo cáo của tôi) --------------------------------------------------------------


def exportable_units(user: User):
    """Units whose reports the user may export: the subtrees they oversee, not merely work in."""
    if not user.is_authenticated:
        return OrgUnit.objects.none()
    paths = scope_paths(user)
    units = OrgUnit.objects.all() if paths == ALL else OrgUnit.objects.filter(prefix_q(paths))
    return units.order_by("path")


def can_export_unit(user: User, unit: OrgUnit) -> bool:
    """A unit-wide report shows every colleague's scores, so it needs oversight of the unit."""
    if not user.is_authenticated:
        return False
    return covers(scope_paths(user), unit.path)


def can_export_units(user: User) -> bool:
    return user.is_authenticated and scope_paths(user) != ()


def can_request_exports(user: User) -> bool:
    """Overseers export their units; anyone with a staff record exports their own papers."""
    return user.is_authenticated and (can_export_units(user) or hasattr(user, "person"))


def _owns_or_administers(user: User, export) -> bool:
    if not user.is_authenticated:
        return False
    return export.requested_by_id == user.pk or roles.is_system_admin(user, timezone.localdate())


def can_download_export(user: User, export) -> bool:
    """Only the requester (or a system administrator), only a finished, unexpired file."""
    return (
        export.is_done
        and bool(export.file)
        and not export.is_expired()
        and _owns_or_administers(user, export)
    )


def can_retry_export(user: User, export) -> bool:
    return export.is_failed and _owns_or_administers(user, export)


# ---- dashboards (rollups) -------------------------------------------------------------------


def dashboard_paths(user: User, on=None) -> tuple[str, ...]:
    """Subtrees whose province/bloc dashboards the user reads: all for system admins."""
    if not user.is_authenticated:
        return ()
    on = on or timezone.localdate()
    if roles.is_system_admin(user, on):
        return ALL
    return tuple(sorted(roles.granted_paths(user, on, (Role.ORG_DEPT_VIEWER,))))


def can_view_province_dashboard(user: User, unit: OrgUnit | None = None, on=None) -> bool:
    """Organization departments (Ban Tổ chức, Sở Nội vụ) on their bloc, and system admins."""
    if not user.is_authenticated:
        return False
    on = on or timezone.localdate()
    return roles.is_system_admin(user, on) or roles.has_role(user, on, Role.ORG_DEPT_VIEWER, unit)


def can_view_team_dashboard(user: User, on=None) -> bool:
    """Heads, deputies and live delegates see the progress of the units they lead."""
    if not user.is_authenticated:
        return False
    return bool(roles.leader_paths(user, on or timezone.localdate()))


def can_view_personal_dashboard(user: User) -> bool:
    return user.is_authenticated and hasattr(user, "person")


def person_dashboard_paths(user: User, on=None) -> tuple[str, ...]:
    """Where the user may open someone's rollup history: dashboards' subtrees and led units."""
    paths = dashboard_paths(user, on)
    if paths == ALL:
        return ALL
    return paths + tuple(sorted(roles.leader_paths(user, on or timezone.localdate())))


# ---- feedback and proposals (góp ý, kiến nghị) ----------------------------------------------


def can_send_feedback(user: User) -> bool:
    """Anyone signed in reports a difficulty or proposes a change."""
    return user.is_authenticated


def can_handle_feedback(user: User, item=None, on=None) -> bool:
    """Sector admins answer what is routed to their reach; system admins answer everything."""
    if not user.is_authenticated:
        return False
    on = on or timezone.localdate()
    if item is None:
        return roles.is_system_admin(user, on) or roles.has_role(user, on, Role.SECTOR_ADMIN)
    from .models import Feedback

    return Feedback.objects.handled_by(user, on).filter(pk=item.pk).exists()


def can_view_feedback_register(user: User, on=None) -> bool:
    """The register (sổ theo dõi) is for owners, organization departments and system admins."""
    if not user.is_authenticated:
        return False
    on = on or timezone.localdate()
    return can_handle_feedback(user, None, on) or roles.has_role(user, on, Role.ORG_DEPT_VIEWER)


# ---- quarterly report flow between bodies (báo cáo quý) -------------------------------------
# Preparers: HR officers granted on the reporting body's own unit, its head, or the head's live
# delegate. Reviewers: organization-department viewers whose grant covers the receiving unit
# (Ban Tổ chức Tỉnh ủy). System admins read everything and change nothing.


def can_prepare_quarterly(user: User, body=None, on=None) -> bool:
    """Edit and submit the body's report (any body's, when None)."""
    from .models import ReportingBody

    bodies = ReportingBody.objects.prepared_by(user, on)
    return bodies.exists() if body is None else bodies.filter(pk=body.pk).exists()


def can_review_quarterly(user: User, body=None, on=None) -> bool:
    """Return, accept and consolidate the reports sent to Ban Tổ chức (any body's, when None)."""
    from .models import ReportingBody

    bodies = ReportingBody.objects.reviewed_by(user, on)
    return bodies.exists() if body is None else bodies.filter(pk=body.pk).exists()


def can_view_quarterly_tracking(user: User, on=None) -> bool:
    """Who has submitted: Ban Tổ chức's reviewers and system admins."""
    if not user.is_authenticated:
        return False
    on = on or timezone.localdate()
    return roles.is_system_admin(user, on) or can_review_quarterly(user, None, on)


# ---- the pilot: adoption dashboard, sơ kết pack, last year's manual ratings -----------------


def can_view_adoption(user: User, unit: OrgUnit | None = None, on=None) -> bool:
    """Who reads the province dashboards reads the pilot's adoption, on the same subtrees."""
    if not can_view_province_dashboard(user, on=on):
        return False
    return unit is None or covers(dashboard_paths(user, on), unit.path)


def can_request_pilot_pack(user: User, unit: OrgUnit | None = None, on=None) -> bool:
    """The sơ kết pack: organization departments and system admins, on their subtrees."""
    return can_view_adoption(user, unit, on)


def baseline_paths(user: User, on=None) -> tuple[str, ...]:
    """Where the user enters last year's manual ratings: all for system admins, else HR grants."""
    if not user.is_authenticated:
        return ()
    on = on or timezone.localdate()
    if roles.is_system_admin(user, on):
        return ALL
    return tuple(sorted(roles.granted_paths(user, on, (Role.HR_OFFICER,))))


def can_enter_baseline(user: User, unit: OrgUnit | None = None, on=None) -> bool:
    """HR officers (cán bộ tổ chức) hold last year's results of their units; admins, all."""
    paths = baseline_paths(user, on)
    if unit is None:
        return paths != ()
    return covers(paths, unit.path)
