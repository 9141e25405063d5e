"""Cross-cutting records every app writes: the audit trail, in-app notifications, the outbox."""

import hashlib
import json
from datetime import UTC

from django.conf import settings
from django.db import connections, models, router, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Any constant shared by every writer; it names the one lock that serializes the hash chain.
AUDIT_CHAIN_LOCK = 7_202_610


def audit_payload(event: "AuditEvent") -> str:
    """The canonical JSON of an event's content, independent of its id."""
    return json.dumps(
        {
            "at": event.at.astimezone(UTC).isoformat(),
            "actor": event.actor_id,
            "on_behalf_of": event.on_behalf_of_id,
            "action": event.action,
            "object_type": event.object_type,
            "object_id": event.object_id,
            "object_repr": event.object_repr,
            "unit_path": event.unit_path,
            "changes": event.changes,
            "reason": event.reason,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )


def audit_hash(event: "AuditEvent", prev_hash: str) -> str:
    return hashlib.sha256((audit_payload(event) + prev_hash).encode()).hexdigest()


class AuditEventManager(models.Manager):
    def bulk_create(self, objs, *args, **kwargs):
        """Chain the events to the last one before inserting; callers need not know."""
        objs = list(objs)
        with transaction.atomic(using=self.db):
            seal(objs, using=self.db)
            return super().bulk_create(objs, *args, **kwargs)


def seal(events: list["AuditEvent"], using: str = "default") -> None:
    """Give each unsaved event its time, prev_hash and hash; call inside the writing transaction."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        # Held to commit, so no other transaction can read the same last hash meanwhile.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [AUDIT_CHAIN_LOCK])
    last = AuditEvent.objects.using(using).order_by("-id").values_list("hash", flat=True).first()
    prev = last or ""
    for event in events:
        if event.at is None:
            event.at = timezone.now()
        event.prev_hash = prev
        event.hash = prev = audit_hash(event, prev)


class AuditEvent(models.Model):
    """Nhật ký hệ thống: who did what, when, on whose behalf, old → new, and why. Append-only."""

    at = models.DateTimeField(_("thời điểm"), default=None, editable=False, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("thay mặt"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("hành động"), max_length=64, db_index=True)
    object_type = models.CharField(_("loại đối tượng"), max_length=64)
    object_id = models.CharField(_("mã đối tượng"), max_length=64)
    object_repr = models.CharField(_("đối tượng"), max_length=255, blank=True)
    unit_path = models.CharField(max_length=255, blank=True, db_index=True)
    changes = models.JSONField(_("thay đổi"), default=dict, blank=True)
    reason = models.TextField(_("lý do"), blank=True)
    prev_hash = models.CharField(max_length=64, blank=True, editable=False)
    hash = models.CharField(max_length=64, blank=True, editable=False)

    objects = AuditEventManager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("nhật ký hệ thống")
        verbose_name_plural = _("nhật ký hệ thống")
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        """Insert once, chained to the last event; an existing event is never saved again."""
        if self.pk is not None:
            raise ValueError("audit events are append-only")
        using = kwargs.get("using") or router.db_for_write(AuditEvent, instance=self)
        with transaction.atomic(using=using):
            seal([self], using=using)
            super().save(*args, **kwargs)


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    kind = models.CharField(max_length=40)
    title = models.CharField(_("tiêu đề"), max_length=200)
    body = models.TextField(_("nội dung"), blank=True)
    url = models.CharField(max_length=255, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        indexes = [
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            )
        ]

    def __str__(self) -> str:
        return self.title


class OutboxTask(models.Model):
    """A Celery task that could not reach the broker, kept until `flush_outbox` queues it."""

    name = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("tác vụ chờ gửi")
        verbose_name_plural = _("tác vụ chờ gửi")

    def __str__(self) -> str:
        return self.name


from .api_models import ApiToken  # noqa: E402,F401
