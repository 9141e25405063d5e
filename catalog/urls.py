from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("", views.product_list, name="product_list"),
    path("san-pham/them/", views.product_create, name="product_create"),
    path("san-pham/<int:pk>/", views.product_detail, name="product_detail"),
    path("san-pham/<int:pk>/sua/", views.product_update, name="product_update"),
    path("san-pham/<int:pk>/ngung-ap-dung/", views.product_retire, name="product_retire"),
    path("he-so-quy-doi/", views.product_bulk_coefficients, name="bulk_coefficients"),
    path("dinh-muc/", views.quota_list, name="quota_list"),
    path("dinh-muc/them/", views.quota_create, name="quota_create"),
    path("dinh-muc/<int:pk>/sua/", views.quota_update, name="quota_update"),
    path("bang-quy-doi/", views.conversion_table_list, name="conversion_table_list"),
    path("bang-quy-doi/them/", views.conversion_table_create, name="conversion_table_create"),
    path("bang-quy-doi/<int:pk>/", views.conversion_table_detail, name="conversion_table_detail"),
    path(
        "bang-quy-doi/<int:pk>/sua/", views.conversion_table_update, name="conversion_table_update"
    ),
    path(
        "bang-quy-doi/<int:pk>/them-dong/",
        views.conversion_rule_create,
        name="conversion_rule_create",
    ),
    path("dong-quy-doi/<int:pk>/sua/", views.conversion_rule_update, name="conversion_rule_update"),
    path("dong-quy-doi/<int:pk>/xoa/", views.conversion_rule_delete, name="conversion_rule_delete"),
    path("bo-tieu-chi/", views.criteria_set_list, name="criteria_set_list"),
    path("bo-tieu-chi/them/", views.criteria_set_create, name="criteria_set_create"),
    path("bo-tieu-chi/<int:pk>/", views.criteria_set_detail, name="criteria_set_detail"),
    path("bo-tieu-chi/<int:pk>/sua/", views.criteria_set_update, name="criteria_set_update"),
    path("bo-tieu-chi/<int:pk>/so-sanh/", views.criteria_set_diff, name="criteria_set_diff"),
    path("phien-ban/<int:pk>/", views.version_detail, name="version_detail"),
    path("phien-ban/<int:pk>/soan-thao/", views.version_edit, name="version_edit"),
    path("phien-ban/<int:pk>/ban-hanh/", views.version_publish, name="version_publish"),
    path("phien-ban/<int:pk>/ban-moi/", views.version_new_draft, name="version_new_draft"),
    path("phien-ban/<int:pk>/ngung-ap-dung/", views.version_retire, name="version_retire"),
    path("phien-ban/<int:pk>/huy/", views.version_discard, name="version_discard"),
    path("phien-ban/<int:pk>/tai-json/", views.version_export, name="version_export"),
    path("phien-ban/<int:pk>/nap-json/", views.version_import, name="version_import"),
    path("tra-cuu/", views.criteria_lookup, name="lookup"),
    path("nhap-excel/", views.catalog_import, name="import"),
    path("xuat-excel/", views.catalog_export, name="export"),
]
