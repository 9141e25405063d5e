"""The portal's own lists (home, account, notifications, audit log, API): few rows or many,
the same number of queries."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluations import assessment
from evaluations.models import Evaluation, EvaluationState
from kpi_portal import audit
from kpi_portal.api import tokens
from kpi_portal.api_models import TokenScope
from kpi_portal.notifications import notify
from orgunits import services
from orgunits.models import Role, User
from reports import rollups
from tests.evaluations.view_helpers import log
from tests.orgunits.xlsx_helpers import read_rows
from tests.query_counts import add_units, few_and_many

pytestmark = pytest.mark.django_db

LIST_VIEWS = {
    "home": "test_home_page_of_someone_with_many_places_and_rights_uses_constant_queries",
    "accounts:profile": "test_profile_with_many_assignments_uses_constant_queries",
    "accounts:personal_data": "test_personal_data_download_uses_constant_queries",
    "notifications": "test_notification_list_uses_constant_queries",
    "audit_list": "test_audit_log_and_its_export_use_constant_queries",
    "api:tokens": "test_machine_account_list_uses_constant_queries",
    "api:unit-list": "test_api_unit_list_uses_constant_queries",
    "api:person-list": "test_api_person_list_uses_constant_queries",
    "api:product-list": "test_api_catalog_lists_use_constant_queries",
    "api:criteria-set-list": "test_api_catalog_lists_use_constant_queries",
    "api:entry-list": "test_api_work_log_uses_constant_queries",
    "api:evaluation-list": "test_api_evaluation_list_uses_constant_queries",
    "api:person-rollup-list": "test_api_rollup_lists_use_constant_queries",
    "api:unit-rollup-list": "test_api_rollup_lists_use_constant_queries",
    "api:results": "test_api_published_results_use_constant_queries",
}
NOT_LIST_VIEWS = {
    "healthz": "health probe",
    "notification_open": "redirect to one notification's link",
    "notification_read": "POST-only action",
    "notifications_read_all": "POST-only action",
    "accounts:login": "form",
    "accounts:logout": "POST-only action",
    "accounts:password_change": "form",
    "accounts:password_change_done": "message page",
    "accounts:password_reset": "form",
    "accounts:password_reset_done": "message page",
    "accounts:password_reset_confirm": "form",
    "accounts:password_reset_complete": "message page",
    "twofactor:overview": "one account's second-factor status",
    "twofactor:setup": "form",
    "twofactor:verify": "form",
    "twofactor:recovery_codes": "codes held in the session, no rows",
    "twofactor:recovery_codes_regenerate": "POST-only action",
    "twofactor:disable": "form",
    "guide:index": "guide text read from Markdown files, no rows",
    "guide:tour_dismiss": "POST-only action",
    "guide:role": "guide text read from Markdown files, no rows",
    "guide:pdf": "download of one guide",
    "api:unit-detail": "one unit",
    "api:person-detail": "one person",
    "api:product-detail": "one product",
    "api:criteria-set-detail": "one criteria set",
    "api:entry-detail": "one work entry",
    "api:entry-submit": "POST-only action",
    "api:evaluation-detail": "one evaluation",
    "api:person-rollup-detail": "one rollup row",
    "api:unit-rollup-detail": "one rollup row",
    "api:schema": "OpenAPI document, no rows",
    "api:docs": "documentation page, no rows",
    "api:token_revoke": "POST-only action",
}
# Not ours: listed by namespace, or by name where the library gives no namespace.
THIRD_PARTY_NAMESPACES = ("admin",)
THIRD_PARTY_URL_NAMES = (
    "set_language",  # django.conf.urls.i18n
    # mozilla_django_oidc, routed only when OIDC is enabled
    "oidc_authentication_init",
    "oidc_authentication_callback",
    "oidc_logout",
)


@pytest.fixture
def root(units) -> User:
    return User.objects.get(username="root")


def api_rows(body: bytes) -> list[dict]:
    return json.loads(body)["results"]


# ---- pages ----------------------------------------------------------------------------------


@pytest.fixture
def busy(root, units, head_a):
    """Give a user, per call, `count` new teams: headed as a second job, overseen and delegated."""
    today = timezone.localdate()

    def grow(user: User, count: int, prefix: str):
        for team in add_units(root, "T-B", count, prefix):
            services.assignment_add_secondary(
                person=user.person,
                unit=team,
                start=team.active_from,
                end=None,
                by=root,
                role="head",
            )
            services.role_grant(
                user=user, role=Role.HR_OFFICER, unit=team, valid_from=team.active_from, by=root
            )
            services.delegation_create(
                unit=units["T-A"],
                delegator=head_a.person,
                delegate=user.person,
                valid_from=today,
                valid_to=today + timedelta(days=30),
                reason=f"Đi công tác {prefix}",
                by=root,
            )

    return grow


def test_home_page_of_someone_with_many_places_and_rights_uses_constant_queries(
    client_for, busy, staff_a2
):
    busy(staff_a2, 2, "QA")
    few, many, body = few_and_many(
        client_for(staff_a2), reverse("home"), lambda: busy(staff_a2, 12, "QB")
    )
    html = body.decode()
    assert html.count("Đội QB ") == 36  # a second job, a leader's right and an HR grant each
    assert html.count("ủy quyền phê duyệt Phòng A") == 14
    assert few == many


def test_profile_with_many_assignments_uses_constant_queries(client_for, busy, staff_a2):
    busy(staff_a2, 2, "QA")
    url = reverse("accounts:profile")
    few, many, body = few_and_many(client_for(staff_a2), url, lambda: busy(staff_a2, 12, "QB"))
    assert body.decode().count("Đội QB ") == 12
    assert few == many


def test_personal_data_download_uses_constant_queries(client_for, busy, staff_a2):
    def grow(count: int, prefix: str):
        busy(staff_a2, count, prefix)
        for i in range(count):
            notify(recipients=[staff_a2], kind="qc", title=f"Thông báo {prefix} {i}")

    grow(2, "QA")
    url = reverse("accounts:personal_data") + "?format=json"
    few, many, body = few_and_many(client_for(staff_a2), url, lambda: grow(12, "QB"))
    data = json.loads(body)
    assert sum("QB" in str(row["unit"]) for row in data["assignments"]) == 12
    assert sum("QB" in row["title"] for row in data["notifications"]) == 12
    assert few == many


def test_notification_list_uses_constant_queries(client_for, staff_a):
    def grow(count: int, prefix: str):
        for i in range(count):
            notify(recipients=[staff_a], kind="qc", title=f"Thông báo {prefix} {i:03d}")

    grow(2, "QA")
    few, many, body = few_and_many(
        client_for(staff_a), reverse("notifications"), lambda: grow(20, "QB")
    )
    assert body.decode().count(">Thông báo QB ") == 20
    assert few == many


def test_audit_log_and_its_export_use_constant_queries(
    client_for, units, make_people, head_a, system_admin
):
    def grow(count: int, prefix: str):
        for person in make_people("T-A1", count, prefix=prefix):
            audit.record(
                by=person.user,
                on_behalf_of=head_a,
                action="qc.kiem_tra",
                obj=person,
                unit_path=units["T-A1"].path,
                reason=f"Kiểm tra {prefix}",
            )

    grow(2, "QA")
    url = reverse("audit_list") + "?action=qc.kiem_tra"
    few, many, body = few_and_many(client_for(system_admin), url, lambda: grow(20, "QB"))
    assert body.decode().count("Kiểm tra QB") == 20
    assert few == many

    few, many, body = few_and_many(
        client_for(system_admin), url + "&format=xlsx", lambda: grow(20, "QC")
    )
    assert sum(row[10] == "Kiểm tra QC" for row in read_rows(body)) == 20
    assert few == many


def test_machine_account_list_uses_constant_queries(client_for, units, system_admin):
    def grow(count: int, prefix: str):
        for i in range(count):
            tokens.token_create(
                by=system_admin,
                name=f"LGSP {prefix} {i:03d}",
                unit=units["T-A"],
                scope=TokenScope.READ,
            )

    grow(2, "QA")
    few, many, body = few_and_many(
        client_for(system_admin), reverse("api:tokens"), lambda: grow(20, "QB")
    )
    assert body.decode().count("LGSP QB ") == 20
    assert few == many


# ---- API ------------------------------------------------------------------------------------


def test_api_unit_list_uses_constant_queries(client_for, root, system_admin):
    def grow(count: int, prefix: str):
        for team in add_units(root, "T-B", count, prefix):
            add_units(root, team.code, 1, f"{team.code}-C")  # each child has its own parent

    grow(1, "QA")
    few, many, body = few_and_many(
        client_for(system_admin), reverse("api:unit-list"), lambda: grow(10, "QB")
    )
    rows = api_rows(body)
    assert sum(str(row["parent_code"]).startswith("QB-") for row in rows) == 10
    assert few == many


def test_api_person_list_uses_constant_queries(client_for, make_people, system_admin):
    make_people("T-A1", 2, prefix="QA")
    few, many, body = few_and_many(
        client_for(system_admin),
        reverse("api:person-list"),
        lambda: make_people("T-A1", 20, prefix="QB"),
    )
    assert sum(row["hrmis_code"].startswith("QB") for row in api_rows(body)) == 20
    assert few == many


def test_api_catalog_lists_use_constant_queries(
    client_for, units, make_product, make_set, sector_admin
):
    def grow(count: int, prefix: str):
        for i in range(count):
            make_product(units["T-A"], f"{prefix}{i:03d}")
            make_set(units["T-A"], code=f"{prefix}{i:03d}")

    grow(2, "QA")
    for name in ("api:product-list", "api:criteria-set-list"):
        prefix = "QB" if name == "api:product-list" else "QC"
        few, many, body = few_and_many(
            client_for(sector_admin), reverse(name), lambda p=prefix: grow(10, p)
        )
        assert sum(row["code"].startswith(prefix) for row in api_rows(body)) == 10
        assert few == many


def test_api_work_log_uses_constant_queries(client_for, staff_a, products, workday):
    def grow(count: int, note: str):
        for _i in range(count):
            log(staff_a, products["VB"], "1", workday, note=note)

    grow(2, "QA")
    few, many, body = few_and_many(
        client_for(staff_a), reverse("api:entry-list"), lambda: grow(20, "QB")
    )
    assert sum(row["note"] == "QB" for row in api_rows(body)) == 20
    assert few == many


def test_api_evaluation_list_uses_constant_queries(client_for, opened, make_people, head_agency):
    def grow():
        make_people("T-A1", 20, prefix="QB")
        assessment.evaluations_open(period=opened)

    few, many, body = few_and_many(client_for(head_agency), reverse("api:evaluation-list"), grow)
    assert sum(row["person_hrmis_code"].startswith("QB") for row in api_rows(body)) == 20
    assert few == many


def test_api_rollup_lists_use_constant_queries(client_for, root, opened, make_people, head_agency):
    rollups.rebuild_period(opened.pk, cascade=True)
    for prefix, name in (("QB", "api:person-rollup-list"), ("QC", "api:unit-rollup-list")):

        def grow(p=prefix):
            team = add_units(root, "T-A1", 1, p)[0]
            make_people(team.code, 20, prefix=p)
            for child in add_units(root, team.code, 10, f"{p}C"):
                make_people(child.code, 1, prefix=child.code.replace("-", ""))
            assessment.evaluations_open(period=opened)
            rollups.rebuild_period(opened.pk, cascade=True)

        url = reverse(name) + "?page_size=500"
        few, many, body = few_and_many(client_for(head_agency), url, grow)
        rows = api_rows(body)
        if name == "api:person-rollup-list":
            assert sum(row["person_hrmis_code"].startswith("QB") for row in rows) == 30
        else:
            assert sum(row["unit_code"].startswith("QC") for row in rows) >= 11
        assert few == many


def test_api_published_results_use_constant_queries(
    client_for, published, make_people, staff_a, system_admin
):
    decided = Evaluation.objects.get(person__user=staff_a, period=published)

    def grow():
        make_people("T-A1", 20, prefix="QB")
        assessment.evaluations_open(period=published)
        # Only the rows of the document matter here; the decision flow is tested elsewhere.
        Evaluation.objects.filter(period=published, person__hrmis_code__startswith="QB").update(
            state=EvaluationState.PUBLISHED,
            rating=decided.rating,
            decision_number=decided.decision_number,
            decision_date=decided.decision_date,
            published_at=decided.published_at,
        )

    url = reverse("api:results") + f"?ky={published.code}"
    few, many, body = few_and_many(client_for(system_admin), url, grow)
    rows = json.loads(body)["results"]
    assert sum(row["hrmis_code"].startswith("QB") for row in rows) == 20
    assert few == many
