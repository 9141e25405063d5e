"""DRF glue: a token's read/write scope; every row-level right comes from the apps' predicates."""

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from kpi_portal.api_models import ApiToken


class TokenScopePermission(permissions.BasePermission):
    message = _("Khóa API này chỉ được đọc dữ liệu.")

    def has_permission(self, request, view) -> bool:
        token = request.auth
        if not isinstance(token, ApiToken) or request.method in permissions.SAFE_METHODS:
            return True
        return token.can_write
