"""Every GET endpoint of the generated OpenAPI schema answers JSON, never 500, in its schema."""

import jsonschema
import pytest
from drf_spectacular.generators import SchemaGenerator

from reports import rollups

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _resolve(schema: dict, node: dict) -> dict:
    """The response schema with every $ref inlined and `nullable` as JSON Schema says it."""
    if isinstance(node, dict):
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            return _resolve(schema, schema["components"]["schemas"][name])
        resolved = {key: _resolve(schema, value) for key, value in node.items()}
        if resolved.pop("nullable", False):  # OpenAPI 3.0's spelling of "or null"
            resolved = {"anyOf": [resolved, {"type": "null"}]}
        return resolved
    if isinstance(node, list):
        return [_resolve(schema, item) for item in node]
    return node


def _first_id(client, list_path: str) -> int:
    results = client.get(list_path, {"ky": "2026-03"}).json().get("results") or [{"id": 0}]
    return results[0].get("id", 0)


def test_schema_is_served_to_signed_in_users_and_the_docs_page_uses_vendored_assets(api_as):
    assert api_as(None).get("/api/schema/").status_code == 401
    assert api_as("staff_a").get("/api/schema/").status_code == 200
    page = api_as("staff_a").get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in page
    assert "cdn" not in page.lower() and "<script>" not in page  # the CSP forbids inline scripts
    assert '<style nonce="' in page


def test_every_get_endpoint_answers_json_in_schema_with_a_province_token(
    schema, token_client, published
):
    rollups.rebuild_period(published.pk)
    client = token_client("T-ROOT")
    walked = 0
    for path, operations in schema["paths"].items():
        if "get" not in operations:
            continue
        url = path
        if "{id}" in path:
            url = path.replace("{id}", str(_first_id(client, path.split("{id}")[0])))
        response = client.get(url, {"ky": "2026-03"})
        assert response.status_code < 500, url
        assert response["Content-Type"].startswith("application/json"), url
        if response.status_code == 200:
            body = _resolve(schema, operations["get"]["responses"]["200"])
            spec = body["content"]["application/json"]["schema"]
            # OpenAPI 3.0 schemas follow JSON Schema draft 4 (boolean exclusiveMaximum).
            validator = jsonschema.Draft4Validator(spec, format_checker=jsonschema.FormatChecker())
            validator.validate(response.json())
        walked += 1
    assert walked >= 17
