"""Rollups as the dashboards read them."""

from rest_framework import serializers

from reports.models import PersonPeriodRollup, UnitPeriodRollup


class PersonRollupSerializer(serializers.ModelSerializer):
    person_hrmis_code = serializers.CharField(source="person.hrmis_code", read_only=True)
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    period_code = serializers.CharField(source="period.code", read_only=True)

    class Meta:
        model = PersonPeriodRollup
        exclude = ["person", "unit", "period", "unit_path", "deciding_unit", "evaluation"]


class UnitRollupSerializer(serializers.ModelSerializer):
    unit_code = serializers.CharField(source="unit.code", read_only=True)

    class Meta:
        model = UnitPeriodRollup
        exclude = ["unit", "unit_path"]
