from django.urls import path

from . import views_exports

urlpatterns = [
    path("", views_exports.export_list, name="export_list"),
    path("tao/", views_exports.export_create, name="export_create"),
    path("<int:pk>/trang-thai/", views_exports.export_status, name="export_status"),
    path("<int:pk>/tai-ve/", views_exports.export_download, name="export_download"),
    path("<int:pk>/thu-lai/", views_exports.export_retry, name="export_retry"),
]
