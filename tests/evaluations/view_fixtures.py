"""Entries, plan items and delegations for the evaluations screen tests."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from evaluations import services
from evaluations.models import PlanItem, WorkEntry
from orgunits import services as org_services
from orgunits.models import User

from .view_helpers import LOGIN_PATH, PDF_BYTES, log


@pytest.fixture
def root(units) -> User:
    """The superuser who built the world; has no person, so no work log."""
    return User.objects.get(username="root")


@pytest.fixture
def as_user(request):
    """A logged-in client for a persona fixture name (None: anonymous)."""

    def make(persona: str | None) -> Client:
        client = Client()
        if persona is not None:
            client.force_login(request.getfixturevalue(persona))
        return client

    return make


@pytest.fixture
def status_for(as_user):
    """The status a persona gets for a GET (or POST) of `url`; anonymous must go to login."""

    def status(persona: str | None, url: str, method: str = "get", data=None) -> int:
        response = getattr(as_user(persona), method)(url, data or {})
        if persona is None:
            assert response.status_code == 302
            assert response["Location"].startswith(LOGIN_PATH)
        return response.status_code

    return status


def _delegate(units, head_a, staff_a2, root, start, end) -> User:
    org_services.delegation_create(
        unit=units["T-A"],
        delegator=head_a.person,
        delegate=staff_a2.person,
        valid_from=start,
        valid_to=end,
        reason="Trưởng phòng đi công tác",
        by=root,
    )
    return staff_a2


@pytest.fixture
def delegate(units, head_a, staff_a2, root) -> User:
    """staff_a2, holding head_a's approval rights over Phòng A from yesterday for a week."""
    today = timezone.localdate()
    return _delegate(
        units, head_a, staff_a2, root, today - timedelta(days=1), today + timedelta(days=7)
    )


@pytest.fixture
def expired_delegate(units, head_a, staff_a2, root) -> User:
    """staff_a2, whose delegation from head_a ended yesterday."""
    today = timezone.localdate()
    return _delegate(
        units, head_a, staff_a2, root, today - timedelta(days=10), today - timedelta(days=1)
    )


@pytest.fixture
def draft(staff_a, products, workday, quota) -> WorkEntry:
    """A draft of staff_a: two Báo cáo định kỳ (2 sản phẩm chuẩn)."""
    return log(staff_a, products["BC"], "2", workday)


@pytest.fixture
def submitted(draft, staff_a) -> WorkEntry:
    return services.entry_submit(by=staff_a, entry=draft)


@pytest.fixture
def media(settings, tmp_path):
    """Uploads go to a throw-away folder; returns it so tests can see what was written."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def with_evidence(media, staff_a, products, workday, quota) -> WorkEntry:
    upload = SimpleUploadedFile("bien-ban.pdf", PDF_BYTES, content_type="application/pdf")
    return log(staff_a, products["VB"], "1", workday, evidence=upload)


@pytest.fixture
def plan_item(head_a, staff_a, products, period) -> PlanItem:
    return services.plan_item_assign(
        by=head_a,
        person=staff_a.person,
        period=period,
        product=products["BC"],
        quantity=Decimal("10"),
        due_date=period.end,
    )


@pytest.fixture
def proposal(staff_a, products, period) -> PlanItem:
    return services.plan_item_propose(
        by=staff_a,
        period=period,
        product=products["VB"],
        quantity=Decimal("2"),
        due_date=period.end,
    )
