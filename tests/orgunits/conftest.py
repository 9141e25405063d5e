import pytest
from django.utils import timezone

from orgunits import services
from orgunits.models import AssignmentRole, JobPosition, JobPositionGroup, OrgUnit, User

LOGIN_PATH = "/tai-khoan/dang-nhap/"


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def status_for(request, client_for):
    """The status a persona (by fixture name, or None for anonymous) gets for a GET of `url`."""

    def status(persona: str | None, url: str) -> int:
        user = request.getfixturevalue(persona) if persona else None
        response = client_for(user).get(url)
        if persona is None:
            assert response["Location"].startswith(LOGIN_PATH)
        return response.status_code

    return status


@pytest.fixture
def make_people(units):
    """Add `count` staff with a job position to a unit (by code), through the real service."""
    root = User.objects.get(username="root")
    group, _new = JobPositionGroup.objects.get_or_create(
        code="CM", defaults={"name": "Chuyên môn, nghiệp vụ"}
    )
    position, _new = JobPosition.objects.get_or_create(
        code="CV", defaults={"name": "Chuyên viên", "group": group}
    )

    def make(code: str, count: int, prefix: str = "QC"):
        unit = OrgUnit.objects.get(code=code)
        return [
            services.person_create(
                by=root,
                username=f"{prefix.lower()}{i:04d}",
                unit=unit,
                start=unit.active_from,
                role=AssignmentRole.STAFF,
                full_name=f"Trần Thị {prefix} {i:04d}",
                category="vien_chuc",
                hrmis_code=f"{prefix}{i:04d}",
                job_position=position,
            )
            for i in range(count)
        ]

    return make
