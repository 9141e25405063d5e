from django.urls import include, path

app_name = "reports"

urlpatterns = [
    path("", include("reports.urls_dashboards")),
    path("xuat/", include("reports.urls_exports")),
    path("gop-y/", include("reports.urls_pilot")),
    path("thi-diem/", include("reports.urls_adoption")),
    path("bao-cao-quy/", include("reports.urls_quarterly")),
]
