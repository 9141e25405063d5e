from django.urls import path

from . import views

app_name = "twofactor"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("thiet-lap/", views.setup, name="setup"),
    path("xac-minh/", views.verify, name="verify"),
    path("ma-du-phong/", views.recovery_codes, name="recovery_codes"),
    path("ma-du-phong/tao-moi/", views.recovery_codes_regenerate, name="recovery_codes_regenerate"),
    path("tat/", views.disable, name="disable"),
]
