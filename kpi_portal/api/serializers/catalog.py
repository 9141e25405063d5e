"""Catalog products and criteria sets with their versions (read only)."""

from rest_framework import serializers

from catalog.models import CriteriaSet, CriteriaSetVersion, Product


class OwnerMixin(serializers.Serializer):
    owner_unit_code = serializers.CharField(
        source="owner_unit.code", default=None, allow_null=True, read_only=True
    )
    owner_sector_code = serializers.CharField(
        source="owner_sector.code", default=None, allow_null=True, read_only=True
    )


class ProductSerializer(OwnerMixin, serializers.ModelSerializer):
    group_code = serializers.CharField(source="group.code", read_only=True)

    class Meta:
        model = Product
        fields = [
            "id",
            "code",
            "name",
            "unit_of_measure",
            "group_code",
            "coefficient",
            "complexity",
            "expected_hours",
            "active_from",
            "active_to",
            "owner_unit_code",
            "owner_sector_code",
        ]


class CriteriaVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = CriteriaSetVersion
        fields = ["id", "number", "status", "valid_from", "retired_on", "rules", "published_at"]


class CriteriaSetSerializer(OwnerMixin, serializers.ModelSerializer):
    versions = CriteriaVersionSerializer(many=True, read_only=True)

    class Meta:
        model = CriteriaSet
        fields = ["id", "code", "name", "owner_unit_code", "owner_sector_code", "versions"]
