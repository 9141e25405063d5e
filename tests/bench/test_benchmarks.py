"""The benchmarks of issue 9 run on a small seeded province and report figures beside floors."""

import json
import os
from datetime import date

import pytest
from django.core.management import call_command
from django.db import transaction

from bench import export_probe
from bench.benchmarks import aggregation, catalog_import, dashboards, excel_export, load
from bench.figures import Context
from catalog.models import Product
from evaluations.models import Period
from orgunits.models import OrgUnit, User
from reports import generators
from reports.models import PersonPeriodRollup, UnitPeriodRollup

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def province(django_db_setup, django_db_blocker):
    """40 people over two months, seeded once and rolled back at the end of the module."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with open(os.devnull, "w") as quiet:
                call_command("seed_scale", staff=40, months=2, stdout=quiet)
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def ctx(province, db):
    return Context(scale=40, months=2, today=date.today(), requests=2)


def test_aggregation_rebuilds_the_rollups_and_sets_them_beside_the_group_by_floor(ctx):
    (quarter,) = aggregation.run(ctx)
    assert quarter.value > 0 and quarter.floor > 0
    assert quarter.met == (quarter.value <= 2 * quarter.floor)
    seeded = Period.objects.filter(evaluations__isnull=False).distinct()
    assert (
        PersonPeriodRollup.objects.filter(period__in=seeded).count()
        == quarter.detail["person_rows"]
    )
    assert UnitPeriodRollup.objects.filter(scope_kind="quarter").exists()
    assert any(title.endswith("sàn") for title, _plan in ctx.explains)


def test_dashboards_measure_the_province_an_agency_and_a_unit_head(ctx):
    aggregation.run(ctx)
    figures = dashboards.run(ctx)
    assert {f.benchmark for f in figures} == {
        "Bảng điều khiển toàn tỉnh",
        "Bảng điều khiển cơ quan (xem chi tiết)",
        "Bảng điều khiển của thủ trưởng đơn vị",
    }
    assert all(f.value > 0 and f.floor > 0 for f in figures)


def test_export_probe_times_the_province_workbook_and_its_peak_memory(ctx, capsys):
    period = excel_export.report_period()
    root = OrgUnit.objects.get(code=excel_export.PROVINCE)
    viewer = User.objects.get(username=excel_export.VIEWER)
    export_probe.main(["xlsx", str(root.pk), str(period.pk), str(viewer.pk)])
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    people = generators._scoped_evaluations(root, period).count()
    assert result["rows"] == people > 40
    assert result["peak_rss_mb"] >= result["baseline_rss_mb"] > 0
    sql, params = generators._scoped_evaluations(root, period).query.sql_with_params()
    seconds, size = excel_export.copy_floor(sql, params)
    assert seconds > 0 and size > people * 100


def test_catalog_import_adds_then_finds_nothing_to_change_and_leaves_no_products(ctx, monkeypatch):
    monkeypatch.setattr(catalog_import, "ROWS", 30)
    before = Product.objects.count()
    first, again = catalog_import.run(ctx)
    assert "thêm 30" in first.detail["summaries"][0]
    assert "không đổi: 30" in again.note
    assert Product.objects.count() == before


def test_load_stats_are_read_per_class_after_every_user_has_started(tmp_path):
    prefix = tmp_path / "locust"
    header = "Type,Name,Request Count,Failure Count,50%,95%,Requests/s\n"
    (tmp_path / "locust_stats.csv").write_text(
        header + "POST,ghi nhận,100,0,40,90,5.0\n,Aggregated,100,1,40,90,5.0\n"
    )
    (tmp_path / "locust_stats_history.csv").write_text(
        "Timestamp,User Count,Name,Requests/s\n"
        "1,10,Aggregated,3.0\n2,20,Aggregated,9.0\n3,20,Aggregated,11.0\n"
    )
    by_name, sustained, failures = load._read_stats(str(prefix), 20)
    assert by_name["ghi nhận"]["95%"] == "90"
    assert sustained == 10.0
    assert failures == 0.01


def test_workbook_for_the_catalog_import_reads_back_in_the_import_format(province):
    from catalog.workbook import read_sheets

    (sheet,) = read_sheets(catalog_import.catalog_workbook(12))
    assert len(sheet.rows) == 12
