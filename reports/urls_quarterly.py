from django.urls import path

from . import views_quarterly as views

urlpatterns = [
    path("", views.quarterly_mine, name="quarterly_mine"),
    path("theo-doi/", views.quarterly_tracking, name="quarterly_tracking"),
    path(
        "tong-hop/<int:year>-Q<int:quarter>.<str:fmt>",
        views.quarterly_consolidated,
        name="quarterly_consolidated",
    ),
    path(
        "lap/<int:body_id>/<int:year>-Q<int:quarter>/", views.quarterly_edit, name="quarterly_edit"
    ),
    path("<int:pk>/", views.quarterly_detail, name="quarterly_detail"),
    path("<int:pk>/gui/", views.quarterly_submit, name="quarterly_submit"),
    path("<int:pk>/tra-lai/", views.quarterly_return, name="quarterly_return"),
    path("<int:pk>/tiep-nhan/", views.quarterly_accept, name="quarterly_accept"),
]
