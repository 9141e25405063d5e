"""The REST API (/api/v1/): serializers, views and glue over every app's scoping."""
