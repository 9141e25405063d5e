"""Every change to units, people, assignments, roles and delegations; each writes an audit event."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kpi_portal import audit

from .models import (
    Assignment,
    AssignmentRole,
    Delegation,
    OrgUnit,
    OrgUnitNameHistory,
    Person,
    Role,
    RoleGrant,
    User,
)

UNIT_FIELDS = ["code", "name", "short_name", "kind", "bloc", "sector", "active_from", "active_to"]
PERSON_FIELDS = [
    "full_name",
    "date_of_birth",
    "gender",
    "category",
    "position_title",
    "job_position",
    "party_member",
    "hrmis_code",
    "email",
    "phone",
    "is_active",
    "left_on",
]


@transaction.atomic
def user_update_profile(*, user: User, by: User, email: str, email_notifications: bool) -> User:
    before = {"email": user.email, "email_notifications": user.email_notifications}
    user.email, user.email_notifications = email, email_notifications
    user.full_clean()
    user.save(update_fields=["email", "email_notifications"])
    audit.record(
        by=by,
        action="user.update_profile",
        obj=user,
        changes=audit.diff(before, {"email": email, "email_notifications": email_notifications}),
    )
    return user


@transaction.atomic
def unit_create(*, by: User, parent: OrgUnit | None, **fields) -> OrgUnit:
    unit = OrgUnit(**fields)
    unit.full_clean(exclude=["path", "depth", "numchild"])
    unit = (
        OrgUnit.objects.add_child(parent, instance=unit)
        if parent
        else OrgUnit.objects.add_root(instance=unit)
    )
    audit.record(
        by=by,
        action="orgunit.create",
        obj=unit,
        unit_path=unit.path,
        changes=audit.diff({}, audit.snapshot(unit, UNIT_FIELDS)),
    )
    return unit


@transaction.atomic
def unit_update(*, unit: OrgUnit, by: User, reason: str = "", **fields) -> OrgUnit:
    """Edit a unit; a new name keeps the old one in the unit's name history."""
    unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    before = audit.snapshot(unit, UNIT_FIELDS)
    old_name, old_short = unit.name, unit.short_name
    for name, value in fields.items():
        setattr(unit, name, value)
    unit.full_clean(exclude=["path", "depth", "numchild"])
    unit.save()
    if unit.name != old_name or unit.short_name != old_short:
        last = unit.name_history.order_by("-valid_to").first()
        OrgUnitNameHistory.objects.create(
            unit=unit,
            name=old_name,
            short_name=old_short,
            valid_from=last.valid_to + timedelta(days=1) if last else unit.active_from,
            valid_to=timezone.localdate() - timedelta(days=1),
        )
    changes = audit.diff(before, audit.snapshot(unit, UNIT_FIELDS))
    if changes:
        audit.record(
            by=by,
            action="orgunit.update",
            obj=unit,
            changes=changes,
            reason=reason,
            unit_path=unit.path,
        )
    return unit


@transaction.atomic
def unit_move(*, unit: OrgUnit, new_parent: OrgUnit, by: User, reason: str = "") -> OrgUnit:
    if new_parent.path.startswith(unit.path):
        raise ValidationError(
            _("Không thể chuyển đơn vị vào chính nó hoặc đơn vị cấp dưới của nó.")
        )
    old_parent = OrgUnit.objects.get_parent(unit)
    OrgUnit.objects.move(unit, new_parent, pos="last-child")
    unit.refresh_from_db()
    audit.record(
        by=by,
        action="orgunit.move",
        obj=unit,
        reason=reason,
        unit_path=unit.path,
        changes={"parent": [old_parent.pk if old_parent else None, new_parent.pk]},
    )
    return unit


@transaction.atomic
def unit_close(*, unit: OrgUnit, on: date, by: User, reason: str) -> OrgUnit:
    """Close a unit and its subtree; nothing is deleted, so history stays attributed."""
    if not reason:
        raise ValidationError(_("Phải ghi lý do ngừng hoạt động đơn vị."))
    if unit.active_to is not None:
        raise ValidationError(_("Đơn vị này đã ngừng hoạt động."))
    if on < unit.active_from:
        raise ValidationError(_("Ngày ngừng hoạt động phải sau ngày bắt đầu hoạt động."))
    open_staff = Assignment.objects.filter(unit__path__startswith=unit.path).overlapping(on, None)
    if open_staff.filter(end__isnull=True).exists():
        raise ValidationError(
            _("Đơn vị còn người đang công tác; hãy điều chuyển họ trước khi ngừng hoạt động.")
        )
    OrgUnit.objects.under(unit).filter(active_to__isnull=True).update(active_to=on)
    unit.refresh_from_db()
    audit.record(
        by=by,
        action="orgunit.close",
        obj=unit,
        reason=reason,
        unit_path=unit.path,
        changes={"active_to": [None, on.isoformat()]},
    )
    return unit


