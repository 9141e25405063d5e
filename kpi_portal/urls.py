from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from . import audit_views, health, notification_views, views

admin.site.site_header = f"{settings.SYSTEM_NAME} — quản trị kỹ thuật"
# The Django admin is a superuser's repair tool; everyone else works in the app's own screens.
admin.site.has_permission = lambda request: request.user.is_active and request.user.is_superuser

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("tai-khoan/xac-thuc-2-lop/", include("orgunits.twofactor.urls")),
    path("tai-khoan/", include("orgunits.account_urls")),
    path("to-chuc/", include("orgunits.urls")),
    path("danh-muc/", include("catalog.urls")),
    path("cong-viec/", include("evaluations.urls")),
    path("bao-cao/", include("reports.urls")),
    path("huong-dan/", include("kpi_portal.guide_views")),
    path("api/", include("kpi_portal.api.urls")),
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
    path("nhat-ky-he-thong/", audit_views.audit_list, name="audit_list"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("quan-tri-ky-thuat/", admin.site.urls),
]

if settings.OIDC_ENABLED:
    urlpatterns.append(path("oidc/", include("mozilla_django_oidc.urls")))

handler403 = "kpi_portal.views.error_403"
handler404 = "kpi_portal.views.error_404"
handler500 = "kpi_portal.views.error_500"
