from datetime import date

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from .querysets import AssignmentQuerySet, OrgUnitManager, PersonQuerySet, RoleGrantQuerySet


class User(AbstractUser):
    email = models.EmailField(_("email"), blank=True)
    staff_code = models.CharField(_("mã cán bộ"), max_length=32, null=True, blank=True, unique=True)
    email_notifications = models.BooleanField(_("nhận thông báo qua email"), default=True)

    class Meta:
        verbose_name = _("tài khoản")
        verbose_name_plural = _("tài khoản")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def get_full_name(self) -> str:
        """Vietnamese order: family and middle names (last_name) before the given name."""
        return f"{self.last_name} {self.first_name}".strip()


class Bloc(models.TextChoices):
    PARTY = "dang", _("Khối Đảng")
    GOVERNMENT = "chinh_quyen", _("Khối Chính quyền")
    FRONT = "mttq", _("Khối MTTQ và các đoàn thể")


class Sector(models.Model):
    code = models.CharField(_("mã ngành"), max_length=32, unique=True)
    name = models.CharField(_("tên ngành, lĩnh vực"), max_length=200)

    class Meta:
        ordering = ["name"]
        verbose_name = _("ngành, lĩnh vực")
        verbose_name_plural = _("ngành, lĩnh vực")

    def __str__(self) -> str:
        return self.name


class UnitKind(models.TextChoices):
    PROVINCE = "tinh", _("Tỉnh")
    BLOC = "khoi", _("Khối")
    AGENCY = "co_quan", _("Cơ quan, đơn vị")
    COMMUNE = "xa", _("Xã")
    WARD = "phuong", _("Phường")
    SPECIAL_ZONE = "dac_khu", _("Đặc khu")
    PUBLIC_SERVICE = "su_nghiep", _("Đơn vị sự nghiệp")
    DEPARTMENT = "phong", _("Phòng, ban, khoa")
    TEAM = "to", _("Tổ")


