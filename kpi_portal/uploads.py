"""Checking uploaded evidence by its content, not its name: an allow-list of real file types."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Kind:
    label: str
    content_type: str
    extensions: tuple[str, ...]


PDF = Kind("PDF", "application/pdf", (".pdf",))
DOCX = Kind(
    "Word (.docx)",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    (".docx",),
)
XLSX = Kind(
    "Excel (.xlsx)", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",)
)
JPEG = Kind("JPEG", "image/jpeg", (".jpg", ".jpeg"))
PNG = Kind("PNG", "image/png", (".png",))
ALLOWED_TEXT = "pdf, docx, xlsx, jpg, png"
MAX_UNZIPPED = 200 * 1024 * 1024


def _office_kind(upload: UploadedFile) -> Kind | None:
    """A .docx or .xlsx is a zip with a known main part; anything else zipped is refused."""
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if sum(info.file_size for info in archive.infolist()) > MAX_UNZIPPED:
                return None
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return None


def sniff(upload: UploadedFile) -> Kind | None:
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"PK\x03\x04"):
        kind = _office_kind(upload)
        upload.seek(0)
        return kind
    return None


def validate_evidence(upload: UploadedFile) -> Kind:
    """Return the file's real kind, or raise a Vietnamese ValidationError."""
    limit = settings.MAX_UPLOAD_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("Tệp “%(name)s” lớn hơn %(mb)s MB, vượt giới hạn cho phép.")
            % {"name": upload.name, "mb": limit // (1024 * 1024)}
        )
    if upload.size == 0:
        raise ValidationError(_("Tệp “%(name)s” rỗng.") % {"name": upload.name})
    kind = sniff(upload)
    if kind is None:
        raise ValidationError(
            _(
                "Tệp “%(name)s” không đúng định dạng cho phép (%(allowed)s); "
                "nội dung tệp đã được kiểm tra, không chỉ phần đuôi tên."
            )
            % {"name": upload.name, "allowed": ALLOWED_TEXT}
        )
    name = upload.name.lower()
    if not name.endswith(kind.extensions):
        raise ValidationError(
            _("Tên tệp “%(name)s” không khớp với nội dung (%(kind)s).")
            % {"name": upload.name, "kind": kind.label}
        )
    return kind
