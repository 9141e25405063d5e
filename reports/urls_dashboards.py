from django.urls import path

from . import views_dashboards as views

urlpatterns = [
    path("tinh/", views.province_dashboard, name="province_dashboard"),
    path("don-vi/<int:unit_pk>/", views.unit_dashboard, name="unit_dashboard"),
    path("nguoi/<int:person_pk>/", views.person_dashboard, name="person_dashboard"),
    path("don-vi-cua-toi/", views.team_dashboard, name="team_dashboard"),
    path("don-vi-cua-toi/<int:unit_pk>/", views.team_dashboard, name="team_dashboard_unit"),
    path("ca-nhan/", views.personal_dashboard, name="personal_dashboard"),
    path("ca-nhan/du-kien/", views.personal_projection, name="personal_projection"),
]
