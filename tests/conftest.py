import pytest
from django.test import Client

from orgunits.models import OrgUnit, Person, User

from . import world


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The persona world is built once per test database; each test rolls back its own changes."""
    with django_db_blocker.unblock():
        world.build()


@pytest.fixture
def units(db) -> dict[str, OrgUnit]:
    world.build()  # a flushed (transactional) database needs it again
    return {u.code: u for u in OrgUnit.objects.filter(code__startswith="T-")}


def _persona(name: str):
    @pytest.fixture
    def fixture(units) -> User:
        return User.objects.select_related("person").get(username=name)

    return fixture


staff_a = _persona("staff_a")
staff_a2 = _persona("staff_a2")
head_a = _persona("head_a")
deputy_a = _persona("deputy_a")
staff_a1a = _persona("staff_a1a")
head_agency = _persona("head_agency")
outsider_b = _persona("outsider_b")
head_b = _persona("head_b")
hr_officer = _persona("hr_officer")
org_dept_viewer = _persona("org_dept_viewer")
party_viewer = _persona("party_viewer")
sector_admin = _persona("sector_admin")
system_admin = _persona("system_admin")


@pytest.fixture
def client_for():
    """A logged-in client for a persona (or an anonymous one for None)."""

    def make(user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def person_of():
    return lambda user: Person.objects.get(user=user)
