"""Granting and revoking roles, creating and revoking delegations, from the app."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from kpi_portal.models import AuditEvent
from orgunits import permissions, services
from orgunits.models import Delegation, OrgUnit, Person, Role, RoleGrant, Sector

pytestmark = pytest.mark.django_db

ACCESS_PAGE = {
    None: 302,
    "staff_a": 403,
    "deputy_a": 403,
    "head_a": 200,  # lends the unit's approval rights
    "head_b": 404,
    "outsider_b": 404,
    "hr_officer": 403,
    "org_dept_viewer": 403,
    "party_viewer": 404,
    "sector_admin": 403,  # configures units and people, but grants no rights
    "system_admin": 200,
}

GRANT_FORMS = {**ACCESS_PAGE, "head_a": 403}

# The hr_officer's grant sits on Sở Thử nghiệm, above Phòng A.
REVOKE_AGENCY_GRANT = {
    None: 302,
    "staff_a": 404,
    "head_a": 404,
    "head_b": 404,
    "hr_officer": 403,
    "org_dept_viewer": 403,
    "party_viewer": 404,
    "sector_admin": 403,
    "system_admin": 200,
}


def _d(day: date) -> str:
    return day.strftime("%d/%m/%Y")


@pytest.fixture
def delegation(units, head_a, staff_a2, today):
    return services.delegation_create(
        unit=units["T-A"],
        delegator=head_a.person,
        delegate=staff_a2.person,
        valid_from=today,
        valid_to=today + timedelta(days=30),
        reason="Đi công tác",
        by=head_a,
    )


@pytest.mark.parametrize(("persona", "expected"), ACCESS_PAGE.items())
def test_access_page_answers_by_right(status_for, units, persona, expected):
    assert status_for(persona, reverse("orgunits:unit_access", args=[units["T-A"].pk])) == expected


@pytest.mark.parametrize(("persona", "expected"), ACCESS_PAGE.items())
def test_delegation_form_answers_by_right(status_for, units, persona, expected):
    url = reverse("orgunits:delegation_create", args=[units["T-A"].pk])
    assert status_for(persona, url) == expected


@pytest.mark.parametrize(("persona", "expected"), ACCESS_PAGE.items())
def test_delegation_revoke_answers_by_right(status_for, delegation, persona, expected):
    url = reverse("orgunits:delegation_revoke", args=[delegation.pk])
    assert status_for(persona, url) == expected


@pytest.mark.parametrize(("persona", "expected"), GRANT_FORMS.items())
def test_role_grant_form_is_for_system_admins(status_for, units, persona, expected):
    url = reverse("orgunits:role_grant", args=[units["T-A"].pk])
    assert status_for(persona, url) == expected


@pytest.mark.parametrize(("persona", "expected"), REVOKE_AGENCY_GRANT.items())
def test_role_revoke_form_is_for_system_admins(status_for, persona, expected):
    grant = RoleGrant.objects.get(user__username="hr_officer")
    url = reverse("orgunits:role_revoke", args=[grant.pk])
    assert status_for(persona, url) == expected


def test_unit_page_links_to_access_only_for_those_who_may_use_it(
    client_for, units, head_a, sector_admin
):
    url = reverse("orgunits:unit_detail", args=[units["T-A"].pk])
    access = reverse("orgunits:unit_access", args=[units["T-A"].pk])
    assert access in client_for(head_a).get(url).content.decode()
    assert access not in client_for(sector_admin).get(url).content.decode()


def test_system_admin_grants_a_role_by_hrmis_code(client_for, units, staff_a, system_admin, today):
    response = client_for(system_admin).post(
        reverse("orgunits:role_grant", args=[units["T-A"].pk]),
        {"account": staff_a.person.hrmis_code, "role": Role.HR_OFFICER, "valid_from": _d(today)},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("orgunits:unit_access", args=[units["T-A"].pk])
    grant = RoleGrant.objects.get(user=staff_a)
    assert (grant.role, grant.unit, grant.granted_by) == (
        Role.HR_OFFICER,
        units["T-A"],
        system_admin,
    )
    assert permissions.can_hr_check(staff_a, units["T-A1a"])
    assert AuditEvent.objects.filter(action="role.grant", object_id=str(grant.pk)).exists()


def test_granting_to_an_unknown_account_says_so_and_writes_nothing(
    client_for, units, system_admin, today
):
    grants = RoleGrant.objects.count()
    response = client_for(system_admin).post(
        reverse("orgunits:role_grant", args=[units["T-A"].pk]),
        {"account": "khong-co-ai", "role": Role.HR_OFFICER, "valid_from": _d(today)},
    )
    assert "Không tìm thấy tài khoản “khong-co-ai”." in response.content.decode()
    assert RoleGrant.objects.count() == grants


def test_granting_with_an_end_before_the_start_is_refused(client_for, units, staff_a, system_admin):
    response = client_for(system_admin).post(
        reverse("orgunits:role_grant", args=[units["T-A"].pk]),
        {
            "account": "staff_a",
            "role": Role.SECTOR_ADMIN,
            "valid_from": "01/12/2026",
            "valid_to": "01/11/2026",
        },
    )
    assert "Ngày kết thúc phải sau ngày bắt đầu." in response.content.decode()
    assert not RoleGrant.objects.filter(user=staff_a).exists()


def test_system_admin_role_is_granted_only_at_the_province(
    client_for, units, staff_a, system_admin, today
):
    response = client_for(system_admin).post(
        reverse("orgunits:role_grant", args=[units["T-A"].pk]),
        {"account": "staff_a", "role": Role.SYSTEM_ADMIN, "valid_from": _d(today)},
    )
    assert "Quản trị hệ thống chỉ được phân quyền tại cấp tỉnh." in response.content.decode()
    assert not RoleGrant.objects.filter(user=staff_a).exists()


def test_a_sector_limits_only_a_sector_admin_grant(client_for, units, staff_a, system_admin, today):
    sector = Sector.objects.create(code="YT", name="Y tế")
    response = client_for(system_admin).post(
        reverse("orgunits:role_grant", args=[units["T-A"].pk]),
        {
            "account": "staff_a",
            "role": Role.HR_OFFICER,
            "sector": sector.pk,
            "valid_from": _d(today),
        },
    )
    assert "Chỉ dùng ngành, lĩnh vực khi phân quyền quản trị ngành." in response.content.decode()
    client_for(system_admin).post(
        reverse("orgunits:role_grant", args=[units["T-A"].pk]),
        {
            "account": "staff_a",
            "role": Role.SECTOR_ADMIN,
            "sector": sector.pk,
            "valid_from": _d(today),
        },
    )
    assert RoleGrant.objects.get(user=staff_a).sector == sector


def test_revoking_a_role_ends_its_scope(client_for, units, hr_officer, system_admin, today):
    grant = RoleGrant.objects.get(user=hr_officer)
    response = client_for(system_admin).post(
        reverse("orgunits:role_revoke", args=[grant.pk]), {"on": _d(today), "reason": "Nghỉ"}
    )
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.valid_to == today - timedelta(days=1)
    hr = type(hr_officer).objects.get(pk=hr_officer.pk)  # a fresh user: no cached scope
    assert not permissions.can_hr_check(hr, units["T-A"])
    assert not OrgUnit.objects.visible_to(hr).filter(pk=units["T-A"].pk).exists()


def test_head_delegates_to_the_deputy_and_the_record_names_the_head(
    client_for, units, head_a, deputy_a, staff_a, today
):
    response = client_for(head_a).post(
        reverse("orgunits:delegation_create", args=[units["T-A"].pk]),
        {
            "delegate": deputy_a.person.pk,
            "valid_from": _d(today),
            "valid_to": _d(today + timedelta(days=7)),
            "reason": "Nghỉ phép",
        },
    )
    assert response.status_code == 302
    delegation = Delegation.objects.get(unit=units["T-A"])
    assert (delegation.delegator, delegation.delegate) == (head_a.person, deputy_a.person)
    event = AuditEvent.objects.get(action="delegation.create", object_id=str(delegation.pk))
    assert (event.actor, event.on_behalf_of) == (head_a, head_a)
    assert permissions.can_approve_for(deputy_a, Person.objects.get(user=staff_a), on=today)


def test_system_admin_records_a_delegation_for_the_head(
    client_for, units, head_a, staff_a, system_admin, today
):
    client_for(system_admin).post(
        reverse("orgunits:delegation_create", args=[units["T-A"].pk]),
        {
            "delegate": staff_a.person.pk,
            "valid_from": _d(today),
            "valid_to": _d(today),
            "reason": "Ký thay",
        },
    )
    delegation = Delegation.objects.get(unit=units["T-A"])
    assert delegation.delegator == head_a.person
    event = AuditEvent.objects.get(action="delegation.create")
    assert (event.actor, event.on_behalf_of) == (system_admin, head_a)


def test_a_unit_without_a_head_cannot_delegate(client_for, units, staff_a1a, system_admin, today):
    response = client_for(system_admin).post(
        reverse("orgunits:delegation_create", args=[units["T-A1a"].pk]),
        {
            "delegate": staff_a1a.person.pk,
            "valid_from": _d(today),
            "valid_to": _d(today),
            "reason": "Thử",
        },
    )
    assert "Đơn vị chưa có cấp trưởng vào ngày bắt đầu ủy quyền." in response.content.decode()
    assert not Delegation.objects.exists()


def test_delegating_to_someone_outside_the_unit_is_refused(
    client_for, units, head_a, outsider_b, today
):
    response = client_for(head_a).post(
        reverse("orgunits:delegation_create", args=[units["T-A"].pk]),
        {
            "delegate": outsider_b.person.pk,
            "valid_from": _d(today),
            "valid_to": _d(today),
            "reason": "Thử",
        },
    )
    assert "Hãy chọn một lựa chọn hợp lệ" in response.content.decode()
    assert not Delegation.objects.exists()


def test_a_head_cannot_delegate_to_themself(client_for, units, head_a, system_admin, today):
    response = client_for(system_admin).post(
        reverse("orgunits:delegation_create", args=[units["T-A"].pk]),
        {
            "delegate": head_a.person.pk,
            "valid_from": _d(today),
            "valid_to": _d(today),
            "reason": "Thử",
        },
    )
    assert "Không thể tự ủy quyền cho chính mình." in response.content.decode()
    assert not Delegation.objects.exists()


def test_delegation_with_an_end_before_its_start_is_refused(
    client_for, units, head_a, deputy_a, today
):
    response = client_for(head_a).post(
        reverse("orgunits:delegation_create", args=[units["T-A"].pk]),
        {
            "delegate": deputy_a.person.pk,
            "valid_from": _d(today),
            "valid_to": _d(today - timedelta(days=1)),
            "reason": "Thử",
        },
    )
    assert "Ngày kết thúc ủy quyền phải sau ngày bắt đầu." in response.content.decode()
    assert not Delegation.objects.exists()


def test_revoking_a_delegation_takes_the_rights_back(
    client_for, delegation, head_a, staff_a2, staff_a, today
):
    assert permissions.can_approve_for(staff_a2, staff_a.person, on=today)
    response = client_for(head_a).post(
        reverse("orgunits:delegation_revoke", args=[delegation.pk]), {"reason": "Đã về"}
    )
    assert response.status_code == 302
    delegation.refresh_from_db()
    assert delegation.revoked_at is not None
    assert not permissions.can_approve_for(staff_a2, staff_a.person, on=today)


def test_a_revoked_delegation_cannot_be_revoked_again(status_for, delegation):
    Delegation.objects.filter(pk=delegation.pk).update(revoked_at="2026-11-01T00:00:00Z")
    url = reverse("orgunits:delegation_revoke", args=[delegation.pk])
    assert status_for("head_a", url) == 403


def test_access_page_lists_grants_and_delegations(client_for, units, delegation, system_admin):
    html = (
        client_for(system_admin)
        .get(reverse("orgunits:unit_access", args=[units["T-SO"].pk]))
        .content.decode()
    )
    assert "Nguyễn Văn hr_officer" in html
    assert (
        reverse(
            "orgunits:role_revoke", args=[RoleGrant.objects.get(user__username="hr_officer").pk]
        )
        in html
    )
    html = (
        client_for(system_admin)
        .get(reverse("orgunits:unit_access", args=[units["T-A"].pk]))
        .content.decode()
    )
    assert "Đi công tác" in html
    assert reverse("orgunits:delegation_revoke", args=[delegation.pk]) in html


def test_revoking_after_a_grant_has_ended_is_refused_and_changes_nothing(
    client_for, hr_officer, system_admin, today
):
    grant = RoleGrant.objects.get(user=hr_officer)
    RoleGrant.objects.filter(pk=grant.pk).update(valid_to=today + timedelta(days=10))
    response = client_for(system_admin).post(
        reverse("orgunits:role_revoke", args=[grant.pk]),
        {"on": _d(today + timedelta(days=60))},
    )
    assert "Quyền này đã hết hiệu lực trước ngày thu hồi." in response.content.decode()
    grant.refresh_from_db()
    assert grant.valid_to == today + timedelta(days=10)


def test_an_ended_grant_cannot_be_revoked_again(status_for, hr_officer, today):
    grant = RoleGrant.objects.get(user=hr_officer)
    RoleGrant.objects.filter(pk=grant.pk).update(valid_to=today - timedelta(days=1))
    assert status_for("system_admin", reverse("orgunits:role_revoke", args=[grant.pk])) == 403
