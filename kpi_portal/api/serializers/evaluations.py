"""Work entries (create, list, submit) and evaluations (read), decisions hidden as on screen."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.models import Product
from evaluations import permissions
from evaluations.models import Evaluation, PlanItem, WorkEntry


class WorkEntrySerializer(serializers.ModelSerializer):
    person_hrmis_code = serializers.CharField(source="person.hrmis_code", read_only=True)
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    period_code = serializers.CharField(source="period.code", read_only=True)
    standard_products = serializers.DecimalField(max_digits=12, decimal_places=5, read_only=True)

    class Meta:
        model = WorkEntry
        fields = [
            "id",
            "person_hrmis_code",
            "unit_code",
            "period_code",
            "product",
            "plan_item",
            "quantity",
            "coefficient",
            "standard_products",
            "completed_on",
            "doc_number",
            "doc_date",
            "link",
            "note",
            "status",
            "submitted_at",
            "approved_quantity",
            "review_note",
        ]
        read_only_fields = [
            "coefficient",
            "status",
            "submitted_at",
            "approved_quantity",
            "review_note",
        ]


class WorkEntryCreateSerializer(serializers.Serializer):
    """The fields a person logs; `evaluations.services.entry_create` checks the rest."""

    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all())
    quantity = serializers.DecimalField(max_digits=9, decimal_places=2)
    completed_on = serializers.DateField()
    plan_item = serializers.PrimaryKeyRelatedField(
        queryset=PlanItem.objects.all(), required=False, allow_null=True
    )
    doc_number = serializers.CharField(max_length=60, required=False, allow_blank=True)
    doc_date = serializers.DateField(required=False, allow_null=True)
    link = serializers.URLField(required=False, allow_blank=True)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")  # absent while the schema is generated
        if request is not None:
            # Only what the user may see can be named, so ids outside the scope read as unknown.
            self.fields["product"].queryset = Product.objects.visible_to(request.user)
            self.fields["plan_item"].queryset = PlanItem.objects.visible_to(request.user)


class DecisionSerializer(serializers.Serializer):
    rating = serializers.CharField()
    rating_label = serializers.CharField()
    number = serializers.CharField()
    date = serializers.DateField(allow_null=True)


class EvaluationSerializer(serializers.ModelSerializer):
    person_hrmis_code = serializers.CharField(source="person.hrmis_code", read_only=True)
    person_name = serializers.CharField(source="person.full_name", read_only=True)
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    deciding_unit_code = serializers.CharField(source="deciding_unit.code", read_only=True)
    period_code = serializers.CharField(source="period.code", read_only=True)
    decision = serializers.SerializerMethodField()

    class Meta:
        model = Evaluation
        fields = [
            "id",
            "person_hrmis_code",
            "person_name",
            "unit_code",
            "deciding_unit_code",
            "period_code",
            "role",
            "state",
            "general_score",
            "task_score",
            "total",
            "computed_rating",
            "decision",
        ]

    @extend_schema_field(DecisionSerializer(allow_null=True))
    def get_decision(self, evaluation: Evaluation) -> dict | None:
        # The same predicate as the evaluation page: a person sees their grade from publication.
        if not permissions.can_see_decision(self.context["request"].user, evaluation):
            return None
        return {
            "rating": evaluation.rating,
            "rating_label": evaluation.get_rating_display(),
            "number": evaluation.decision_number,
            "date": evaluation.decision_date,
        }

    def to_representation(self, evaluation: Evaluation) -> dict:
        data = super().to_representation(evaluation)
        if not permissions.can_see_breakdown(self.context["request"].user, evaluation):
            for key in ("general_score", "task_score", "total", "computed_rating"):
                data[key] = None
        return data
