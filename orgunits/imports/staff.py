"""Staff: people upserted by HRMIS code, their assignments by (person, unit, start date)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from kpi_portal import audit
from kpi_portal.models import AuditEvent

from ..models import (
    Assignment,
    AssignmentRole,
    Gender,
    JobPosition,
    OrgUnit,
    Person,
    StaffCategory,
    User,
)
from ..querysets import ALL, covers
from ..spreadsheets import (
    STAFF_COLUMNS,
    CellError,
    Issue,
    a_date,
    choice,
    parse_row,
    reference,
    text,
    yes_no,
)
from .base import Abort, chunks, date_text

STAFF_HEADER = {c.key: c.header for c in STAFF_COLUMNS}
PERSON_KEYS = (
    "full_name",
    "date_of_birth",
    "gender",
    "category",
    "position_title",
    "job_position",
    "party_member",
    "email",
    "phone",
)


def _email(value: Any) -> str:
    result = text(254)(value)
    if result:
        try:
            validate_email(result)
        except ValidationError:
            raise CellError(_("email không hợp lệ '%(value)s'") % {"value": result}) from None
    return result


def _username(value: Any) -> str:
    result = text(150)(value)
    if result:
        try:
            UnicodeUsernameValidator()(result)
        except ValidationError:
            raise CellError(_("tên đăng nhập chỉ gồm chữ, số và các ký tự @ . + - _")) from None
    return result


@dataclass
class PersonDraft:
    number: int
    hrmis: str
    values: dict[str, Any]
    username: str
    unit_path: str  # of the person's first row: where their audit event is filed
    person: Person | None = None
    changes: dict[str, Any] = field(default_factory=dict)
    user_changes: dict[str, Any] = field(default_factory=dict)

    def diff(self) -> tuple[dict, dict]:
        """Old and new values of what changes, read before the rows are written."""
        person, user = self.person, self.person.user
        before = {k: getattr(person, _attname(k)) for k in self.changes}
        after = _plain_values(self.changes)
        if "username" in self.user_changes:
            before["username"], after["username"] = user.username, self.user_changes["username"]
        return before, after


@dataclass
class AssignmentDraft:
    number: int
    hrmis: str
    unit: OrgUnit
    role: str
    is_primary: bool
    start: Any
    end: Any
    assignment: Assignment | None = None

    @property
    def is_open_primary(self) -> bool:
        return self.is_primary and self.end is None


class StaffImport:
    """Upsert people by HRMIS code and their assignments by (person, unit, start date)."""

    def __init__(self, rows: list[tuple[int, dict]], paths: tuple[str, ...]):
        self.raw = rows
        self.paths = paths
        self.issues: list[Issue] = []
        self.units = {
            u.code: u
            for u in OrgUnit.objects.only("id", "code", "path", "name", "active_from", "active_to")
        }
        self.unit_by_id = {u.pk: u for u in self.units.values()}
        self.people: dict[str, PersonDraft] = {}
        self.posts: list[AssignmentDraft] = []
        self.held: dict[int, list[Assignment]] = {}

    def run(self, *, by: User | None, reason: str) -> tuple[dict, list[str]]:
        self._parse()
        self._load_people()
        self._check_usernames()
        self._load_assignments()
        self._match_assignments()
        self._check_open_primaries()
        self._check_scope()
        if self.issues:
            raise Abort(self.issues)
        return self._apply(by, reason)

    def _issue(self, row: int, key: str, message: str) -> None:
        self.issues.append(Issue(row, STAFF_HEADER[key], message))

    def _parsers(self) -> dict:
        positions = {p.code: p for p in JobPosition.objects.all()}
        return {
            "hrmis_code": text(32, required=True),
            "full_name": text(120, required=True),
            "date_of_birth": a_date(),
            "gender": choice(Gender, required=False),
            "category": choice(StaffCategory),
            "position_title": text(120),
            "job_position": reference(positions),
            "party_member": yes_no(False),
            "email": _email,
            "phone": text(20),
            "username": _username,
            "unit": reference(self.units, required=True),
            "role": choice(AssignmentRole, required=False, default=AssignmentRole.STAFF),
            "is_primary": yes_no(True),
            "start": a_date(required=True),
            "end": a_date(),
        }

    def _parse(self) -> None:
        parsers = self._parsers()
        for number, raw in self.raw:
            values, problems = parse_row(raw, parsers)
            if not {"unit", "start", "end"} & problems.keys():
                problems.update(_period_problems(values))
            for key, message in problems.items():
                self._issue(number, key, message)
            if not problems:
                self._add_row(number, values)

    def _add_row(self, number: int, values: dict) -> None:
        hrmis = values["hrmis_code"]
        draft = self.people.get(hrmis)
        if draft is None:
            person_values = {key: values[key] for key in PERSON_KEYS}
            draft = PersonDraft(
                number, hrmis, person_values, values["username"], values["unit"].path
            )
            self.people[hrmis] = draft
        else:
            self._check_agrees(number, draft, values)
        self.posts.append(
            AssignmentDraft(
                number,
                hrmis,
                values["unit"],
                values["role"],
                values["is_primary"],
                values["start"],
                values["end"],
            )
        )

    def _check_agrees(self, number: int, draft: PersonDraft, values: dict) -> None:
        wanted = {**draft.values, "username": draft.username}
        for key, value in wanted.items():
            if values[key] != value:
                message = _("khác với dòng %(row)d của cùng mã HRMIS '%(code)s'")
                self._issue(number, key, message % {"row": draft.number, "code": draft.hrmis})

    def _load_people(self) -> None:
        codes = list(self.people)
        for chunk in chunks(codes):
            for person in Person.objects.filter(hrmis_code__in=chunk).select_related("user"):
                draft = self.people[person.hrmis_code]
                draft.person = person
                draft.changes = _person_changes(person, draft.values)
                draft.user_changes = _user_changes(person, draft)
        new_codes = [code for code, d in self.people.items() if d.person is None]
        for chunk in chunks(new_codes):
            taken = User.objects.filter(staff_code__in=chunk).values_list("staff_code", "username")
            for code, username in taken:
                message = _("mã HRMIS này đã gắn với tài khoản '%(user)s' chưa có hồ sơ cán bộ")
                self._issue(self.people[code].number, "hrmis_code", message % {"user": username})

    def _wanted_username(self, draft: PersonDraft) -> str:
        if draft.username:
            return draft.username
        return draft.person.user.username if draft.person else draft.hrmis.lower()

    def _check_usernames(self) -> None:
        owner_in_file: dict[str, PersonDraft] = {}
        for draft in self.people.values():
            name = self._wanted_username(draft)
            other = owner_in_file.setdefault(name, draft)
            if other is not draft:
                message = _("tên đăng nhập '%(name)s' trùng với dòng %(row)d")
                self._issue(draft.number, "username", message % {"name": name, "row": other.number})
        names = list(owner_in_file)
        for chunk in chunks(names):
            for name, user_id in User.objects.filter(username__in=chunk).values_list(
                "username", "pk"
            ):
                draft = owner_in_file[name]
                if draft.person is None or draft.person.user_id != user_id:
                    message = _("tên đăng nhập '%(name)s' đã được tài khoản khác sử dụng")
                    self._issue(draft.number, "username", message % {"name": name})

    def _load_assignments(self) -> None:
        ids = [d.person.pk for d in self.people.values() if d.person is not None]
        fields = ("id", "person_id", "unit_id", "role", "is_primary", "start", "end")
        for chunk in chunks(ids):
            for assignment in Assignment.objects.filter(person_id__in=chunk).only(*fields):
                self.held.setdefault(assignment.person_id, []).append(assignment)

    def _match_assignments(self) -> None:
        seen: dict[tuple, int] = {}
        posts, self.posts = self.posts, []
        for post in posts:
            key = (post.hrmis, post.unit.pk, post.start)
            if key in seen:
                message = _("trùng đơn vị và ngày bắt đầu với dòng %(row)d")
                self._issue(post.number, "start", message % {"row": seen[key]})
                continue
            seen[key] = post.number
            self.posts.append(post)
            person = self.people[post.hrmis].person
            for assignment in self.held.get(person.pk, []) if person else []:
                if (assignment.unit_id, assignment.start) == (post.unit.pk, post.start):
                    post.assignment = assignment

    def _check_open_primaries(self) -> None:
        """The database allows one open primary assignment per person; say so per row."""
        by_person: dict[str, list[AssignmentDraft]] = {}
        for post in self.posts:
            by_person.setdefault(post.hrmis, []).append(post)
        for hrmis, posts in by_person.items():
            person = self.people[hrmis].person
            in_file = {p.assignment.pk for p in posts if p.assignment is not None}
            kept = (
                [a for a in self.held.get(person.pk, []) if a.pk not in in_file] if person else []
            )
            open_kept = [a for a in kept if a.is_primary and a.end is None]
            open_new = [p for p in posts if p.is_open_primary]
            if len(open_kept) + len(open_new) <= 1:
                continue
            where = [f"{self.unit_by_id[a.unit_id].code} ({date_text(a.start)})" for a in open_kept]
            where += [f"{p.unit.code} ({date_text(p.start)})" for p in open_new]
            for post in open_new:
                message = _(
                    "mỗi người chỉ có một nơi công tác chính chưa kết thúc, ở đây có: %(where)s"
                )
                self._issue(post.number, "is_primary", message % {"where": ", ".join(where)})

    def _check_scope(self) -> None:
        if self.paths == ALL:
            return
        for post in self.posts:
            if not covers(self.paths, post.unit.path):
                message = _("đơn vị '%(code)s' nằm ngoài phạm vi quản lý của bạn")
                self._issue(post.number, "unit", message % {"code": post.unit.code})
        for draft in self.people.values():
            if draft.person is None or not (draft.changes or draft.user_changes):
                continue
            held = self.held.get(draft.person.pk, [])
            if not any(covers(self.paths, self.unit_by_id[a.unit_id].path) for a in held):
                message = _("cán bộ '%(code)s' công tác ngoài phạm vi quản lý của bạn")
                self._issue(draft.number, "hrmis_code", message % {"code": draft.hrmis})

    def _apply(self, by, reason: str) -> tuple[dict, list[str]]:
        """Bulk writes; only rows that existed and changed get their own audit event."""
        updated = [d for d in self.people.values() if d.changes or d.user_changes]
        common = {"by": by, "reason": reason, "action": "person.update"}
        events = [
            _event(d.person, d.person.full_name, d.unit_path, *d.diff(), **common) for d in updated
        ]
        self._update_people(updated)
        created = self._create_people()
        updated_posts, post_events = self._update_assignments(by, reason)
        created_posts = self._create_assignments()
        AuditEvent.objects.bulk_create([*events, *post_events], batch_size=5000)
        counts = {
            "people_created": len(created),
            "people_updated": len(updated),
            "people_unchanged": len(self.people) - len(created) - len(updated),
            "assignments_created": len(created_posts),
            "assignments_updated": len(updated_posts),
            "assignments_unchanged": len(self.posts) - len(created_posts) - len(updated_posts),
        }
        changed = {d.hrmis for d in [*created, *updated]}
        paths = {p.unit.path for p in self.posts if p.hrmis in changed}
        paths |= {p.unit.path for p in [*created_posts, *updated_posts]}
        return counts, sorted(paths)

    def _create_people(self) -> list[PersonDraft]:
        drafts = [d for d in self.people.values() if d.person is None]
        users = [_new_user(self._wanted_username(d), d) for d in drafts]
        User.objects.bulk_create(users, batch_size=2000)
        people = [
            Person(user=user, hrmis_code=d.hrmis, **d.values)
            for user, d in zip(users, drafts, strict=True)
        ]
        Person.objects.bulk_create(people, batch_size=2000)
        for draft, person in zip(drafts, people, strict=True):
            draft.person = person
        return drafts

    def _update_people(self, drafts: list[PersonDraft]) -> None:
        for draft in drafts:
            for key, value in draft.changes.items():
                setattr(draft.person, key, value)
            for key, value in draft.user_changes.items():
                setattr(draft.person.user, key, value)
        people = [d.person for d in drafts if d.changes]
        users = [d.person.user for d in drafts if d.user_changes]
        Person.objects.bulk_update(people, PERSON_KEYS, batch_size=1000)
        User.objects.bulk_update(users, ["username", "email", "first_name", "last_name"], 1000)

    def _update_assignments(self, by, reason: str) -> tuple[list[AssignmentDraft], list]:
        """Runs before assignments are inserted: a primary closed here frees the one open slot."""
        updated, events = [], []
        common = {"by": by, "reason": reason, "action": "assignment.update"}
        for post in self.posts:
            old = post.assignment
            before = {"role": old.role, "is_primary": old.is_primary, "end": old.end} if old else {}
            after = {"role": post.role, "is_primary": post.is_primary, "end": post.end}
            if old and before != after:
                old.role, old.is_primary, old.end = post.role, post.is_primary, post.end
                updated.append(post)
                label = f"{self.people[post.hrmis].person.full_name} — {post.unit.name}"
                events.append(_event(old, label, post.unit.path, before, after, **common))
        fields = ["role", "is_primary", "end"]
        Assignment.objects.bulk_update([p.assignment for p in updated], fields, batch_size=1000)
        return updated, events

    def _create_assignments(self) -> list[AssignmentDraft]:
        created = [p for p in self.posts if p.assignment is None]
        for post in created:
            post.assignment = Assignment(
                person=self.people[post.hrmis].person,
                unit=post.unit,
                role=post.role,
                is_primary=post.is_primary,
                start=post.start,
                end=post.end,
            )
        Assignment.objects.bulk_create([p.assignment for p in created], batch_size=5000)
        return created


def _event(obj, label: str, unit_path: str, before: dict, after: dict, **common) -> AuditEvent:
    """An audit event as `audit.record` writes it, built for one bulk insert."""
    return AuditEvent(
        actor=common["by"] if getattr(common["by"], "pk", None) else None,
        action=common["action"],
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=label[:255],
        unit_path=unit_path,
        changes=audit.diff(before, after),
        reason=common["reason"],
    )


def _period_problems(values: dict[str, Any]) -> dict[str, str]:
    start, end, unit = values["start"], values["end"], values["unit"]
    if end and end < start:
        return {"end": _("không được trước ngày bắt đầu")}
    if not unit.is_active_on(start):
        message = _("đơn vị '%(code)s' không hoạt động vào ngày %(date)s")
        return {"unit": message % {"code": unit.code, "date": date_text(start)}}
    return {}


def _attname(key: str) -> str:
    return "job_position_id" if key == "job_position" else key


def _plain_values(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.pk if isinstance(v, JobPosition) else v) for k, v in values.items()}


def _person_changes(person: Person, values: dict[str, Any]) -> dict[str, Any]:
    wanted = _plain_values(values)
    return {k: values[k] for k in PERSON_KEYS if getattr(person, _attname(k)) != wanted[k]}


def _user_changes(person: Person, draft: PersonDraft) -> dict[str, Any]:
    user, changes = person.user, {}
    if draft.username and draft.username != user.username:
        changes["username"] = draft.username
    if draft.values["email"] != person.email and user.email != draft.values["email"]:
        changes["email"] = draft.values["email"]
    if draft.values["full_name"] != person.full_name:
        changes["last_name"], _space, changes["first_name"] = draft.values["full_name"].rpartition(
            " "
        )
    return changes


def _new_user(username: str, draft: PersonDraft) -> User:
    last_name, _space, first_name = draft.values["full_name"].rpartition(" ")
    user = User(
        username=username,
        staff_code=draft.hrmis,
        email=draft.values["email"],
        first_name=first_name,
        last_name=last_name,
    )
    user.set_unusable_password()  # a real hash costs ~0.3 s; staff set theirs by reset link
    return user
