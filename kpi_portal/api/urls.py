"""/api/: v1 endpoints, the OpenAPI schema, its documentation page and the token screen."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from . import screens, views

app_name = "api"

router = DefaultRouter()
router.include_root_view = False
router.register("don-vi", views.OrgUnitViewSet, basename="unit")
router.register("can-bo", views.PersonViewSet, basename="person")
router.register("san-pham", views.ProductViewSet, basename="product")
router.register("bo-tieu-chi", views.CriteriaSetViewSet, basename="criteria-set")
router.register("nhat-ky", views.WorkEntryViewSet, basename="entry")
router.register("phieu-danh-gia", views.EvaluationViewSet, basename="evaluation")
router.register("tong-hop/ca-nhan", views.PersonRollupViewSet, basename="person-rollup")
router.register("tong-hop/don-vi", views.UnitRollupViewSet, basename="unit-rollup")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("v1/ket-qua/", views.ResultsView.as_view(), name="results"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        # The split view loads its start-up script from a URL: the CSP forbids inline scripts.
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/docs.html"),
        name="docs",
    ),
    path("tai-khoan-may/", screens.token_list, name="tokens"),
    path("tai-khoan-may/<int:pk>/thu-hoi/", screens.token_revoke, name="token_revoke"),
]