@transaction.atomic
def unit_merge(*, unit: OrgUnit, into: OrgUnit, on: date, by: User, reason: str) -> OrgUnit:
    """Merge `unit` into `into`: open assignments move over, the old unit closes, history stays."""
    if unit.pk == into.pk or into.path.startswith(unit.path):
        raise ValidationError(_("Không thể sáp nhập đơn vị vào chính nó hoặc đơn vị cấp dưới."))
    if not into.is_active_on(on):
        raise ValidationError(_("Đơn vị nhận sáp nhập không hoạt động vào ngày sáp nhập."))
    if not reason:
        raise ValidationError(_("Phải ghi căn cứ, lý do sáp nhập."))
    moved = 0
    for assignment in (
        Assignment.objects.select_for_update().filter(unit=unit).overlapping(on, None)
    ):
        if assignment.start >= on:
            assignment.unit = into
            assignment.save(update_fields=["unit"])
        else:
            end = assignment.end
            assignment.end = on - timedelta(days=1)
            assignment.save(update_fields=["end"])
            Assignment.objects.create(
                person=assignment.person,
                unit=into,
                role=assignment.role,
                is_primary=assignment.is_primary,
                start=on,
                end=end,
            )
        moved += 1
    OrgUnit.objects.filter(pk=unit.pk).update(merged_into=into, merged_on=on, active_to=on)
    unit.refresh_from_db()
    audit.record(
        by=by,
        action="orgunit.merge",
        obj=unit,
        reason=reason,
        unit_path=unit.path,
        changes={
            "merged_into": [None, into.pk],
            "merged_on": [None, on.isoformat()],
            "assignments_moved": [0, moved],
        },
    )
    return unit


@transaction.atomic
def person_create(
    *,
    by: User,
    username: str,
    unit: OrgUnit,
    start: date,
    role: str = AssignmentRole.STAFF,
    password: str | None = None,
    **fields,
) -> Person:
    user = User(
        username=username, email=fields.get("email", ""), staff_code=fields.get("hrmis_code")
    )
    user.last_name, _space, user.first_name = fields.get("full_name", "").rpartition(" ")
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    person = Person(user=user, **fields)
    person.full_clean()
    person.save()
    assignment = Assignment(person=person, unit=unit, role=role, is_primary=True, start=start)
    assignment.full_clean()
    assignment.save()
    audit.record(
        by=by,
        action="person.create",
        obj=person,
        unit_path=unit.path,
        changes=audit.diff({}, audit.snapshot(person, PERSON_FIELDS)),
    )
    return person


@transaction.atomic
def person_update(*, person: Person, by: User, reason: str = "", **fields) -> Person:
    before = audit.snapshot(person, PERSON_FIELDS)
    for name, value in fields.items():
        setattr(person, name, value)
    person.full_clean()
    person.save()
    if "email" in fields and person.user.email != person.email:
        person.user.email = person.email
        person.user.save(update_fields=["email"])
    changes = audit.diff(before, audit.snapshot(person, PERSON_FIELDS))
    if changes:
        audit.record(by=by, action="person.update", obj=person, changes=changes, reason=reason)
    return person


@transaction.atomic
def person_deactivate(*, person: Person, on: date, by: User, reason: str) -> Person:
    """Staff who leave are deactivated, never deleted: their evaluations must stay."""
    Assignment.objects.filter(person=person, end__isnull=True).update(end=on)
    person.is_active, person.left_on = False, on
    person.save(update_fields=["is_active", "left_on"])
    User.objects.filter(pk=person.user_id).update(is_active=False)
    audit.record(
        by=by,
        action="person.deactivate",
        obj=person,
        reason=reason,
        changes={"is_active": [True, False], "left_on": [None, on.isoformat()]},
    )
    return person


@transaction.atomic
def assignment_transfer(
    *,
    person: Person,
    to_unit: OrgUnit,
    on: date,
    by: User,
    role: str = AssignmentRole.STAFF,
    reason: str = "",
) -> Assignment:
    """Move a person's primary work to another unit; the old assignment ends the day before."""
    current = (
        Assignment.objects.select_for_update()
        .filter(person=person, is_primary=True)
        .active_on(on)
        .first()
    )
    if current and current.start >= on:
        raise ValidationError(_("Ngày điều chuyển phải sau ngày bắt đầu công tác hiện tại."))
    if not to_unit.is_active_on(on):
        raise ValidationError(_("Đơn vị chuyển đến không hoạt động vào ngày điều chuyển."))
    if current:
        current.end = on - timedelta(days=1)
        current.save(update_fields=["end"])
    new = Assignment(person=person, unit=to_unit, role=role, is_primary=True, start=on)
    new.full_clean()
    new.save()
    audit.record(
        by=by,
        action="assignment.transfer",
        obj=new,
        reason=reason,
        unit_path=to_unit.path,
        changes={
            "unit": [current.unit_id if current else None, to_unit.pk],
            "role": [current.role if current else None, role],
        },
    )
    return new


