from django.urls import path

from . import views_adoption as views

urlpatterns = [
    path("", views.adoption_dashboard, name="adoption_dashboard"),
    path("don-vi/<int:unit_pk>/", views.adoption_unit, name="adoption_unit"),
    path("don-vi/<int:unit_pk>/xuat/", views.adoption_export, name="adoption_export"),
    path("so-ket/", views.pack_request, name="pilot_pack"),
    path("xep-loai-nam-truoc/", views.baselines, name="adoption_baselines"),
]