class OrgUnit(MP_Node):
    """A node of the province tree; materialized path makes "this unit and below" one LIKE query."""

    code = models.CharField(_("mã đơn vị"), max_length=40, unique=True)
    name = models.CharField(_("tên đơn vị"), max_length=255)
    short_name = models.CharField(_("tên viết tắt"), max_length=100, blank=True)
    kind = models.CharField(_("loại đơn vị"), max_length=16, choices=UnitKind.choices)
    bloc = models.CharField(_("khối"), max_length=16, choices=Bloc.choices, blank=True)
    sector = models.ForeignKey(
        Sector, verbose_name=_("ngành, lĩnh vực"), null=True, blank=True, on_delete=models.PROTECT
    )
    active_from = models.DateField(_("hoạt động từ ngày"), default=date(2025, 7, 1))
    active_to = models.DateField(_("ngừng hoạt động từ ngày"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("sáp nhập vào"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_units",
    )
    merged_on = models.DateField(_("ngày sáp nhập"), null=True, blank=True)

    objects = OrgUnitManager()

    class Meta:
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")
        indexes = [
            # LIKE 'prefix%' on a non-C collation only uses an index with the pattern opclass.
            models.Index(
                fields=["path"], name="orgunit_path_prefix", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["name"], name="orgunit_name"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(active_to__isnull=True) | Q(active_to__gte=models.F("active_from")),
                name="orgunit_active_dates_ordered",
                violation_error_message=_("Ngày ngừng hoạt động phải sau ngày bắt đầu hoạt động."),
            ),
            models.CheckConstraint(
                condition=Q(merged_into__isnull=True) | Q(merged_on__isnull=False),
                name="orgunit_merge_has_date",
                violation_error_message=_("Đơn vị đã sáp nhập phải có ngày sáp nhập."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("orgunits:unit_detail", args=[self.pk])

    def is_active_on(self, on: date) -> bool:
        return self.active_from <= on and (self.active_to is None or on < self.active_to)

    def contains(self, other: "OrgUnit") -> bool:
        return other.path.startswith(self.path)


class OrgUnitNameHistory(models.Model):
    """The names a unit carried; reports of a past period print the name of that time."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="name_history")
    name = models.CharField(_("tên đơn vị"), max_length=255)
    short_name = models.CharField(_("tên viết tắt"), max_length=100, blank=True)
    valid_from = models.DateField(_("từ ngày"))
    valid_to = models.DateField(_("đến ngày"))

    class Meta:
        ordering = ["unit", "-valid_to"]
        verbose_name = _("tên cũ của đơn vị")
        verbose_name_plural = _("tên cũ của đơn vị")

    def __str__(self) -> str:
        return f"{self.name} ({self.valid_from:%d/%m/%Y}–{self.valid_to:%d/%m/%Y})"


class StaffCategory(models.TextChoices):
    CADRE = "can_bo", _("Cán bộ")
    CIVIL_SERVANT = "cong_chuc", _("Công chức")
    PUBLIC_EMPLOYEE = "vien_chuc", _("Viên chức")
    WORKER = "nguoi_lao_dong", _("Người lao động")


class Gender(models.TextChoices):
    MALE = "nam", _("Nam")
    FEMALE = "nu", _("Nữ")


class JobPositionGroup(models.Model):
    """Nhóm vị trí việc làm: the similar-duty group for quotas and the "xuất sắc" cap."""

    code = models.CharField(_("mã nhóm"), max_length=32, unique=True)
    name = models.CharField(_("tên nhóm vị trí việc làm"), max_length=200)

    class Meta:
        ordering = ["name"]
        verbose_name = _("nhóm vị trí việc làm")
        verbose_name_plural = _("nhóm vị trí việc làm")

    def __str__(self) -> str:
        return self.name


class JobPosition(models.Model):
    code = models.CharField(_("mã vị trí"), max_length=32, unique=True)
    name = models.CharField(_("tên vị trí việc làm"), max_length=200)
    group = models.ForeignKey(
        JobPositionGroup,
        verbose_name=_("nhóm vị trí việc làm"),
        on_delete=models.PROTECT,
        related_name="positions",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("vị trí việc làm")
        verbose_name_plural = _("vị trí việc làm")

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    """A cán bộ, công chức, viên chức or người lao động: the human who is evaluated."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="person"
    )
    full_name = models.CharField(_("họ và tên"), max_length=120)
    date_of_birth = models.DateField(_("ngày sinh"), null=True, blank=True)
    gender = models.CharField(_("giới tính"), max_length=8, choices=Gender.choices, blank=True)
    category = models.CharField(_("loại cán bộ"), max_length=16, choices=StaffCategory.choices)
    position_title = models.CharField(_("chức vụ"), max_length=120, blank=True)
    job_position = models.ForeignKey(
        JobPosition,
        verbose_name=_("vị trí việc làm"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="people",
    )
    party_member = models.BooleanField(_("đảng viên"), default=False)
    hrmis_code = models.CharField(_("mã HRMIS"), max_length=32, unique=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    is_active = models.BooleanField(_("đang công tác"), default=True)
    left_on = models.DateField(_("ngày nghỉ việc"), null=True, blank=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["full_name", "id"]
        verbose_name = _("cán bộ, công chức, viên chức")
        verbose_name_plural = _("cán bộ, công chức, viên chức")
        indexes = [models.Index(fields=["full_name"], name="person_full_name")]

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return reverse("orgunits:person_detail", args=[self.pk])

    def primary_assignment_on(self, on: date) -> "Assignment | None":
        """Where the person worked on a date: their primary assignment then."""
        return self.assignments.active_on(on).filter(is_primary=True).select_related("unit").first()


class AssignmentRole(models.TextChoices):
    HEAD = "head", _("Cấp trưởng")
    DEPUTY = "deputy", _("Cấp phó")
    STAFF = "staff", _("Chuyên viên, nhân viên")


class Assignment(models.Model):
    """Quá trình công tác: a person in a unit between two dates, as head, deputy or staff."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField(
        _("vai trò"), max_length=8, choices=AssignmentRole.choices, default=AssignmentRole.STAFF
    )
    is_primary = models.BooleanField(_("công tác chính"), default=True)
    start = models.DateField(_("từ ngày"))
    end = models.DateField(_("đến ngày"), null=True, blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["-start"]
        verbose_name = _("quá trình công tác")
        verbose_name_plural = _("quá trình công tác")
        indexes = [
            models.Index(fields=["unit", "start", "end"], name="assignment_unit_dates"),
            models.Index(fields=["person", "start"], name="assignment_person_start"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="assignment_dates_ordered",
                violation_error_message=_("Ngày kết thúc phải sau ngày bắt đầu."),
            ),
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(is_primary=True, end__isnull=True),
                name="assignment_one_open_primary",
                violation_error_message=_(
                    "Mỗi người chỉ có một nơi công tác chính tại một thời điểm."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.unit} ({self.get_role_display()})"

    @property
    def is_leader(self) -> bool:
        return self.role in (AssignmentRole.HEAD, AssignmentRole.DEPUTY)


class Role(models.TextChoices):
    HR_OFFICER = "hr_officer", _("Cán bộ tổ chức (thẩm định)")
    ORG_DEPT_VIEWER = "org_dept_viewer", _("Ban Tổ chức / Sở Nội vụ (theo dõi)")
    SECTOR_ADMIN = "sector_admin", _("Quản trị ngành, lĩnh vực")
    SYSTEM_ADMIN = "system_admin", _("Quản trị hệ thống")


class RoleGrant(models.Model):
    """An explicit role on a unit, inherited by its whole subtree, valid between two dates."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_grants"
    )
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="role_grants"
    )
    sector = models.ForeignKey(
        Sector,
        verbose_name=_("ngành, lĩnh vực"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("Chỉ dùng cho quản trị ngành: giới hạn thêm theo ngành."),
    )
    valid_from = models.DateField(_("từ ngày"))
    valid_to = models.DateField(_("đến hết ngày"), null=True, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RoleGrantQuerySet.as_manager()

    class Meta:
        ordering = ["role", "unit__path"]
        verbose_name = _("phân quyền")
        verbose_name_plural = _("phân quyền")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="rolegrant_dates_ordered",
                violation_error_message=_("Ngày kết thúc phải sau ngày bắt đầu."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.unit}"


class Delegation(models.Model):
    """Ủy quyền: a head lends the approval rights over a unit to someone for a date range."""

    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="delegations"
    )
    delegator = models.ForeignKey(
        Person, verbose_name=_("người ủy quyền"), on_delete=models.PROTECT, related_name="+"
    )
    delegate = models.ForeignKey(
        Person,
        verbose_name=_("người được ủy quyền"),
        on_delete=models.PROTECT,
        related_name="delegations_received",
    )
    valid_from = models.DateField(_("từ ngày"))
    valid_to = models.DateField(_("đến hết ngày"))
    reason = models.CharField(_("lý do"), max_length=255)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("ủy quyền")
        verbose_name_plural = _("ủy quyền")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__gte=models.F("valid_from")),
                name="delegation_dates_ordered",
                violation_error_message=_("Ngày kết thúc ủy quyền phải sau ngày bắt đầu."),
            ),
            models.CheckConstraint(
                condition=~Q(delegator=models.F("delegate")),
                name="delegation_not_to_self",
                violation_error_message=_("Không thể tự ủy quyền cho chính mình."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.delegator} → {self.delegate} ({self.unit})"

    def is_active_on(self, on: date) -> bool:
        return self.revoked_at is None and self.valid_from <= on <= self.valid_to
