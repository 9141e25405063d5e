"""The pilot's own records: feedback and proposals on criteria, catalogs and the software."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.querysets import manage_reach
from orgunits import roles
from orgunits.models import Role
from orgunits.querysets import prefix_q

__all__ = [
    "Feedback",
    "FeedbackKind",
    "FeedbackStatus",
    "FeedbackTopic",
    "GuideProgress",
]


class FeedbackKind(models.TextChoices):
    DIFFICULTY = "kho_khan", _("Khó khăn, vướng mắc")
    PROPOSAL = "de_xuat", _("Đề xuất, kiến nghị")


class FeedbackTopic(models.TextChoices):
    CRITERIA_SET = "bo_tieu_chi", _("Bộ tiêu chí đánh giá, xếp loại")
    PRODUCT = "san_pham", _("Sản phẩm trong danh mục")
    FUNCTION = "chuc_nang", _("Chức năng phần mềm")
    PROCESS = "quy_trinh", _("Quy trình đánh giá")


class FeedbackStatus(models.TextChoices):
    NEW = "moi", _("Mới")
    REVIEWING = "dang_xem_xet", _("Đang xem xét")
    ANSWERED = "da_tra_loi", _("Đã trả lời")
    ACCEPTED = "chap_nhan", _("Chấp nhận")
    DECLINED = "khong_chap_nhan", _("Không chấp nhận")


class FeedbackQuerySet(models.QuerySet):
    def visible_to(self, user, on: date | None = None) -> FeedbackQuerySet:
        """The sender's own items, the owners' inbox, and everything for the register's readers."""
        if not user.is_authenticated:
            return self.none()
        on = on or timezone.localdate()
        if roles.is_system_admin(user, on) or roles.has_role(user, on, Role.ORG_DEPT_VIEWER):
            return self
        return self.filter(Q(sender=user) | self._owned_q(user, on))

    def handled_by(self, user, on: date | None = None) -> FeedbackQuerySet:
        """Items the user answers: routed to their sector-admin reach, or all for system admins."""
        if not user.is_authenticated:
            return self.none()
        on = on or timezone.localdate()
        if roles.is_system_admin(user, on):
            return self
        return self.filter(self._owned_q(user, on))

    @staticmethod
    def _owned_q(user, on: date) -> Q:
        reach = manage_reach(user, on)
        return prefix_q(reach.unit_paths, "routed_to_unit__path") | Q(
            routed_to_sector_id__in=reach.sector_ids
        )


class Feedback(models.Model):
    """Góp ý, kiến nghị: routed to the owners of a criteria set or catalog, or to system admins."""

    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người gửi"),
        on_delete=models.PROTECT,
        related_name="feedback_sent",
    )
    kind = models.CharField(_("loại"), max_length=16, choices=FeedbackKind.choices)
    topic = models.CharField(_("nội dung liên quan"), max_length=16, choices=FeedbackTopic.choices)
    criteria_set = models.ForeignKey(
        "catalog.CriteriaSet",
        verbose_name=_("bộ tiêu chí"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    product = models.ForeignKey(
        "catalog.Product",
        verbose_name=_("sản phẩm"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    function_name = models.CharField(_("chức năng"), max_length=200, blank=True)
    title = models.CharField(_("tiêu đề"), max_length=200)
    body = models.TextField(_("nội dung"))
    status = models.CharField(
        _("trạng thái"), max_length=16, choices=FeedbackStatus.choices, default=FeedbackStatus.NEW
    )
    # The owner of the criteria set or catalog (a unit subtree or a sector); neither: system admins.
    routed_to_unit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("đơn vị xử lý"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    routed_to_sector = models.ForeignKey(
        "orgunits.Sector",
        verbose_name=_("ngành xử lý"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answer = models.TextField(_("trả lời"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người trả lời"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("trả lời lúc"), null=True, blank=True)
    resolution_version = models.ForeignKey(
        "catalog.CriteriaSetVersion",
        verbose_name=_("phiên bản bộ tiêu chí giải quyết"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    resolution_product = models.ForeignKey(
        "catalog.Product",
        verbose_name=_("sản phẩm được sửa, bổ sung"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    resolution_note = models.TextField(_("ghi chú xử lý"), blank=True)
    decline_reason = models.TextField(_("lý do không chấp nhận"), blank=True)
    created_at = models.DateTimeField(_("gửi lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("góp ý, kiến nghị")
        verbose_name_plural = _("góp ý, kiến nghị")
        indexes = [models.Index(fields=["status", "created_at"], name="reports_feedback_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(routed_to_unit__isnull=True) | Q(routed_to_sector__isnull=True),
                name="reports_feedback_one_route",
                violation_error_message=_("Góp ý chỉ được chuyển đến một đơn vị hoặc một ngành."),
            ),
            models.CheckConstraint(
                condition=~Q(status="khong_chap_nhan") | ~Q(decline_reason=""),
                name="reports_feedback_decline_has_reason",
                violation_error_message=_("Không chấp nhận góp ý phải nêu lý do."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("reports:feedback_detail", args=[self.pk])

    @property
    def target_label(self) -> str:
        """The exact item the feedback points at, or the empty string."""
        if self.criteria_set_id:
            return str(self.criteria_set)
        if self.product_id:
            return str(self.product)
        return self.function_name

    @property
    def is_closed(self) -> bool:
        return self.status in (FeedbackStatus.ACCEPTED, FeedbackStatus.DECLINED)


class GuideProgress(models.Model):
    """How far a user went with the in-app guidance: for now, whether the tour was dismissed."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="guide_progress"
    )
    dismissed_tour_at = models.DateTimeField(_("đã tắt hướng dẫn lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("tiến độ xem hướng dẫn")
        verbose_name_plural = _("tiến độ xem hướng dẫn")

    def __str__(self) -> str:
        return str(self.user)