@transaction.atomic
def assignment_add_secondary(
    *,
    person: Person,
    unit: OrgUnit,
    start: date,
    end: date | None,
    by: User,
    role: str = AssignmentRole.STAFF,
) -> Assignment:
    """Kiêm nhiệm: a second, non-primary assignment alongside the primary one."""
    assignment = Assignment(
        person=person, unit=unit, role=role, is_primary=False, start=start, end=end
    )
    assignment.full_clean()
    assignment.save()
    audit.record(
        by=by,
        action="assignment.add_secondary",
        obj=assignment,
        unit_path=unit.path,
        changes={"unit": [None, unit.pk], "role": [None, role]},
    )
    return assignment


@transaction.atomic
def assignment_end(*, assignment: Assignment, on: date, by: User, reason: str = "") -> Assignment:
    if on < assignment.start:
        raise ValidationError(_("Ngày kết thúc phải sau ngày bắt đầu."))
    old = assignment.end
    assignment.end = on
    assignment.save(update_fields=["end"])
    audit.record(
        by=by,
        action="assignment.end",
        obj=assignment,
        reason=reason,
        unit_path=assignment.unit.path,
        changes={"end": [old.isoformat() if old else None, on.isoformat()]},
    )
    return assignment


@transaction.atomic
def role_grant(
    *,
    user: User,
    role: str,
    unit: OrgUnit,
    valid_from: date,
    by: User,
    valid_to: date | None = None,
    sector=None,
) -> RoleGrant:
    if role not in Role.values:
        raise ValidationError(_("Vai trò không hợp lệ."))
    grant = RoleGrant(
        user=user,
        role=role,
        unit=unit,
        valid_from=valid_from,
        valid_to=valid_to,
        sector=sector,
        granted_by=by,
    )
    grant.full_clean()
    grant.save()
    audit.record(
        by=by,
        action="role.grant",
        obj=grant,
        unit_path=unit.path,
        changes={
            "user": [None, user.pk],
            "role": [None, role],
            "valid_from": [None, valid_from.isoformat()],
            "valid_to": [None, valid_to.isoformat() if valid_to else None],
        },
    )
    return grant


@transaction.atomic
def role_revoke(
    *, grant: RoleGrant, by: User, on: date | None = None, reason: str = ""
) -> RoleGrant:
    """End a grant (the day before `on`); the row stays as a record of who could do what."""
    on = on or timezone.localdate()
    old = grant.valid_to
    end = max(grant.valid_from, on - timedelta(days=1))
    if old is not None and old < end:
        raise ValidationError(_("Quyền này đã hết hiệu lực trước ngày thu hồi."))
    grant.valid_to = end
    grant.save(update_fields=["valid_to"])
    audit.record(
        by=by,
        action="role.revoke",
        obj=grant,
        reason=reason,
        unit_path=grant.unit.path,
        changes={"valid_to": [old.isoformat() if old else None, end.isoformat()]},
    )
    return grant


@transaction.atomic
def delegation_create(
    *,
    unit: OrgUnit,
    delegator: Person,
    delegate: Person,
    valid_from: date,
    valid_to: date,
    reason: str,
    by: User,
) -> Delegation:
    is_head = (
        Assignment.objects.active_on(valid_from)
        .filter(person=delegator, unit=unit, role=AssignmentRole.HEAD)
        .exists()
    )
    if not is_head:
        raise ValidationError(_("Chỉ cấp trưởng của đơn vị mới ủy quyền phê duyệt của đơn vị."))
    delegation = Delegation(
        unit=unit,
        delegator=delegator,
        delegate=delegate,
        valid_from=valid_from,
        valid_to=valid_to,
        reason=reason,
    )
    delegation.full_clean()
    delegation.save()
    audit.record(
        by=by,
        action="delegation.create",
        obj=delegation,
        reason=reason,
        unit_path=unit.path,
        on_behalf_of=delegator.user,
        changes={
            "delegate": [None, delegate.pk],
            "valid_from": [None, valid_from.isoformat()],
            "valid_to": [None, valid_to.isoformat()],
        },
    )
    return delegation


@transaction.atomic
def delegation_revoke(*, delegation: Delegation, by: User, reason: str = "") -> Delegation:
    delegation.revoked_at = timezone.now()
    delegation.save(update_fields=["revoked_at"])
    audit.record(
        by=by,
        action="delegation.revoke",
        obj=delegation,
        reason=reason,
        unit_path=delegation.unit.path,
    )
    return delegation


def acting_for(user: User, person: Person, on: date | None = None) -> User | None:
    """The head a delegate acts for when approving `person`, or None when acting in own right."""
    on = on or timezone.localdate()
    target = person.primary_assignment_on(on)
    if target is None:
        return None
    from . import roles

    own = roles.leader_assignments(user, on).select_related("unit")
    if any(target.unit.path.startswith(a.unit.path) for a in own):
        return None
    for delegation in roles.delegations_to(user, on):
        if target.unit.path.startswith(delegation.unit.path):
            return delegation.delegator.user
    return None
