"""Hold a logged-in user at the code (or set-up) page until the second factor is done."""

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from kpi_portal.security import apply_browser_session_policy

from .policy import GATE_OPEN, GATE_SETUP, gate_for

GATE_KEY = "_twofactor_gate"


def decide_at_login(sender, request, user, **kwargs) -> None:
    """Settle the session's rules once at login, so later pages cost no extra query."""
    if request is None or not hasattr(request, "session"):
        return
    request.session[GATE_KEY] = gate_for(user)
    apply_browser_session_policy(request, user)


def forget_gate(request) -> None:
    """Make the middleware look again, after the user's devices changed."""
    request.session.pop(GATE_KEY, None)


def _exempt_prefixes() -> tuple[str, ...]:
    return (
        reverse("twofactor:overview"),
        reverse("accounts:login"),
        reverse("accounts:logout"),
        reverse("healthz"),
        reverse("set_language"),
        settings.STATIC_URL,
    )


class TwoFactorMiddleware:
    """After a password login, users with an authenticator (or a role that needs one) go no further.

    The decision is made at login and kept in the session; sessions older than this code
    get it on their first request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return self.get_response(request)
        if request.path.startswith(_exempt_prefixes()):
            return self.get_response(request)
        gate = request.session.get(GATE_KEY)
        if gate is None:
            gate = request.session[GATE_KEY] = gate_for(user)
        if gate == GATE_OPEN:
            return self.get_response(request)
        name = "twofactor:setup" if gate == GATE_SETUP else "twofactor:verify"
        url = f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}"
        if getattr(request, "htmx", False):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return redirect(url)
