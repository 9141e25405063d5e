"""One error body for every API failure: {"loi": {"ma", "thong_bao", "chi_tiet"}}."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.views import exception_handler

MESSAGES = {
    "not_authenticated": _("Cần đăng nhập hoặc gửi khóa API."),
    "authentication_failed": _("Xác thực không thành công."),
    "permission_denied": _("Bạn không có quyền thực hiện thao tác này."),
    "not_found": _("Không tìm thấy dữ liệu hoặc dữ liệu nằm ngoài phạm vi của bạn."),
    "method_not_allowed": _("Phương thức không được hỗ trợ."),
    "not_acceptable": _("Định dạng yêu cầu không được hỗ trợ."),
    "unsupported_media_type": _("Kiểu nội dung không được hỗ trợ."),
    "throttled": _("Quá nhiều yêu cầu; hãy thử lại sau."),
    "invalid": _("Dữ liệu không hợp lệ."),
    "parse_error": _("Không đọc được nội dung gửi lên."),
}


def _django_validation(error: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(error, "error_dict"):
        return exceptions.ValidationError(error.message_dict)
    return exceptions.ValidationError({"non_field_errors": error.messages})


def handler(exc, context):
    """DRF's handler, after turning the services' Django exceptions into DRF ones."""
    if isinstance(exc, DjangoValidationError):
        exc = _django_validation(exc)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args[:1])
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = exception_handler(exc, context)
    if response is None:
        return None
    code = _code(exc)
    details = {}
    if isinstance(exc, exceptions.ValidationError):
        message, details = MESSAGES["invalid"], response.data
    elif isinstance(exc, exceptions.PermissionDenied) and _own_detail(exc):
        message = exc.detail  # a service's reason, already in Vietnamese
    else:
        message = MESSAGES.get(code, getattr(exc, "detail", ""))
    if isinstance(exc, exceptions.Throttled):
        details = {"wait": exc.wait}
    response.data = {"loi": {"ma": code, "thong_bao": str(message), "chi_tiet": details}}
    return response


def _own_detail(exc: exceptions.PermissionDenied) -> bool:
    return str(exc.detail) != str(exceptions.PermissionDenied.default_detail)


def _code(exc) -> str:
    if isinstance(exc, exceptions.ValidationError):
        return "invalid"
    codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else None
    if isinstance(codes, str):
        return codes
    return getattr(exc, "default_code", "error")
