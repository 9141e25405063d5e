from django.apps import AppConfig


class KpiPortalConfig(AppConfig):
    name = "kpi_portal"
    verbose_name = "KPI Portal"
