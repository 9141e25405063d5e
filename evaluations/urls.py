from django.urls import path

from . import views

app_name = "evaluations"

urlpatterns = [
    path("nhat-ky/", views.worklog_current, name="worklog_current"),
    path("nhat-ky/<int:period_pk>/", views.worklog, name="worklog"),
    path("nhat-ky/<int:period_pk>/gui-tat-ca/", views.entries_submit_all, name="submit_all"),
    path("nhat-ky/san-pham/", views.product_search, name="product_search"),
    path(
        "nhat-ky/san-pham/<int:product_pk>/hay-dung/",
        views.favourite_toggle,
        name="favourite_toggle",
    ),
    path("nhat-ky/muc/<int:pk>/", views.entry_detail, name="entry_detail"),
    path("nhat-ky/muc/<int:pk>/sua/", views.entry_edit, name="entry_edit"),
    path("nhat-ky/muc/<int:pk>/xoa/", views.entry_delete, name="entry_delete"),
    path("nhat-ky/muc/<int:pk>/gui/", views.entry_submit, name="entry_submit"),
    path("nhat-ky/muc/<int:pk>/ghi-lai/", views.entry_repeat, name="entry_repeat"),
    path("nhat-ky/muc/<int:pk>/minh-chung/", views.entry_evidence, name="entry_evidence"),
    path("phe-duyet/", views.review_queue, name="review_queue"),
    path("phe-duyet/duyet-nhieu/", views.review_bulk_approve, name="bulk_approve"),
    path("phe-duyet/muc/<int:pk>/", views.entry_review, name="entry_review"),
    path("ke-hoach/", views.plan_current, name="plan_current"),
    path("ke-hoach/<int:period_pk>/don-vi/", views.team_plan, name="team_plan"),
    path(
        "ke-hoach/<int:period_pk>/don-vi/sao-chep/",
        views.plan_copy_previous,
        name="plan_copy_previous",
    ),
    path("ke-hoach/<int:period_pk>/cua-toi/", views.my_plan, name="my_plan"),
    path("ke-hoach/nhiem-vu/<int:pk>/quyet-dinh/", views.plan_item_decide, name="plan_decide"),
    path("ke-hoach/nhiem-vu/<int:pk>/xoa/", views.plan_item_remove, name="plan_remove"),
    path("ky-danh-gia/", views.period_list, name="period_list"),
    path("ky-danh-gia/<int:pk>/chuyen-buoc/", views.period_advance, name="period_advance"),
    path("ky-danh-gia/<int:pk>/mo-lai/", views.period_reopen, name="period_reopen"),
    path("ky-danh-gia/quy-dinh/<slug:bloc>/", views.policy_edit, name="policy_edit"),
]
