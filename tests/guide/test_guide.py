"""The in-app user guide: pages per role, search, help links, printable handouts, the tour."""

import io
import re
import unicodedata
from pathlib import Path

import pytest
from django.conf import settings
from pypdf import PdfReader

from kpi_portal import guide_views
from orgunits.models import User
from reports.models import GuideProgress

pytestmark = pytest.mark.django_db

HELP_LINK = re.compile(r'{%\s*help_link\s+"([a-z_]+)"\s+"([a-z0-9-]+)"\s*%}')


@pytest.mark.parametrize("role", list(guide_views.ROLES))
def test_guide_page_renders_for_each_role_with_a_table_of_contents(role, staff_a, client_for):
    response = client_for(staff_a).get(f"/huong-dan/{role}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="toc"' in html
    assert "<h2" in html


def test_guide_index_lists_every_role(staff_a, client_for):
    html = client_for(staff_a).get("/huong-dan/").content.decode()
    for role in guide_views.ROLES:
        assert f"/huong-dan/{role}/" in html


def test_guide_needs_login_and_unknown_role_is_404(staff_a, client_for):
    assert client_for(None).get("/huong-dan/staff/").status_code == 302
    assert client_for(staff_a).get("/huong-dan/khong-co/").status_code == 404
    assert client_for(staff_a).get("/huong-dan/khong-co/pdf/").status_code == 404


@pytest.mark.parametrize("query", ["Mẫu 01", "mau 01", "MẪU 01"])
def test_search_finds_form_01_in_the_staff_guide_whatever_the_diacritics(
    query, staff_a, client_for
):
    hits = guide_views.search(query)
    assert ("staff", "tu-danh-gia-mau-01") in {(hit["role"], hit["anchor"]) for hit in hits}
    html = client_for(staff_a).get("/huong-dan/", {"q": query}).content.decode()
    assert "/huong-dan/staff/#tu-danh-gia-mau-01" in html


def test_search_handles_d_with_stroke_and_finds_nothing_for_nonsense():
    assert guide_views.search("danh gia cua thu truong")
    assert guide_views.search("xyzzy khong co") == []


def test_rendered_headings_carry_the_anchors_search_links_to(staff_a, client_for):
    html = client_for(staff_a).get("/huong-dan/staff/").content.decode()
    assert 'id="tu-danh-gia-mau-01"' in html
    assert 'id="ghi-nhan-san-pham"' in html


def test_every_help_link_in_the_templates_points_at_an_existing_section():
    templates = Path(settings.BASE_DIR) / "templates"
    links = {
        match
        for path in templates.rglob("*.html")
        for match in HELP_LINK.findall(path.read_text(encoding="utf-8"))
    }
    assert ("staff", "ghi-nhan-san-pham") in links
    for role, anchor in links:
        assert anchor in guide_views.anchors(role), (role, anchor)


def test_help_link_renders_an_accessible_question_mark(staff_a, client_for):
    html = client_for(staff_a).get("/danh-muc/").content.decode()
    assert 'href="/huong-dan/staff/#danh-muc-san-pham-va-bo-tieu-chi"' in html
    assert 'aria-label="Xem hướng dẫn cho màn hình này"' in html


def test_pdf_handout_opens_and_carries_the_guide_heading(staff_a, client_for):
    response = client_for(staff_a).get("/huong-dan/staff/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = unicodedata.normalize("NFC", "\n".join(page.extract_text() for page in reader.pages))
    assert "HƯỚNG DẪN" in text
    assert "Mẫu 01" in text
    assert len(reader.pages) >= 2


def test_first_login_tour_shows_until_dismissed_and_stays_dismissed(staff_a, client_for):
    client = client_for(staff_a)
    assert 'id="first-login-tour"' in client.get("/").content.decode()
    response = client.post("/huong-dan/bat-dau/an/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.content == b""
    assert GuideProgress.objects.get(user=staff_a).dismissed_tour_at is not None
    assert 'id="first-login-tour"' not in client.get("/").content.decode()
    assert 'id="first-login-tour"' not in client_for(staff_a).get("/").content.decode()


def test_tour_dismissal_without_htmx_returns_home_and_needs_post(staff_a, client_for):
    client = client_for(staff_a)
    assert client.get("/huong-dan/bat-dau/an/").status_code == 405
    response = client.post("/huong-dan/bat-dau/an/")
    assert response.status_code == 302 and response["Location"] == "/"


def test_tour_is_not_shown_to_accounts_without_a_staff_record(units, client_for):
    root = User.objects.get(username="root")
    assert 'id="first-login-tour"' not in client_for(root).get("/").content.decode()
