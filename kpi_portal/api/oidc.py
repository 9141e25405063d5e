"""Single sign-on with the province's OpenID Connect provider, matching existing people only.

Lives beside the API because both let other provincial systems in; it is enabled only when
OIDC_RP_CLIENT_ID is set (kpi_portal/settings/base.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from orgunits.models import User


class PersonOIDCBackend(OIDCAuthenticationBackend):
    """Signs in the one active account whose person has the HRMIS code (else the email)."""

    def verify_claims(self, claims) -> bool:
        return bool(claims.get(settings.OIDC_HRMIS_CLAIM) or claims.get("email"))

    def filter_users_by_claims(self, claims):
        hrmis = claims.get(settings.OIDC_HRMIS_CLAIM)
        active = User.objects.filter(is_active=True)
        if hrmis:
            return active.filter(person__hrmis_code=hrmis)
        email = claims.get("email", "")
        return active.filter(Q(person__email__iexact=email) | Q(email__iexact=email)).distinct()

    def create_user(self, claims):
        # Accounts come from the staff import only; an unknown person is refused, never created.
        return None
