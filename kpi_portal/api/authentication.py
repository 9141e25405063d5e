"""`Authorization: Bearer kpi_…` for machine accounts; browsers keep their session."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from kpi_portal import audit
from kpi_portal.api_models import ApiToken, hash_key

AUDIT_WINDOW = timedelta(hours=1)


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Tiêu đề Authorization không hợp lệ."))
        try:
            key = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("Khóa API không hợp lệ.")) from None
        token = (
            ApiToken.objects.select_related("user", "unit")
            .filter(key_hash=hash_key(key), revoked_at__isnull=True)
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed(_("Khóa API không đúng hoặc đã bị thu hồi."))
        record_use(token)
        return token.user, token

    def authenticate_header(self, request) -> str:
        return self.keyword


@transaction.atomic
def record_use(token: ApiToken) -> None:
    """Count the request; the first request of a new hour audits the previous hour's count.

    One audit event per request would drown the trail in reads; writes are audited anyway by
    the services they call.
    """
    now = timezone.now()
    locked = ApiToken.objects.select_for_update().get(pk=token.pk)
    started = locked.window_started_at
    if started is None or now - started >= AUDIT_WINDOW:
        if locked.window_requests:
            audit.record(
                by=locked.user,
                action="api.token_use",
                obj=locked,
                unit_path=token.unit.path,
                changes={
                    "requests": locked.window_requests,
                    "from": started.isoformat(),
                    "to": now.isoformat(),
                },
            )
        ApiToken.objects.filter(pk=token.pk).update(
            window_started_at=now, window_requests=1, last_used_at=now
        )
    else:
        ApiToken.objects.filter(pk=token.pk).update(
            window_requests=F("window_requests") + 1, last_used_at=now
        )
