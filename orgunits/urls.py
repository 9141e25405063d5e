from django.urls import path

from . import views

app_name = "orgunits"

urlpatterns = [
    path("", views.tree, name="tree"),
    path("cay/<int:pk>/", views.tree_children, name="tree_children"),
    path("don-vi/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("can-bo/", views.directory, name="directory"),
    path("can-bo/<int:pk>/", views.person_detail, name="person_detail"),
]
