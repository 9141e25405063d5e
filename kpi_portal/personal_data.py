"""Everything the system holds about one person, as JSON and as a PDF summary."""

from __future__ import annotations

import json
import logging
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.template.loader import render_to_string
from django.utils import timezone, translation

from evaluations.models import (
    AnnualResult,
    Appeal,
    DecisionVersion,
    Evaluation,
    PlanItem,
    WorkEntry,
)
from orgunits.models import Assignment, RoleGrant, User

from .models import AuditEvent, Notification

logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

# Secrets and internal flags that are not "data about the person".
HIDDEN_FIELDS = {"password"}


def _value(obj: models.Model, field: models.Field) -> Any:
    raw = getattr(obj, field.attname)
    if raw is None:
        return None
    if field.is_relation:
        return str(getattr(obj, field.name))  # a name, not an id that means nothing outside
    if isinstance(field, models.FileField):
        return raw.name  # the stored file's name; the file itself stays on the server
    if field.choices:
        return {"code": raw, "label": str(getattr(obj, f"get_{field.name}_display")())}
    return raw


def as_dict(obj: models.Model) -> dict[str, Any]:
    """Every concrete field of one row, foreign keys shown by name."""
    return {
        field.name: _value(obj, field)
        for field in obj._meta.concrete_fields
        if field.name not in HIDDEN_FIELDS
    }


def sections(user: User) -> list[tuple[str, str, models.QuerySet]]:
    """(key, Vietnamese title, rows) for each kind of record tied to the user."""
    person = getattr(user, "person", None)
    own = {"person": person} if person else None
    by_person = (lambda model: model.objects.filter(**own)) if own else (lambda m: m.objects.none())
    evaluations = by_person(Evaluation)
    about = [str(user.pk)] + ([str(person.pk)] if person else [])
    return [
        ("assignments", "Quá trình công tác", by_person(Assignment)),
        ("role_grants", "Phân quyền", RoleGrant.objects.filter(user=user)),
        ("plan_items", "Nhiệm vụ được giao", by_person(PlanItem)),
        ("work_entries", "Nhật ký công việc", by_person(WorkEntry)),
        ("evaluations", "Phiếu đánh giá", evaluations),
        (
            "decisions",
            "Quyết định xếp loại",
            DecisionVersion.objects.filter(evaluation__in=evaluations),
        ),
        ("appeals", "Khiếu nại", Appeal.objects.filter(evaluation__in=evaluations)),
        ("annual_results", "Kết quả cả năm", by_person(AnnualResult)),
        ("notifications", "Thông báo", Notification.objects.filter(recipient=user)),
        (
            "audit_events",
            "Nhật ký hệ thống về bạn",
            AuditEvent.objects.filter(
                models.Q(object_type="orgunits.user", object_id=str(user.pk))
                | models.Q(object_type="orgunits.person", object_id__in=about[1:])
            ),
        ),
    ]


def collect(user: User) -> dict[str, Any]:
    """The person's data, section by section; nobody else's rows are included."""
    person = getattr(user, "person", None)
    data: dict[str, Any] = {
        "generated_at": timezone.now(),
        "account": as_dict(user),
        "profile": as_dict(person) if person else None,
    }
    for key, _title, rows in sections(user):
        # Foreign keys are shown by name: fetch them with the rows, not one query per row.
        related = [f.name for f in rows.model._meta.concrete_fields if f.is_relation]
        data[key] = [as_dict(row) for row in rows.select_related(*related).order_by("pk")]
    return data


def as_json(user: User) -> bytes:
    return json.dumps(collect(user), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode()


def _display(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, dict) and "label" in value:
        return value["label"]
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, cls=DjangoJSONEncoder)[:300]
    return str(value)


def _pairs(model: type[models.Model], row: dict[str, Any] | None) -> list[tuple[str, str]]:
    if not row:
        return []
    names = {f.name: str(f.verbose_name) for f in model._meta.concrete_fields}
    return [(names.get(key, key), _display(value)) for key, value in row.items()]


def as_pdf(user: User) -> bytes:
    """A readable summary: the profile in full, then each section's count and main rows."""
    from weasyprint import HTML  # heavy on import: only when a PDF is asked for

    from orgunits.models import Person

    data = collect(user)
    parts = [
        {
            "title": title,
            "count": len(data[key]),
            "rows": [_pairs(rows.model, r) for r in data[key][:50]],
        }
        for key, title, rows in sections(user)
    ]
    context = {
        "user": user,
        "account": _pairs(User, data["account"]),
        "profile": _pairs(Person, data["profile"]),
        "sections": parts,
        "generated_at": _display(data["generated_at"]),
    }
    with translation.override("vi"):
        html = render_to_string("accounts/personal_data_pdf.html", context)
    return HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=_refuse).write_pdf()


def _refuse(url: str, *args, **kwargs):
    raise ValueError(f"no external resources in a personal-data PDF: {url}")
