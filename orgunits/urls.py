from django.urls import path

from . import import_views, views

app_name = "orgunits"

urlpatterns = [
    path("", views.tree, name="tree"),
    path("cay/<int:pk>/", views.tree_children, name="tree_children"),
    path("don-vi/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("can-bo/", views.directory, name="directory"),
    path("can-bo/<int:pk>/", views.person_detail, name="person_detail"),
    # Administration screens (sector and system admins; heads for their own delegations).
    path("don-vi/<int:pk>/them-don-vi/", views.unit_create, name="unit_create"),
    path("don-vi/<int:pk>/sua/", views.unit_edit, name="unit_edit"),
    path("don-vi/<int:pk>/chuyen/", views.unit_move, name="unit_move"),
    path("don-vi/<int:pk>/ngung-hoat-dong/", views.unit_close, name="unit_close"),
    path("don-vi/<int:pk>/sap-nhap/", views.unit_merge, name="unit_merge"),
    path("don-vi/<int:pk>/them-can-bo/", views.person_create, name="person_create"),
    path("don-vi/<int:pk>/phan-quyen/", views.unit_access, name="unit_access"),
    path("don-vi/<int:pk>/phan-quyen/them/", views.role_grant, name="role_grant"),
    path("don-vi/<int:pk>/uy-quyen/them/", views.delegation_create, name="delegation_create"),
    path("phan-quyen/<int:pk>/thu-hoi/", views.role_revoke, name="role_revoke"),
    path("uy-quyen/<int:pk>/thu-hoi/", views.delegation_revoke, name="delegation_revoke"),
    path("can-bo/<int:pk>/sua/", views.person_edit, name="person_edit"),
    path("can-bo/<int:pk>/dieu-chuyen/", views.person_transfer, name="person_transfer"),
    path("can-bo/<int:pk>/kiem-nhiem/", views.person_add_secondary, name="person_add_secondary"),
    path("can-bo/<int:pk>/nghi-viec/", views.person_deactivate, name="person_deactivate"),
    path("qua-trinh-cong-tac/<int:pk>/ket-thuc/", views.assignment_end, name="assignment_end"),
    # Excel import and export of units and staff.
    path("nhap-xuat/", import_views.import_export, name="import_export"),
    path("nhap-xuat/mau/<str:kind>/", import_views.import_template, name="import_template"),
    path("nhap-xuat/xuat/<str:kind>/", import_views.export, name="export"),
    path("nhap-xuat/nhap/", import_views.import_upload, name="import_upload"),
]
