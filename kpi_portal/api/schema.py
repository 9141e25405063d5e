"""OpenAPI description of the machine-account token scheme."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "kpi_portal.api.authentication.ApiTokenAuthentication"
    name = "khoaApi"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "kpi_…"}
