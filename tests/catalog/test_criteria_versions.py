"""Criteria set versions: draft → published (frozen by every path) → retired, and the lookup."""

import json
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, InternalError, connection, transaction

from catalog import services
from catalog.models import CriteriaSetVersion, PublishedVersionError, VersionStatus
from evaluations.scoring import ScoringRules

pytestmark = pytest.mark.django_db

DB_REFUSALS = (IntegrityError, InternalError)


@pytest.fixture
def published(units, make_set, publish):
    criteria_set = make_set(units["T-SO"])
    return publish(criteria_set, date(2026, 1, 1))


def test_new_set_starts_as_a_draft_copied_from_its_preset(units, make_set):
    criteria_set = make_set(units["T-SO"], preset="qd366")
    version = criteria_set.versions.get()
    assert version.status == VersionStatus.DRAFT
    assert ScoringRules.from_dict(version.rules) == ScoringRules.qd366()
    assert len(version.general_descriptions) == 3


def test_published_version_loads_in_the_scoring_engine(published):
    assert ScoringRules.from_dict(published.rules) == ScoringRules.nd335()


def test_publishing_needs_a_start_date(units, make_set, root):
    draft = make_set(units["T-SO"]).versions.get()
    with pytest.raises(ValidationError, match="ngày bắt đầu áp dụng"):
        services.criteria_version_publish(version=draft, by=root)


def test_service_refuses_to_edit_a_published_version(published, root):
    with pytest.raises(PublishedVersionError):
        services.criteria_version_update(
            version=published, by=root, rules={**published.rules, "task_max": "60"}
        )
    published.refresh_from_db()
    assert published.rules["task_max"] == "70"


def test_service_refuses_to_discard_a_published_version(published, root):
    with pytest.raises(PublishedVersionError):
        services.criteria_version_discard(version=published, by=root)
    assert CriteriaSetVersion.objects.filter(pk=published.pk).exists()


def test_model_save_refuses_a_changed_published_version(published):
    published.rules = {**published.rules, "task_max": "60"}
    with pytest.raises(PublishedVersionError):
        published.save()


def test_model_save_refuses_to_reopen_a_published_version_as_draft(published):
    published.status = VersionStatus.DRAFT
    with pytest.raises(PublishedVersionError):
        published.save()


def test_model_delete_refuses_a_published_version(published):
    with pytest.raises(PublishedVersionError):
        published.delete()


def test_queryset_update_is_stopped_by_the_database_trigger(published):
    with pytest.raises(DB_REFUSALS, match="không được sửa"), transaction.atomic():
        CriteriaSetVersion.objects.filter(pk=published.pk).update(valid_from=date(2025, 1, 1))


def test_queryset_delete_is_stopped_by_the_database_trigger(published):
    with pytest.raises(DB_REFUSALS, match="không được sửa"), transaction.atomic():
        CriteriaSetVersion.objects.filter(pk=published.pk)._raw_delete(connection.alias)


def test_raw_sql_update_of_the_rules_is_stopped_by_the_database_trigger(published):
    with pytest.raises(DB_REFUSALS), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE catalog_criteriasetversion SET rules = '{}'::jsonb WHERE id = %s",
            [published.pk],
        )


def test_fixture_loading_cannot_overwrite_a_published_version(published, tmp_path):
    fixture = tmp_path / "version.json"
    row = {
        "model": "catalog.criteriasetversion",
        "pk": published.pk,
        "fields": {
            "criteria_set": published.criteria_set_id,
            "number": published.number,
            "status": "published",
            "valid_from": "2026-01-01",
            "rules": {**published.rules, "task_max": "60"},
            "general_descriptions": [],
            "note": "",
            "created_at": published.created_at.isoformat(),
        },
    }
    fixture.write_text(json.dumps([row]), encoding="utf-8")
    with pytest.raises(Exception, match="không được sửa"), transaction.atomic():
        call_command("loaddata", str(fixture), verbosity=0)
    published.refresh_from_db()
    assert published.rules["task_max"] == "70"


def test_retiring_is_the_one_change_a_published_version_accepts(published, root):
    retired = services.criteria_version_retire(
        version=published, on=date(2026, 7, 1), by=root, reason="Thay bằng bộ tiêu chí mới"
    )
    assert retired.status == VersionStatus.RETIRED
    with pytest.raises(DB_REFUSALS), transaction.atomic():
        CriteriaSetVersion.objects.filter(pk=published.pk).update(retired_on=date(2027, 1, 1))


def test_retiring_needs_a_reason(published, root):
    with pytest.raises(ValidationError, match="lý do"):
        services.criteria_version_retire(version=published, on=date(2026, 7, 1), by=root, reason="")


