from django.urls import path

from . import views
from .views import annual as annual_views
from .views import appeals as appeal_views
from .views import assessment as assessment_views
from .views import calculator as calculator_views
from .views import decisions as decision_views
from .views import periods as period_views

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
    path("ky-danh-gia/<int:pk>/khoa/", period_views.period_lock, name="period_lock"),
    path("ky-danh-gia/quy-dinh/<slug:bloc>/", views.policy_edit, name="policy_edit"),
    # Phiếu đánh giá, quyết định, công bố, khiếu nại, năm (issue 6).
    path("danh-gia/", assessment_views.evaluation_current, name="evaluation_current"),
    path("danh-gia/<int:pk>/", assessment_views.evaluation_detail, name="evaluation_detail"),
    path(
        "danh-gia/<int:pk>/tu-danh-gia/",
        assessment_views.evaluation_self_assess,
        name="evaluation_self_assess",
    ),
    path(
        "danh-gia/<int:pk>/xem-truoc/",
        assessment_views.evaluation_preview,
        name="evaluation_preview",
    ),
    path(
        "danh-gia/<int:pk>/thu-truong/",
        assessment_views.evaluation_head_assess,
        name="evaluation_head_assess",
    ),
    path(
        "danh-gia/<int:pk>/tra-lai/", assessment_views.evaluation_return, name="evaluation_return"
    ),
    path(
        "danh-gia/<int:pk>/tham-dinh/",
        assessment_views.evaluation_hr_check,
        name="evaluation_hr_check",
    ),
    path("danh-gia/<int:pk>/khieu-nai/", appeal_views.appeal_file, name="appeal_file"),
    path("danh-gia/don-vi/", assessment_views.team_evaluations, name="team_evaluations"),
    path("danh-gia/tham-dinh/", assessment_views.hr_queue, name="hr_queue"),
    path("danh-gia/quyet-dinh/", decision_views.decision_list, name="decision_list"),
    path(
        "danh-gia/quyet-dinh/<int:period_pk>/<int:unit_pk>/",
        decision_views.decision_detail,
        name="decision_detail",
    ),
    path(
        "danh-gia/quyet-dinh/<int:period_pk>/<int:unit_pk>/cong-bo/",
        decision_views.decision_publish,
        name="decision_publish",
    ),
    path(
        "danh-gia/ket-qua/<int:period_pk>/<int:unit_pk>/",
        assessment_views.unit_results,
        name="unit_results",
    ),
    path("danh-gia/khieu-nai/", appeal_views.appeal_list, name="appeal_list"),
    path("danh-gia/khieu-nai/<int:pk>/", appeal_views.appeal_detail, name="appeal_detail"),
    path(
        "danh-gia/khieu-nai/tep/<int:pk>/",
        appeal_views.appeal_attachment,
        name="appeal_attachment",
    ),
    path("danh-gia/tinh-thu/", calculator_views.calculator, name="calculator"),
    path("danh-gia/nam/<int:year>/", annual_views.annual, name="annual"),
    path(
        "danh-gia/nam/<int:year>/<int:unit_pk>/tinh/",
        annual_views.annual_compute,
        name="annual_compute",
    ),
    path(
        "danh-gia/nam/<int:year>/<int:unit_pk>/quyet-dinh/",
        annual_views.annual_decide,
        name="annual_decide",
    ),
    path(
        "danh-gia/nam/<int:year>/<int:unit_pk>/cong-bo/",
        annual_views.annual_publish,
        name="annual_publish",
    ),
    path(
        "danh-gia/nam/<int:year>/<int:unit_pk>/ket-qua/",
        annual_views.annual_unit_results,
        name="annual_unit_results",
    ),
    path("danh-gia/nam/<int:year>/xem-truoc/", annual_views.annual_preview, name="annual_preview"),
    path("danh-gia/nam/ket-qua/<int:pk>/", annual_views.annual_result, name="annual_result"),
    path("danh-gia/quy/<int:year>/<int:quarter>/", annual_views.quarter, name="quarter"),
    path(
        "danh-gia/quy/<int:year>/<int:quarter>/<int:unit_pk>/tinh/",
        annual_views.quarter_compute,
        name="quarter_compute",
    ),
    path(
        "danh-gia/quy/<int:year>/<int:quarter>/<int:unit_pk>/quyet-dinh/",
        annual_views.quarter_decide,
        name="quarter_decide",
    ),
    path(
        "danh-gia/nam/<int:year>/tap-the/<int:unit_pk>/",
        annual_views.collective,
        name="collective",
    ),
]
