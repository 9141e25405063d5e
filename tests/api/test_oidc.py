"""Single sign-on end to end against an OpenID Connect provider served on 127.0.0.1 by the test."""

import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client
from jwt.algorithms import RSAAlgorithm

pytestmark = pytest.mark.django_db

CLIENT_ID = "kpi-portal"


class Provider(ThreadingHTTPServer):
    """A minimal OIDC provider: authorize → code, token → RS256 id_token, userinfo, JWKS."""

    def __init__(self):
        super().__init__(("127.0.0.1", 0), ProviderHandler)
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.signing_key = self.key  # a test swaps it to forge a token the JWKS does not match
        self.claims: dict = {}
        self.codes: dict[str, str] = {}  # code → nonce
        self.tokens: dict[str, dict] = {}  # access token → claims

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def id_token(self, nonce: str) -> str:
        now = int(time.time())
        payload = {
            "iss": self.url,
            "aud": CLIENT_ID,
            "sub": self.claims.get("sub", "u1"),
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
        }
        return jwt.encode(payload, self.signing_key, algorithm="RS256", headers={"kid": "k1"})


class ProviderHandler(BaseHTTPRequestHandler):
    server: Provider

    def log_message(self, *args) -> None:
        pass

    def _json(self, body: dict, status: int = 200) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        url = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/authorize":
            code = secrets.token_hex(8)
            self.server.codes[code] = query.get("nonce", "")
            target = (
                query["redirect_uri"] + "?" + urlencode({"code": code, "state": query["state"]})
            )
            self.send_response(302)
            self.send_header("Location", target)
            self.end_headers()
        elif url.path == "/userinfo":
            token = self.headers.get("Authorization", "").removeprefix("Bearer ")
            self._json(
                self.server.tokens.get(token, {}), 200 if token in self.server.tokens else 401
            )
        elif url.path == "/jwks":
            jwk = json.loads(RSAAlgorithm.to_jwk(self.server.key.public_key()))
            self._json({"keys": [{**jwk, "kid": "k1", "alg": "RS256", "use": "sig"}]})
        else:
            self._json({}, 404)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        nonce = self.server.codes.pop(form.get("code", ""), None)
        if self.path != "/token" or nonce is None or form.get("client_id") != CLIENT_ID:
            self._json({"error": "invalid_grant"}, 400)
            return
        access = secrets.token_hex(8)
        self.server.tokens[access] = dict(self.server.claims)
        self._json(
            {
                "access_token": access,
                "token_type": "Bearer",
                "id_token": self.server.id_token(nonce),
            }
        )


@pytest.fixture
def provider(settings):
    server = Provider()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.ROOT_URLCONF = "tests.api.oidc_urls"
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "kpi_portal.api.oidc.PersonOIDCBackend",
    ]
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = "bi-mat"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{server.url}/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{server.url}/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{server.url}/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{server.url}/jwks"
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    yield server
    server.shutdown()
    server.server_close()


def _sign_in(provider: Provider, claims: dict) -> Client:
    """The browser's journey: start at the app, go through the provider, come back."""
    import requests

    provider.claims = claims
    client = Client()
    start = client.get("/oidc/authenticate/")
    assert start.status_code == 302 and start["Location"].startswith(provider.url)
    at_provider = requests.get(start["Location"], allow_redirects=False, timeout=5)
    callback = urlparse(at_provider.headers["Location"])
    client.response = client.get(callback.path + "?" + callback.query)
    return client


def _signed_in_as(client: Client):
    from django.contrib.auth import get_user

    request = type("Request", (), {"session": client.session})()
    return get_user(request)


def test_a_person_signs_in_by_hrmis_code(provider, staff_a):
    client = _sign_in(provider, {"sub": "s1", "hrmis_code": staff_a.person.hrmis_code})
    assert client.response.status_code == 302
    assert _signed_in_as(client) == staff_a
    assert client.get("/api/v1/nhat-ky/").status_code == 200


def test_a_person_signs_in_by_email_when_there_is_no_hrmis_claim(provider, head_a):
    head_a.person.email = "truongphong.a@thu-nghiem.gov.vn"
    head_a.person.save(update_fields=["email"])
    client = _sign_in(provider, {"sub": "s2", "email": "TruongPhong.A@thu-nghiem.gov.vn"})
    assert _signed_in_as(client) == head_a


def test_an_unknown_person_is_refused_and_no_account_is_created(provider, units):
    from orgunits.models import User

    before = User.objects.count()
    client = _sign_in(provider, {"sub": "s3", "hrmis_code": "KHONG-CO", "email": "la@x.vn"})
    assert client.response.status_code == 302
    assert "sso=loi" in client.response["Location"]
    assert not _signed_in_as(client).is_authenticated
    assert User.objects.count() == before


def test_an_id_token_signed_by_another_key_is_refused(provider, staff_a):
    provider.signing_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    client = _sign_in(provider, {"sub": "s4", "hrmis_code": staff_a.person.hrmis_code})
    assert client.response.status_code == 400  # SuspiciousOperation: the JWS did not verify
    assert not _signed_in_as(client).is_authenticated


def test_oidc_is_off_by_default(client_for, staff_a):
    from django.conf import settings

    assert settings.OIDC_ENABLED is False
    assert "kpi_portal.api.oidc.PersonOIDCBackend" not in settings.AUTHENTICATION_BACKENDS
    assert client_for(None).get("/oidc/authenticate/").status_code == 404
