"""Per-token rate limit; browser sessions are not throttled (they have no token)."""

from rest_framework.throttling import SimpleRateThrottle

from kpi_portal.api_models import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    scope = "api_token"

    def get_cache_key(self, request, view) -> str | None:
        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
