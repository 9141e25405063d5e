"""Serializers per domain."""
