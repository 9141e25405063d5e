"""Screenshots for the in-app guide, taken by the browser journeys so they stay current.

`shot(page, "staff", "gop-y")` writes static/guide/img/staff-gop-y.png; the guide's Markdown
shows it as `![…](/static/guide/img/staff-gop-y.png)`. The files are committed and each run
overwrites them.
"""

from pathlib import Path

from django.conf import settings

GUIDE_IMAGES = Path(settings.BASE_DIR) / "static" / "guide" / "img"
VIEWPORT = {"width": 1280, "height": 800}


def shot(page, role: str, step: str) -> Path:
    """Save what the page shows now as the guide's picture of `role` at `step`."""
    GUIDE_IMAGES.mkdir(parents=True, exist_ok=True)
    path = GUIDE_IMAGES / f"{role}-{step}.png"
    page.set_viewport_size(VIEWPORT)
    page.screenshot(path=str(path), animations="disabled")
    return path
