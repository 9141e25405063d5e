"""Machine accounts for the REST API: one token per service account, limited to a subtree."""

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from orgunits.models import OrgUnit, RoleGrant


class TokenScope(models.TextChoices):
    READ = "read", _("Chỉ đọc")
    WRITE = "write", _("Đọc và ghi")


def hash_key(key: str) -> str:
    """Keys are long random strings, so one SHA-256 is enough; a slow hash would add nothing."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    """Tài khoản máy: a service account's token, shown once and stored only as a hash."""

    name = models.CharField(_("tên hệ thống kết nối"), max_length=120)
    prefix = models.CharField(_("tiền tố khóa"), max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    # A dedicated account that cannot sign in: its one org_dept_viewer grant is the token's scope.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_token"
    )
    grant = models.ForeignKey(
        RoleGrant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("giới hạn trong đơn vị (gồm cấp dưới)"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    scope = models.CharField(
        _("phạm vi"), max_length=8, choices=TokenScope.choices, default=TokenScope.READ
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("dùng lần cuối"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Requests since `window_started_at`; summed into one audit event per token per hour.
    window_started_at = models.DateTimeField(null=True, blank=True)
    window_requests = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("tài khoản máy")
        verbose_name_plural = _("tài khoản máy")
        constraints = [
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | Q(revoked_at__gte=models.F("created_at")),
                name="apitoken_revoked_after_created",
                violation_error_message=_("Ngày thu hồi phải sau ngày tạo."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def can_write(self) -> bool:
        return self.scope == TokenScope.WRITE
