"""Hướng dẫn sử dụng: the per-role user guide from Markdown, its search, PDF handouts and tour."""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import markdown
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

GUIDE_DIR = Path(__file__).resolve().parent / "guide"
# WeasyPrint logs every rendering step at INFO, which would bury the server's own log lines.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

ROLES = {
    "staff": _("Cán bộ, công chức, viên chức"),
    "head": _("Thủ trưởng đơn vị"),
    "hr_officer": _("Cán bộ tổ chức"),
    "org_viewer": _("Ban Tổ chức Tỉnh ủy, Sở Nội vụ"),
    "sector_admin": _("Quản trị ngành, lĩnh vực"),
    "system_admin": _("Quản trị hệ thống"),
}
HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
SNIPPET_CHARS = 220


def fold(text: str) -> str:
    """Lower case without diacritics, so "mau 01" finds "Mẫu 01"; đ has no NFKD decomposition."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def slugify(value: str, separator: str = "-") -> str:
    """Anchor of a heading: "Tự đánh giá (Mẫu 01)" → "tu-danh-gia-mau-01"."""
    return re.sub(r"[^a-z0-9]+", separator, fold(value)).strip(separator)


@dataclass(frozen=True)
class Section:
    role: str
    title: str
    anchor: str
    text: str


def _source(role: str) -> str:
    if role not in ROLES:
        raise Http404
    return (GUIDE_DIR / f"{role}.md").read_text(encoding="utf-8")


@lru_cache(maxsize=len(ROLES))
def _rendered(role: str) -> tuple[str, str]:
    """(HTML, table of contents) of a role's guide; the files change only with a deploy."""
    engine = markdown.Markdown(
        extensions=["toc", "tables", "sane_lists"],
        extension_configs={"toc": {"slugify": slugify, "toc_depth": "2-3"}},
    )
    html = engine.convert(_source(role))
    return html, engine.toc


def sections(role: str) -> list[Section]:
    """The guide split at its headings, each with the anchor the rendered page gives it."""
    found: list[tuple[str, list[str]]] = []
    for line in _source(role).splitlines():
        match = HEADING.match(line)
        if match:
            found.append((match.group(2), []))
        elif found:
            found[-1][1].append(line)
    return [Section(role, title, slugify(title), "\n".join(body).strip()) for title, body in found]


def anchors(role: str) -> set[str]:
    return {section.anchor for section in sections(role)}


def _snippet(text: str, words: list[str]) -> str:
    plain = re.sub(r"[*`#>]", "", text)
    position = fold(plain).find(words[0]) if words else 0
    start = max(0, position - SNIPPET_CHARS // 3)
    snippet = plain[start : start + SNIPPET_CHARS].replace("\n", " ")
    return ("…" if start else "") + snippet + ("…" if start + SNIPPET_CHARS < len(plain) else "")


def search(query: str) -> list[dict]:
    """Sections of every guide containing all words of the query, diacritics ignored."""
    words = fold(query).split()
    if not words:
        return []
    hits = []
    for role, label in ROLES.items():
        for section in sections(role):
            haystack = fold(f"{section.title}\n{section.text}")
            if all(word in haystack for word in words):
                hits.append(
                    {
                        "role": role,
                        "role_label": label,
                        "title": section.title,
                        "anchor": section.anchor,
                        "snippet": _snippet(section.text, words),
                    }
                )
    return hits


@login_required
def guide_index(request):
    query = request.GET.get("q", "").strip()[:200]
    context = {"roles": ROLES.items(), "query": query, "hits": search(query) if query else None}
    return render(request, "guide/index.html", context)


@login_required
def guide_role(request, role: str):
    if role not in ROLES:
        raise Http404
    html, toc = _rendered(role)
    # Markdown headings start at h1; on screen they take the sizes of the app's page headings.
    for tag, size in (("h1", "h3"), ("h2", "h4"), ("h3", "h5")):
        html = html.replace(f"<{tag} ", f'<{tag} class="{size} mt-4" ')
    # The HTML comes from the guide's own Markdown files, never from users.
    context = {"role": role, "role_label": ROLES[role], "html": mark_safe(html), "toc": toc}  # noqa: S308
    return render(request, "guide/role.html", context)


def _refuse(url: str, *args, **kwargs):
    """A handout embeds nothing from outside; refusing fetches keeps rendering offline."""
    raise ValueError(f"Guide handouts fetch no external resources: {url}")


def handout_pdf(role: str) -> bytes:
    """The role's guide as a printable A4 handout with an administrative header."""
    from weasyprint import HTML  # heavy on import: only when a handout is asked for

    html, _toc = _rendered(role)
    with translation.override("vi"):
        document = render_to_string(
            "guide/handout.html",
            {
                "role_label": ROLES[role],
                "html": mark_safe(html),  # noqa: S308 (the guide's own Markdown files)
                "today": timezone.localdate(),
            },
        )
    return HTML(string=document, url_fetcher=_refuse).write_pdf()


@login_required
def guide_pdf(request, role: str):
    if role not in ROLES:
        raise Http404
    response = HttpResponse(handout_pdf(role), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="huong-dan-{role}.pdf"'
    return response


@login_required
@require_POST
def tour_dismiss(request):
    """Hide the first-login tour for good; an HTMX request gets an empty fragment back."""
    from reports.models import GuideProgress  # the project package mounts reports, not the reverse

    GuideProgress.objects.update_or_create(
        user=request.user, defaults={"dismissed_tour_at": timezone.now()}
    )
    if request.headers.get("HX-Request"):
        return HttpResponse("")
    return redirect("home")


app_name = "guide"
urlpatterns = [
    path("", guide_index, name="index"),
    path("bat-dau/an/", tour_dismiss, name="tour_dismiss"),
    path("<slug:role>/", guide_role, name="role"),
    path("<slug:role>/pdf/", guide_pdf, name="pdf"),
]