def test_new_draft_copies_the_rules_and_leaves_the_source_untouched(published, root):
    draft = services.criteria_version_new_draft(from_version=published, by=root)
    services.criteria_version_update(
        version=draft,
        by=root,
        rules={**draft.rules, "bands": [["HTXS", "95"], ["HTT", "75"], ["HT", "50"]]},
    )
    published.refresh_from_db()
    assert draft.number == 2
    assert draft.based_on == published
    assert published.rules["bands"][0] == ["HTXS", "90"]


def test_only_one_draft_at_a_time(published, root):
    services.criteria_version_new_draft(from_version=published, by=root)
    with pytest.raises(ValidationError, match="dự thảo"):
        services.criteria_version_new_draft(from_version=published, by=root)


def test_a_later_version_must_start_after_the_latest_published_one(published, root):
    draft = services.criteria_version_new_draft(from_version=published, by=root)
    with pytest.raises(ValidationError, match="01/01/2026"):
        services.criteria_version_publish(version=draft, by=root, valid_from=date(2026, 1, 1))


def test_invalid_rules_never_reach_a_draft(units, make_set, root):
    draft = make_set(units["T-SO"]).versions.get()
    with pytest.raises(ValidationError, match="bằng 100"):
        services.criteria_version_update(
            version=draft, by=root, rules={**draft.rules, "task_max": "1"}
        )


def test_each_change_writes_one_audit_event(units, make_set, publish):
    from kpi_portal.models import AuditEvent

    criteria_set = make_set(units["T-SO"])
    version = publish(criteria_set, date(2026, 1, 1))
    actions = list(
        AuditEvent.objects.filter(action__startswith="catalog.criteria").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["catalog.criteria_set_create", "catalog.criteria_version_publish"]
    assert version.published_by.username == "root"


# ---- which version applies -----------------------------------------------------------------


def test_period_started_under_v1_still_resolves_v1_after_v2_is_published(units, make_set, publish):
    criteria_set = make_set(units["T-SO"])
    v1 = publish(criteria_set, date(2025, 7, 1))
    v2 = publish(criteria_set, date(2026, 1, 1), task_max="60", general_groups=[["Chung", "40"]])
    lookup = services.criteria_version_for
    assert lookup(unit=units["T-A1a"], on=date(2025, 12, 31)) == v1
    assert lookup(unit=units["T-A1a"], on=date(2026, 1, 1)) == v2
    assert lookup(unit=units["T-A"], on=date(2025, 6, 30)) is None


def test_lookup_respects_the_subtree(units, make_set, publish):
    publish(make_set(units["T-A"], code="A"), date(2025, 7, 1))
    assert services.criteria_version_for(unit=units["T-A1"], on=date(2025, 8, 1)) is not None
    assert services.criteria_version_for(unit=units["T-B"], on=date(2025, 8, 1)) is None
    assert services.criteria_version_for(unit=units["T-SO"], on=date(2025, 8, 1)) is None


def test_deeper_owner_wins_over_the_bloc(units, make_set, publish):
    bloc = publish(make_set(units["T-CQ"], code="CQ"), date(2025, 7, 1))
    agency = publish(make_set(units["T-A"], code="A", preset="khanh_hoa"), date(2025, 7, 1))
    assert services.criteria_version_for(unit=units["T-A1a"], on=date(2025, 9, 1)) == agency
    assert services.criteria_version_for(unit=units["T-B"], on=date(2025, 9, 1)) == bloc


def test_sector_set_overrides_the_bloc_but_not_the_agency(units, make_set, publish, health_sector):
    publish(make_set(units["T-CQ"], code="CQ"), date(2025, 7, 1))
    sector = publish(make_set(health_sector, code="YT", preset="khanh_hoa"), date(2025, 7, 1))
    assert services.criteria_version_for(unit=units["T-B"], on=date(2025, 9, 1)) == sector
    own = publish(make_set(units["T-B"], code="B"), date(2025, 8, 1))
    assert services.criteria_version_for(unit=units["T-B"], on=date(2025, 9, 1)) == own


def test_a_nearer_set_without_a_version_in_force_falls_back_to_the_next(units, make_set, publish):
    bloc = publish(make_set(units["T-CQ"], code="CQ"), date(2025, 7, 1))
    publish(make_set(units["T-A"], code="A"), date(2026, 1, 1))
    make_set(units["T-SO"], code="SO")  # a draft only
    assert services.criteria_version_for(unit=units["T-A"], on=date(2025, 9, 1)) == bloc


def test_retired_version_stops_applying_from_its_retirement_date(units, make_set, publish, root):
    version = publish(make_set(units["T-SO"]), date(2025, 7, 1))
    services.criteria_version_retire(
        version=version, on=date(2026, 1, 1), by=root, reason="Hết hiệu lực"
    )
    assert services.criteria_version_for(unit=units["T-A"], on=date(2025, 12, 31)) == version
    assert services.criteria_version_for(unit=units["T-A"], on=date(2026, 1, 1)) is None
