"""Units and people: what the directory and the tree show."""

from rest_framework import serializers

from orgunits.models import Assignment, OrgUnit, Person


class OrgUnitSerializer(serializers.ModelSerializer):
    parent_code = serializers.SerializerMethodField()
    sector_code = serializers.CharField(
        source="sector.code", default=None, allow_null=True, read_only=True
    )

    class Meta:
        model = OrgUnit
        fields = [
            "id",
            "code",
            "name",
            "short_name",
            "kind",
            "bloc",
            "sector_code",
            "parent_code",
            "depth",
            "active_from",
            "active_to",
        ]

    def get_parent_code(self, unit: OrgUnit) -> str | None:
        parents = self.context.setdefault("parent_codes", {})
        path = unit.path[: -OrgUnit.steplen]
        if not path:
            return None
        if path not in parents:
            parents[path] = OrgUnit.objects.filter(path=path).values_list("code", flat=True).first()
        return parents[path]


class AssignmentSerializer(serializers.ModelSerializer):
    unit_code = serializers.CharField(source="unit.code", read_only=True)

    class Meta:
        model = Assignment
        fields = ["unit_code", "role", "is_primary", "start", "end"]


class PersonSerializer(serializers.ModelSerializer):
    job_position_code = serializers.CharField(
        source="job_position.code", default=None, allow_null=True, read_only=True
    )
    assignments = AssignmentSerializer(many=True, read_only=True)

    class Meta:
        model = Person
        fields = [
            "id",
            "hrmis_code",
            "full_name",
            "category",
            "position_title",
            "job_position_code",
            "email",
            "is_active",
            "assignments",
        ]
