"""Every main page carries the Content-Security-Policy and no markup that the policy would block."""

import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from orgunits.twofactor import services

SKIPPED_PREFIXES = ("/quan-tri-ky-thuat/", "/i18n/", "/static/", "/tai-khoan/dang-xuat/")


class _PageScan(HTMLParser):
    """Collects same-site links and every piece of markup a strict CSP would refuse."""

    def __init__(self):
        super().__init__()
        self.links: set[str] = set()
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "a" and (values.get("href") or "").startswith("/"):
            self.links.add(values["href"].split("#")[0])
        if tag == "script" and not values.get("src") and values.get("type") != "application/json":
            self.problems.append(f"inline <script {values}>")
        for name, _value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…> handler")
            if name == "style":
                self.problems.append(f"<{tag} style=…> attribute")
        if tag == "a" and (values.get("href") or "").lower().startswith("javascript:"):
            self.problems.append("javascript: link")


def scan(response) -> _PageScan:
    parser = _PageScan()
    parser.feed(response.content.decode())
    return parser


def assert_strict_policy(response, path):
    policy = response.headers.get("Content-Security-Policy", "")
    assert policy, f"{path} has no Content-Security-Policy"
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["script-src"] == "'self'", path
    assert "unsafe-inline" not in directives["style-src"], path
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["form-action"] == "'self'"


def crawl(client: Client, start: str = "/", limit: int = 60) -> dict[str, list[str]]:
    """Visit the start page and every same-site page it links to, one level deep."""
    seen, problems = set(), {}
    queue = [start]
    first = client.get(start)
    queue += sorted(scan(first).links)
    for path in queue[:limit]:
        if path in seen or path.startswith(SKIPPED_PREFIXES):
            continue
        seen.add(path)
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response["Content-Type"]:
            continue
        assert_strict_policy(response, path)
        found = scan(response).problems
        if found:
            problems[path] = found
    assert len(seen) > 1
    return problems


@pytest.mark.parametrize(
    "persona",
    ["staff_a", "head_a", "hr_officer", "org_dept_viewer", "sector_admin", "system_admin"],
)
def test_main_pages_carry_a_strict_csp_and_no_inline_script(db, request, persona):
    # A page that fails for another reason is another test's business; this one checks markup.
    client = Client(raise_request_exception=False)
    client.force_login(request.getfixturevalue(persona))
    assert crawl(client) == {}


def test_login_and_error_pages_carry_the_policy_too():
    client = Client()
    for path in (reverse("accounts:login"), "/khong-ton-tai/"):
        response = client.get(path)
        assert_strict_policy(response, path)
        assert scan(response).problems == []


def test_two_factor_pages_pass_the_policy(client_for, staff_a):
    client = client_for(staff_a)
    setup = client.get(reverse("twofactor:setup"))
    assert_strict_policy(setup, "setup")
    assert scan(setup).problems == []
    services.two_factor_enable(
        user=staff_a, device=services.totp_device_pending(user=staff_a), by=staff_a
    )
    verify = client.get(reverse("twofactor:verify"))
    assert scan(verify).problems == []


def test_the_htmx_style_nonce_matches_the_header(client_for, staff_a):
    response = client_for(staff_a).get(reverse("home"))
    nonce = re.search(r'"inlineStyleNonce": "([^"]+)"', response.content.decode()).group(1)
    assert f"'nonce-{nonce}'" in response.headers["Content-Security-Policy"]


def test_pages_forbid_framing_and_sniffing(client_for, staff_a):
    response = client_for(staff_a).get(reverse("home"))
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
