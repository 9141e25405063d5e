from django.urls import path

from . import views_pilot as views

urlpatterns = [
    path("", views.feedback_mine, name="feedback_mine"),
    path("gui/", views.feedback_create, name="feedback_create"),
    path("can-xu-ly/", views.feedback_inbox, name="feedback_inbox"),
    path("so-theo-doi/", views.feedback_register, name="feedback_register"),
    path("<int:pk>/", views.feedback_detail, name="feedback_detail"),
    path("<int:pk>/xem-xet/", views.feedback_start_review, name="feedback_start_review"),
    path("<int:pk>/tra-loi/", views.feedback_answer, name="feedback_answer"),
    path("<int:pk>/chap-nhan/", views.feedback_accept, name="feedback_accept"),
    path("<int:pk>/khong-chap-nhan/", views.feedback_decline, name="feedback_decline"),
]
