"""API views: every queryset is an app's `visible_to(user)`, so rows outside scope answer 404."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.models import CriteriaSet, CriteriaSetVersion, Product
from evaluations import services
from evaluations.models import Evaluation, WorkEntry
from kpi_portal.db_router import replica_alias, use_replica
from orgunits.models import Assignment, OrgUnit, Person
from orgunits.querysets import ALL, prefix_q, scope_paths
from reports.models import PersonPeriodRollup, UnitPeriodRollup

from . import exchange, filters, schema  # noqa: F401  (registers the token scheme)
from .serializers import catalog, evaluations, orgunits, reports


class OrgUnitViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = OrgUnit.objects.none()  # the model, for the schema; rows: get_queryset
    serializer_class = orgunits.OrgUnitSerializer
    filterset_class = filters.OrgUnitFilter

    def get_queryset(self):
        return OrgUnit.objects.visible_to(self.request.user).select_related("sector")

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        # The serializer looks parents up in this cache: one query for the page, not one per parent.
        paths = {unit.path[: -OrgUnit.steplen] for unit in page or ()} - {""}
        codes = OrgUnit.objects.filter(path__in=paths).values_list("path", "code")
        self.parent_codes = dict(codes)
        return page

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["parent_codes"] = getattr(self, "parent_codes", {})
        return context


class PersonViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Person.objects.none()  # the model, for the schema; rows: get_queryset
    serializer_class = orgunits.PersonSerializer
    filterset_class = filters.PersonFilter

    def get_queryset(self):
        assignments = Assignment.objects.select_related("unit").order_by("start", "id")
        return (
            Person.objects.visible_to(self.request.user)
            .select_related("job_position")
            .prefetch_related(Prefetch("assignments", queryset=assignments))
        )


class ProductViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Product.objects.none()  # the model, for the schema; rows: get_queryset
    serializer_class = catalog.ProductSerializer
    filterset_class = filters.ProductFilter

    def get_queryset(self):
        return Product.objects.visible_to(self.request.user).select_related(
            "group", "owner_unit", "owner_sector"
        )


class CriteriaSetViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = CriteriaSet.objects.none()  # the model, for the schema; rows: get_queryset
    serializer_class = catalog.CriteriaSetSerializer

    def get_queryset(self):
        versions = CriteriaSetVersion.objects.order_by("-number")
        return (
            CriteriaSet.objects.visible_to(self.request.user)
            .select_related("owner_unit", "owner_sector")
            .prefetch_related(Prefetch("versions", queryset=versions))
        )


class WorkEntryViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The signed-in person's work log: list own, log a product (a draft), submit it."""

    queryset = WorkEntry.objects.none()  # the model, for the schema; rows: get_queryset
    serializer_class = evaluations.WorkEntrySerializer
    filterset_class = filters.WorkEntryFilter

    def get_queryset(self):
        entries = WorkEntry.objects.visible_to(self.request.user)
        if self.action == "list":
            # The work log is one's own; overseers open others' entries one by one, as on screen.
            entries = entries.filter(person__user=self.request.user)
        return entries.select_related("person", "unit", "period")

    def get_serializer_class(self):
        if self.action == "create":
            return evaluations.WorkEntryCreateSerializer
        return evaluations.WorkEntrySerializer

    @extend_schema(
        request=evaluations.WorkEntryCreateSerializer,
        responses={201: evaluations.WorkEntrySerializer},
    )
    def create(self, request, *args, **kwargs):
        form = self.get_serializer(data=request.data)
        form.is_valid(raise_exception=True)
        entry = services.entry_create(by=request.user, **form.validated_data)
        data = evaluations.WorkEntrySerializer(entry, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: evaluations.WorkEntrySerializer})
    @action(detail=True, methods=["post"], url_path="gui")
    def submit(self, request, pk=None):
        entry = services.entry_submit(by=request.user, entry=self.get_object())
        return Response(evaluations.WorkEntrySerializer(entry).data)


class EvaluationViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Evaluation.objects.none()  # the model, for the schema; rows: get_queryset
    serializer_class = evaluations.EvaluationSerializer
    filterset_class = filters.EvaluationFilter

    def get_queryset(self):
        return Evaluation.objects.visible_to(self.request.user).select_related(
            "person", "unit", "deciding_unit", "period"
        )


def _oversight(queryset, user, path_field: str):
    """Dashboards are for those who oversee a subtree; a plain staff member gets no rows."""
    paths = scope_paths(user)
    if paths == ALL:
        return queryset
    return queryset.filter(prefix_q(paths, path_field)) if paths else queryset.none()


class PersonRollupViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = PersonPeriodRollup.objects.none()  # the model, for the schema; rows: get_queryset
    serializer_class = reports.PersonRollupSerializer

    def get_queryset(self):
        rows = PersonPeriodRollup.objects.select_related("person", "unit", "period")
        # A rollup carries the decided rating, which a person sees only on publication.
        rows = _oversight(rows, self.request.user, "unit_path").exclude(
            person__user=self.request.user
        )
        return rows.using(replica_alias()).order_by("period_id", "unit_path", "person_id")


class UnitRollupViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = UnitPeriodRollup.objects.none()  # the model, for the schema; rows: get_queryset
    serializer_class = reports.UnitRollupSerializer

    def get_queryset(self):
        rows = UnitPeriodRollup.objects.select_related("unit")
        rows = _oversight(rows, self.request.user, "unit_path")
        return rows.using(replica_alias()).order_by("scope_kind", "year", "number", "unit_path")


class ResultsView(APIView):
    """Published results of a period in the "kpi-results/1.0" exchange schema."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "ky",
                OpenApiTypes.STR,
                required=True,
                description=str(_("Kỳ: 2026-10 hoặc 2026-Q3")),
            )
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        code = request.query_params.get("ky", "")
        try:
            rows = exchange.published_results(Evaluation.objects.visible_to(request.user), code)
        except exchange.BadPeriod as error:
            raise ValidationError({"ky": [str(error)]}) from None
        with use_replica():
            return Response(exchange.results_document(rows, code))
