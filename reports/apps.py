from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Báo cáo, thống kê")

    def ready(self) -> None:
        # Receivers live here, not in evaluations: nothing may import reports.
        from . import signals

        signals.connect()
