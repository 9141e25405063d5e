"""Writing audit events; services call `record` inside their own transaction."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import models

from .models import AuditEvent


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Only the fields that changed, as {field: [old, new]}."""
    return {
        key: [_plain(before.get(key)), _plain(after.get(key))]
        for key in sorted(set(before) | set(after))
        if _plain(before.get(key)) != _plain(after.get(key))
    }


def build(
    *,
    by,
    action: str,
    obj: models.Model,
    changes: dict[str, Any] | None = None,
    reason: str = "",
    on_behalf_of=None,
    unit_path: str = "",
) -> AuditEvent:
    """An unsaved event, for services that write many at once with `bulk_record`."""
    return AuditEvent(
        actor=by if getattr(by, "pk", None) else None,
        on_behalf_of=on_behalf_of,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        unit_path=unit_path,
        changes={
            key: [_plain(x) for x in value] if isinstance(value, list) else _plain(value)
            for key, value in (changes or {}).items()
        },
        reason=reason,
    )


def record(**kwargs) -> AuditEvent:
    """Write one audit event; call inside the service's transaction. See `build` for arguments."""
    event = build(**kwargs)
    event.save()  # chains the event to the last one under the chain lock
    return event


def bulk_record(events: list[AuditEvent]) -> None:
    AuditEvent.objects.bulk_create(events, batch_size=500)


def record_access(by, obj: models.Model, unit_path: str = "") -> AuditEvent | None:
    """Log that someone other than its owner opened another person's detailed scores."""
    owner_user_id = getattr(getattr(obj, "person", None), "user_id", None)
    if not getattr(by, "pk", None) or owner_user_id == by.pk:
        return None
    return record(by=by, action="evaluation.view_breakdown", obj=obj, unit_path=unit_path)


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    return {
        name: _plain(getattr(obj, f"{name}_id", None) if _is_fk(obj, name) else getattr(obj, name))
        for name in fields
    }


def _is_fk(obj: models.Model, name: str) -> bool:
    return isinstance(obj._meta.get_field(name), models.ForeignKey)
