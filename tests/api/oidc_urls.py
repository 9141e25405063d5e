"""The site's URLs plus the OIDC ones, as they are when OIDC_RP_CLIENT_ID is set."""

from django.urls import include, path

from kpi_portal.urls import handler403, handler404, handler500, urlpatterns  # noqa: F401

urlpatterns = [*urlpatterns, path("oidc/", include("mozilla_django_oidc.urls"))]
