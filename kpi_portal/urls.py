from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from . import health, notification_views, views

admin.site.site_header = f"{settings.SYSTEM_NAME} — quản trị kỹ thuật"
# The Django admin is a superuser's repair tool; everyone else works in the app's own screens.
admin.site.has_permission = lambda request: request.user.is_active and request.user.is_superuser

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("tai-khoan/", include("orgunits.account_urls")),
    path("to-chuc/", include("orgunits.urls")),
    path("danh-muc/", include("catalog.urls")),
    path("cong-viec/", include("evaluations.urls")),
    path("thong-bao/", notification_views.notification_list, name="notifications"),
    path("thong-bao/<int:pk>/mo/", notification_views.notification_open, name="notification_open"),
    path(
        "thong-bao/<int:pk>/da-doc/",
        notification_views.notification_read,
        name="notification_read",
    ),
    path(
        "thong-bao/doc-het/",
        notification_views.notifications_read_all,
        name="notifications_read_all",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("quan-tri-ky-thuat/", admin.site.urls),
]

handler403 = "kpi_portal.views.error_403"
handler404 = "kpi_portal.views.error_404"
handler500 = "kpi_portal.views.error_500"
