"""A small province for tests: two blocs, an agency with sibling units A and B, depth six.

Tỉnh → Khối Chính quyền → Sở Thử nghiệm → Phòng A → Tổ A1 → Nhóm A1a
                                     └→ Phòng B
     → Khối Đảng → Ban Tổ chức
"""

from datetime import date

from orgunits import services
from orgunits.models import AssignmentRole, Bloc, OrgUnit, Role, UnitKind, User

START = date(2025, 7, 1)
PASSWORD = "mat-khau-thu-nghiem-2026"

PERSONAS = {
    # username: (unit code, assignment role)
    "staff_a": ("T-A", AssignmentRole.STAFF),
    "staff_a2": ("T-A", AssignmentRole.STAFF),
    "head_a": ("T-A", AssignmentRole.HEAD),
    "deputy_a": ("T-A", AssignmentRole.DEPUTY),
    "staff_a1a": ("T-A1a", AssignmentRole.STAFF),
    "head_agency": ("T-SO", AssignmentRole.HEAD),
    "outsider_b": ("T-B", AssignmentRole.STAFF),
    "head_b": ("T-B", AssignmentRole.HEAD),
    "hr_officer": ("T-SO", AssignmentRole.STAFF),
    "org_dept_viewer": ("T-BTC", AssignmentRole.STAFF),
    "party_viewer": ("T-BTC", AssignmentRole.STAFF),
    "sector_admin": ("T-SO", AssignmentRole.STAFF),
    "system_admin": ("T-SO", AssignmentRole.STAFF),
}

GRANTS = {
    "hr_officer": (Role.HR_OFFICER, "T-SO"),
    "org_dept_viewer": (Role.ORG_DEPT_VIEWER, "T-CQ"),
    "party_viewer": (Role.ORG_DEPT_VIEWER, "T-DANG"),
    "sector_admin": (Role.SECTOR_ADMIN, "T-SO"),
    "system_admin": (Role.SYSTEM_ADMIN, "T-ROOT"),
}

TREE = [
    # code, name, kind, bloc, parent code
    ("T-ROOT", "Tỉnh Thử nghiệm", UnitKind.PROVINCE, "", None),
    ("T-CQ", "Khối Chính quyền", UnitKind.BLOC, Bloc.GOVERNMENT, "T-ROOT"),
    ("T-SO", "Sở Thử nghiệm", UnitKind.AGENCY, Bloc.GOVERNMENT, "T-CQ"),
    ("T-A", "Phòng A", UnitKind.DEPARTMENT, Bloc.GOVERNMENT, "T-SO"),
    ("T-A1", "Tổ A1", UnitKind.TEAM, Bloc.GOVERNMENT, "T-A"),
    ("T-A1a", "Nhóm A1a", UnitKind.TEAM, Bloc.GOVERNMENT, "T-A1"),
    ("T-B", "Phòng B", UnitKind.DEPARTMENT, Bloc.GOVERNMENT, "T-SO"),
    ("T-DANG", "Khối Đảng", UnitKind.BLOC, Bloc.PARTY, "T-ROOT"),
    ("T-BTC", "Ban Tổ chức", UnitKind.AGENCY, Bloc.PARTY, "T-DANG"),
]


def build() -> None:
    if User.objects.filter(username="staff_a").exists():
        return
    system = User.objects.create_superuser("root", password=PASSWORD)
    units: dict[str, OrgUnit] = {}
    for code, name, kind, bloc, parent in TREE:
        units[code] = services.unit_create(
            by=system,
            parent=units.get(parent),
            code=code,
            name=name,
            kind=kind,
            bloc=bloc,
            active_from=START,
        )
    for index, (username, (unit_code, role)) in enumerate(PERSONAS.items()):
        services.person_create(
            by=system,
            username=username,
            password=PASSWORD,
            unit=units[unit_code],
            start=START,
            role=role,
            full_name=f"Nguyễn Văn {username}",
            category="cong_chuc",
            hrmis_code=f"HR{index:04d}",
        )
    for username, (role, unit_code) in GRANTS.items():
        services.role_grant(
            user=User.objects.get(username=username),
            role=role,
            unit=units[unit_code],
            valid_from=START,
            by=system,
        )


# Quarterly reporting bodies (issue 11): Sở Thử nghiệm plays Sở Nội vụ for the government bloc
# (prepared by hr_officer and head_agency); Ban Tổ chức reports the Party bloc with no preparer,
# so it is always the missing body. Both report to Ban Tổ chức (reviewed by party_viewer).
REPORTING_BODIES = [
    # unit code, covered root, kind
    ("T-SO", "T-CQ", "government"),
    ("T-BTC", "T-DANG", "party"),
]


def reporting_bodies() -> dict:
    """Create (once) and return the quarterly reporting bodies by unit code; call after build()."""
    from reports.models import ReportingBody

    bodies = {}
    for unit_code, root_code, kind in REPORTING_BODIES:
        body, created = ReportingBody.objects.get_or_create(
            unit=OrgUnit.objects.get(code=unit_code),
            defaults={"kind": kind, "receiver": OrgUnit.objects.get(code="T-BTC")},
        )
        if created:
            body.covers.set([OrgUnit.objects.get(code=root_code)])
        bodies[unit_code] = body
    return bodies
