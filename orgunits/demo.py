"""The demo province: a believable Quảng Ngãi tree, its people and one account per role.

Everything is derived from fixed seeds, so a second run finds every row already there and
writes nothing; a larger `--staff` only appends people after those already seeded.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.db import transaction

from .models import (
    Assignment,
    AssignmentRole,
    Bloc,
    Delegation,
    Gender,
    JobPosition,
    JobPositionGroup,
    OrgUnit,
    Person,
    Role,
    RoleGrant,
    Sector,
    StaffCategory,
    UnitKind,
    User,
)

DEMO_PASSWORD = "KpiDemo@2026"  # printed by `make run`; only ever set in demo mode
START = date(2025, 7, 1)  # the two-level local government took effect on 1/7/2025
COMMUNES_CSV = Path(__file__).parent / "data" / "quang_ngai_communes.csv"


@dataclass
class UnitSpec:
    code: str
    name: str
    kind: str
    short_name: str = ""
    sector: str = ""
    children: list[UnitSpec] = field(default_factory=list)


def _u(code, name, kind=UnitKind.DEPARTMENT, short="", sector="", children=()) -> UnitSpec:
    return UnitSpec(code, name, kind, short, sector, list(children))


def _departments(prefix: str, names: list[tuple[str, str]]) -> list[UnitSpec]:
    return [_u(f"{prefix}-{code}", name) for code, name in names]


SECTORS = [
    ("HC", "Quản lý hành chính nhà nước"),
    ("YT", "Y tế"),
    ("GD", "Giáo dục và đào tạo"),
    ("DANG", "Công tác Đảng"),
    ("DT", "Mặt trận Tổ quốc và đoàn thể"),
]

_COMMON = [
    ("VP", "Văn phòng"),
    ("TCCB", "Phòng Tổ chức cán bộ"),
    ("KHTC", "Phòng Kế hoạch - Tài chính"),
]

# The 14 cơ quan chuyên môn of UBND tỉnh after the 2025 reorganisation, with their departments.
AGENCIES = [
    (
        "VP",
        "Văn phòng UBND tỉnh",
        "VP UBND",
        [
            ("TH", "Phòng Tổng hợp"),
            ("KT", "Phòng Kinh tế"),
            ("KGVX", "Phòng Khoa giáo - Văn xã"),
            ("HCTC", "Phòng Hành chính - Tổ chức"),
        ],
    ),
    (
        "TTR",
        "Thanh tra tỉnh",
        "Thanh tra",
        [
            ("VP", "Văn phòng"),
            ("NV1", "Phòng Nghiệp vụ 1"),
            ("NV2", "Phòng Nghiệp vụ 2"),
            ("PCTN", "Phòng Phòng, chống tham nhũng"),
        ],
    ),
    (
        "SNV",
        "Sở Nội vụ",
        "SNV",
        [
            ("VP", "Văn phòng"),
            ("TCBC", "Phòng Tổ chức, biên chế và tổ chức phi chính phủ"),
            ("CCVC", "Phòng Công chức, viên chức"),
            ("XDCQ", "Phòng Xây dựng chính quyền và công tác thanh niên"),
            ("LDVL", "Phòng Lao động, việc làm"),
        ],
    ),
    (
        "STC",
        "Sở Tài chính",
        "STC",
        [
            *_COMMON[:1],
            ("NS", "Phòng Ngân sách"),
            ("DT", "Phòng Đầu tư"),
            ("DN", "Phòng Doanh nghiệp"),
        ],
    ),
    (
        "SXD",
        "Sở Xây dựng",
        "SXD",
        [
            *_COMMON[:1],
            ("QHKT", "Phòng Quy hoạch - Kiến trúc"),
            ("GT", "Phòng Quản lý giao thông"),
            ("HTDT", "Phòng Hạ tầng đô thị"),
        ],
    ),
    (
        "SNNMT",
        "Sở Nông nghiệp và Môi trường",
        "SNN&MT",
        [
            *_COMMON[:2],
            ("TT", "Phòng Trồng trọt"),
            ("DD", "Phòng Quản lý đất đai"),
            ("MT", "Phòng Môi trường"),
        ],
    ),
    (
        "SVHTTDL",
        "Sở Văn hóa, Thể thao và Du lịch",
        "SVHTT&DL",
        [
            *_COMMON[:1],
            ("VH", "Phòng Quản lý văn hóa"),
            ("TDTT", "Phòng Quản lý thể dục thể thao"),
            ("DL", "Phòng Quản lý du lịch"),
        ],
    ),
    (
        "SKHCN",
        "Sở Khoa học và Công nghệ",
        "SKH&CN",
        [
            *_COMMON[:1],
            ("CDS", "Phòng Chuyển đổi số"),
            ("QLKH", "Phòng Quản lý khoa học"),
            ("BCVT", "Phòng Bưu chính, viễn thông"),
        ],
    ),
    ("SGDDT", "Sở Giáo dục và Đào tạo", "SGD&ĐT", [*_COMMON, ("GDPT", "Phòng Giáo dục phổ thông")]),
    (
        "SYT",
        "Sở Y tế",
        "SYT",
        [*_COMMON, ("NVY", "Phòng Nghiệp vụ Y"), ("NVD", "Phòng Nghiệp vụ Dược")],
    ),
    (
        "SCT",
        "Sở Công Thương",
        "SCT",
        [*_COMMON[:1], ("QLCN", "Phòng Quản lý công nghiệp"), ("QLTM", "Phòng Quản lý thương mại")],
    ),
    (
        "STP",
        "Sở Tư pháp",
        "STP",
        [
            *_COMMON[:1],
            ("XDVB", "Phòng Xây dựng và kiểm tra văn bản"),
            ("HCTP", "Phòng Hành chính tư pháp"),
        ],
    ),
    (
        "SDTTG",
        "Sở Dân tộc và Tôn giáo",
        "SDT&TG",
        [*_COMMON[:1], ("DT", "Phòng Chính sách dân tộc"), ("TG", "Phòng Quản lý tôn giáo")],
    ),
    (
        "SNGV",
        "Sở Ngoại vụ",
        "SNgV",
        [*_COMMON[:1], ("LS", "Phòng Lãnh sự"), ("HTQT", "Phòng Hợp tác quốc tế")],
    ),
]

PARTY_BODIES = [
    (
        "BTC",
        "Ban Tổ chức Tỉnh ủy",
        "BTCTU",
        [
            ("VP", "Văn phòng Ban"),
            ("TCDV", "Phòng Tổ chức đảng, đảng viên"),
            ("CB", "Phòng Cán bộ"),
            ("BVCT", "Phòng Bảo vệ chính trị"),
        ],
    ),
    (
        "VPTU",
        "Văn phòng Tỉnh ủy",
        "VPTU",
        [
            ("TH", "Phòng Tổng hợp"),
            ("HCLT", "Phòng Hành chính - Lưu trữ"),
            ("TCTV", "Phòng Tài chính - Tài vụ"),
        ],
    ),
    (
        "BTGDV",
        "Ban Tuyên giáo và Dân vận Tỉnh ủy",
        "BTG&DV",
        [("VP", "Văn phòng Ban"), ("LLCT", "Phòng Lý luận chính trị"), ("DV", "Phòng Dân vận")],
    ),
    (
        "UBKT",
        "Ủy ban Kiểm tra Tỉnh ủy",
        "UBKTTU",
        [("VP", "Văn phòng"), ("KT1", "Phòng Kiểm tra 1"), ("KT2", "Phòng Kiểm tra 2")],
    ),
]

FRONT_BODIES = [
    (
        "MTTQ",
        "Ủy ban MTTQ Việt Nam tỉnh",
        "UBMTTQ",
        [("VP", "Văn phòng"), ("PT", "Ban Phong trào"), ("DCPL", "Ban Dân chủ - Pháp luật")],
    ),
    (
        "TD",
        "Tỉnh Đoàn",
        "Tỉnh Đoàn",
        [("VP", "Văn phòng"), ("TCKT", "Ban Tổ chức - Kiểm tra"), ("PT", "Ban Phong trào")],
    ),
    (
        "HPN",
        "Hội Liên hiệp Phụ nữ tỉnh",
        "Hội LHPN",
        [("VP", "Văn phòng"), ("GDXH", "Ban Gia đình - Xã hội")],
    ),
    ("HND", "Hội Nông dân tỉnh", "Hội ND", [("VP", "Văn phòng"), ("KTXH", "Ban Kinh tế - Xã hội")]),
    (
        "LDLD",
        "Liên đoàn Lao động tỉnh",
        "LĐLĐ",
        [("VP", "Văn phòng"), ("CSPL", "Ban Chính sách - Pháp luật")],
    ),
    ("CCB", "Hội Cựu chiến binh tỉnh", "Hội CCB", [("VP", "Văn phòng")]),
]

# Đơn vị sự nghiệp under two agencies, deep enough (tỉnh → khối → sở → đơn vị → khoa → tổ) to
# exercise subtree scoping at depth six.
PUBLIC_SERVICE = {
    "SYT": [
        _u(
            "QNG-SYT-BVDK",
            "Bệnh viện Đa khoa tỉnh Quảng Ngãi",
            UnitKind.PUBLIC_SERVICE,
            "BVĐK tỉnh",
            children=[
                _u(
                    "QNG-SYT-BVDK-NOI",
                    "Khoa Nội tổng hợp",
                    children=[_u("QNG-SYT-BVDK-NOI-DD", "Tổ Điều dưỡng", UnitKind.TEAM)],
                ),
                _u("QNG-SYT-BVDK-NGOAI", "Khoa Ngoại tổng hợp"),
                _u("QNG-SYT-BVDK-CC", "Khoa Cấp cứu"),
            ],
        ),
        _u(
            "QNG-SYT-CDC",
            "Trung tâm Kiểm soát bệnh tật tỉnh",
            UnitKind.PUBLIC_SERVICE,
            "CDC",
            children=[
                _u("QNG-SYT-CDC-TN", "Khoa Phòng, chống bệnh truyền nhiễm"),
                _u("QNG-SYT-CDC-XN", "Khoa Xét nghiệm"),
            ],
        ),
    ],
    "SGDDT": [
        _u(
            "QNG-SGDDT-LK",
            "Trường THPT chuyên Lê Khiết",
            UnitKind.PUBLIC_SERVICE,
            "THPT chuyên Lê Khiết",
            children=[
                _u("QNG-SGDDT-LK-TOAN", "Tổ Toán - Tin", UnitKind.TEAM),
                _u("QNG-SGDDT-LK-VAN", "Tổ Ngữ văn", UnitKind.TEAM),
                _u("QNG-SGDDT-LK-NN", "Tổ Ngoại ngữ", UnitKind.TEAM),
            ],
        ),
        _u(
            "QNG-SGDDT-TQT",
            "Trường THPT Trần Quốc Tuấn",
            UnitKind.PUBLIC_SERVICE,
            children=[
                _u("QNG-SGDDT-TQT-TN", "Tổ Khoa học tự nhiên", UnitKind.TEAM),
                _u("QNG-SGDDT-TQT-XH", "Tổ Khoa học xã hội", UnitKind.TEAM),
            ],
        ),
        _u(
            "QNG-SGDDT-KT",
            "Trường THPT chuyên Nguyễn Tất Thành (Kon Tum)",
            UnitKind.PUBLIC_SERVICE,
            children=[
                _u("QNG-SGDDT-KT-TOAN", "Tổ Toán", UnitKind.TEAM),
            ],
        ),
    ],
}

SECTOR_OF_AGENCY = {"SYT": "YT", "SGDDT": "GD"}
COMMUNE_KINDS = {"xa": UnitKind.COMMUNE, "phuong": UnitKind.WARD, "dac_khu": UnitKind.SPECIAL_ZONE}
COMMUNE_PREFIX = {"xa": "Xã", "phuong": "Phường", "dac_khu": "Đặc khu"}


def _body(prefix: str, code: str, name: str, short: str, depts, sector: str) -> UnitSpec:
    unit_code = f"QNG-{code}"
    return _u(
        unit_code,
        name,
        UnitKind.AGENCY,
        short,
        sector,
        [*_departments(unit_code, depts), *PUBLIC_SERVICE.get(code, [])],
    )


def commune_specs() -> list[UnitSpec]:
    with COMMUNES_CSV.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    specs = []
    for row in rows:
        code = f"QNG-XA{int(row['stt']):03d}"
        kind = row["loai"]
        economy = "Phòng Kinh tế, Hạ tầng và Đô thị" if kind == "phuong" else "Phòng Kinh tế"
        specs.append(
            _u(
                code,
                f"{COMMUNE_PREFIX[kind]} {row['ten']}",
                COMMUNE_KINDS[kind],
                row["ten"],
                "HC",
                _departments(
                    code,
                    [
                        ("VP", "Văn phòng HĐND và UBND"),
                        ("KT", economy),
                        ("VHXH", "Phòng Văn hóa - Xã hội"),
                        ("HCC", "Trung tâm Phục vụ hành chính công"),
                    ],
                ),
            )
        )
    return specs


def province_spec() -> UnitSpec:
    party = [_body("QNG", *b, sector="DANG") for b in PARTY_BODIES]
    front = [_body("QNG", *b, sector="DT") for b in FRONT_BODIES]
    government = [
        _body("QNG", c, n, s, d, SECTOR_OF_AGENCY.get(c, "HC")) for c, n, s, d in AGENCIES
    ]
    return _u(
        "QNG",
        "Tỉnh Quảng Ngãi",
        UnitKind.PROVINCE,
        "Quảng Ngãi",
        "HC",
        [
            _u("QNG-DANG", "Khối Đảng", UnitKind.BLOC, "Khối Đảng", "DANG", party),
            _u(
                "QNG-CQ",
                "Khối Chính quyền",
                UnitKind.BLOC,
                "Khối Chính quyền",
                "HC",
                [*government, *commune_specs()],
            ),
            _u("QNG-MT", "Khối MTTQ và các đoàn thể", UnitKind.BLOC, "Khối MTTQ", "DT", front),
        ],
    )


BLOC_OF = {"QNG-DANG": Bloc.PARTY, "QNG-CQ": Bloc.GOVERNMENT, "QNG-MT": Bloc.FRONT}


def _inherit_sector(spec: UnitSpec, parent_sector: str) -> None:
    spec.sector = spec.sector or parent_sector
    for child in spec.children:
        _inherit_sector(child, spec.sector)


def seed_units() -> dict[str, OrgUnit]:
    """Create whatever units of the demo tree are missing; return all of them by code."""
    for code, name in SECTORS:
        Sector.objects.get_or_create(code=code, defaults={"name": name})
    sectors = {s.code: s for s in Sector.objects.all()}
    existing = {u.code: u for u in OrgUnit.objects.all()}
    root = province_spec()
    _inherit_sector(root, "HC")

    def build(spec: UnitSpec, parent: OrgUnit | None, bloc: str) -> None:
        bloc = BLOC_OF.get(spec.code, bloc)
        unit = existing.get(spec.code)
        if unit is None:
            unit = OrgUnit(
                code=spec.code,
                name=spec.name,
                short_name=spec.short_name,
                kind=spec.kind,
                bloc=bloc,
                sector=sectors[spec.sector],
                active_from=START,
            )
            unit = (
                OrgUnit.objects.add_child(parent, instance=unit)
                if parent
                else OrgUnit.objects.add_root(instance=unit)
            )
            if parent:
                parent.refresh_from_db()  # treebeard bumps numchild on the row, not our copy
            existing[spec.code] = unit
        for child in spec.children:
            build(child, unit, bloc)

    build(root, None, "")
    return existing


# ---- people -------------------------------------------------------------------------------

SURNAMES = (
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Huỳnh",
    "Hoàng",
    "Võ",
    "Phan",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Đinh",
    "Trương",
    "Đoàn",
    "Lương",
    "Mai",
)
SURNAME_WEIGHTS = (30, 11, 9, 7, 6, 5, 6, 4, 3, 3, 3, 2, 2, 2, 1, 2, 2, 1, 1, 1)
MIDDLE = {
    Gender.MALE: ("Văn", "Đức", "Minh", "Quốc", "Hữu", "Thanh", "Công", "Ngọc", "Xuân", "Tấn"),
    Gender.FEMALE: ("Thị", "Thị", "Thị", "Ngọc", "Thanh", "Thu", "Kim", "Minh", "Hoài", "Bích"),
}
GIVEN = {
    Gender.MALE: (
        "Anh",
        "Bảo",
        "Cường",
        "Dũng",
        "Đạt",
        "Hải",
        "Hiếu",
        "Hoàng",
        "Hùng",
        "Huy",
        "Khánh",
        "Kiên",
        "Long",
        "Minh",
        "Nam",
        "Nghĩa",
        "Phong",
        "Phúc",
        "Quân",
        "Sơn",
        "Tâm",
        "Thắng",
        "Thành",
        "Trung",
        "Tuấn",
        "Việt",
        "Vinh",
        "Vũ",
    ),
    Gender.FEMALE: (
        "An",
        "Ánh",
        "Châu",
        "Dung",
        "Giang",
        "Hà",
        "Hạnh",
        "Hằng",
        "Hiền",
        "Hoa",
        "Hương",
        "Lan",
        "Linh",
        "Loan",
        "Mai",
        "My",
        "Nga",
        "Ngân",
        "Nhung",
        "Oanh",
        "Phương",
        "Quỳnh",
        "Thảo",
        "Thủy",
        "Trang",
        "Tuyết",
        "Vân",
        "Yến",
    ),
}

POSITION_GROUPS = [
    ("LDQL", "Lãnh đạo, quản lý", [("LD-TRUONG", "Cấp trưởng"), ("LD-PHO", "Cấp phó")]),
    (
        "CMNV",
        "Chuyên môn, nghiệp vụ",
        [("CV", "Chuyên viên"), ("CVC", "Chuyên viên chính"), ("TTV", "Thanh tra viên")],
    ),
    ("HTPV", "Hỗ trợ, phục vụ", [("VT", "Văn thư"), ("KTV", "Kế toán viên"), ("LX", "Lái xe")]),
    ("GV", "Giáo viên", [("GV-THPT", "Giáo viên trung học phổ thông")]),
    ("YTE", "Bác sĩ, điều dưỡng", [("BS", "Bác sĩ"), ("DD", "Điều dưỡng")]),
]


def seed_positions() -> dict[str, JobPosition]:
    for group_code, group_name, positions in POSITION_GROUPS:
        group, _ = JobPositionGroup.objects.get_or_create(
            code=group_code, defaults={"name": group_name}
        )
        for code, name in positions:
            JobPosition.objects.get_or_create(code=code, defaults={"name": name, "group": group})
    return {p.code: p for p in JobPosition.objects.all()}


@dataclass(frozen=True)
class Slot:
    unit_code: str
    role: str


def _top_units(root: UnitSpec) -> list[UnitSpec]:
    blocs = root.children
    return [agency for bloc in blocs for agency in bloc.children]


def _leaf_departments(spec: UnitSpec) -> list[UnitSpec]:
    """Where staff sit: every sub-unit of a top unit (departments, schools, wards, teams)."""
    found = []
    for child in spec.children:
        found.append(child)
        found.extend(_leaf_departments(child))
    return found


FOCUS_WEIGHT = {"QNG-SYT": 10}


def slots(root: UnitSpec) -> Iterator[Slot]:
    """An endless, fixed sequence of posts; person i always takes post i, whatever --staff is.

    Each round visits every top unit: round 0 gives it a head, round 3 a deputy, the others a
    staff member in one of its departments in turn (Sở Y tế, where the demo accounts work, gets
    ten a round so its groups are big enough for the "xuất sắc" quota to matter); a
    department's third member becomes its head and its eighth its deputy.
    """
    tops = _top_units(root)
    rng = random.Random(335)
    rng.shuffle(tops)
    departments = {top.code: _leaf_departments(top) or [top] for top in tops}
    own_departments = {
        top.code: [d for d in top.children if d.kind == UnitKind.DEPARTMENT] or [top]
        for top in tops
    }
    placed: dict[str, int] = {}
    turn: dict[str, int] = {}
    round_ = 0
    while True:
        for top in tops:
            if round_ == 0:
                yield Slot(top.code, AssignmentRole.HEAD)
                continue
            if round_ == 3:
                yield Slot(top.code, AssignmentRole.DEPUTY)
                continue
            for extra in range(FOCUS_WEIGHT.get(top.code, 1)):
                # The focus agency's extra people sit in its own departments, where it decides.
                depts = own_departments[top.code] if extra else departments[top.code]
                dept = depts[turn.get(top.code, 0) % len(depts)]
                turn[top.code] = turn.get(top.code, 0) + 1
                count = placed.get(dept.code, 0)
                placed[dept.code] = count + 1
                role = {2: AssignmentRole.HEAD, 7: AssignmentRole.DEPUTY}.get(
                    count, AssignmentRole.STAFF
                )
                yield Slot(dept.code, role)
        round_ += 1


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role_label: str
    full_name: str
    gender: str
    unit_code: str
    assignment_role: str
    grant: tuple[str, str] | None = None  # (role, unit code)


DEMO_ACCOUNTS = [
    DemoAccount(
        "quantri",
        "Quản trị hệ thống",
        "Trần Minh Quân",
        Gender.MALE,
        "QNG-SKHCN-CDS",
        AssignmentRole.STAFF,
        (Role.SYSTEM_ADMIN, "QNG"),
    ),
    DemoAccount(
        "sonoivu",
        "Sở Nội vụ — theo dõi khối Chính quyền",
        "Lê Thị Thu Hà",
        Gender.FEMALE,
        "QNG-SNV-CCVC",
        AssignmentRole.STAFF,
        (Role.ORG_DEPT_VIEWER, "QNG-CQ"),
    ),
    DemoAccount(
        "bantochuc",
        "Ban Tổ chức Tỉnh ủy — theo dõi khối Đảng, MTTQ",
        "Phạm Văn Hùng",
        Gender.MALE,
        "QNG-BTC-CB",
        AssignmentRole.STAFF,
        (Role.ORG_DEPT_VIEWER, "QNG-DANG"),
    ),
    DemoAccount(
        "tochuc.syt",
        "Cán bộ tổ chức Sở Y tế (thẩm định)",
        "Võ Thị Ngọc Ánh",
        Gender.FEMALE,
        "QNG-SYT-TCCB",
        AssignmentRole.STAFF,
        (Role.HR_OFFICER, "QNG-SYT"),
    ),
    DemoAccount(
        "quantri.yte",
        "Quản trị ngành Y tế (danh mục, tiêu chí)",
        "Huỳnh Quốc Bảo",
        Gender.MALE,
        "QNG-SYT-KHTC",
        AssignmentRole.STAFF,
        (Role.SECTOR_ADMIN, "QNG-SYT"),
    ),
    DemoAccount(
        "giamdoc.syt",
        "Giám đốc Sở Y tế (quyết định)",
        "Nguyễn Văn Dũng",
        Gender.MALE,
        "QNG-SYT",
        AssignmentRole.HEAD,
    ),
    DemoAccount(
        "truongphong",
        "Trưởng phòng Nghiệp vụ Y (phê duyệt, đánh giá)",
        "Đặng Thị Mai Lan",
        Gender.FEMALE,
        "QNG-SYT-NVY",
        AssignmentRole.HEAD,
    ),
    DemoAccount(
        "phophong",
        "Phó trưởng phòng (đang được ủy quyền)",
        "Bùi Đức Thắng",
        Gender.MALE,
        "QNG-SYT-NVY",
        AssignmentRole.DEPUTY,
    ),
    DemoAccount(
        "chuyenvien",
        "Chuyên viên Phòng Nghiệp vụ Y",
        "Nguyễn Thị Hoài Thương",
        Gender.FEMALE,
        "QNG-SYT-NVY",
        AssignmentRole.STAFF,
    ),
    DemoAccount(
        "chuyenvien2",
        "Chuyên viên Phòng Nghiệp vụ Y",
        "Lê Văn Tâm",
        Gender.MALE,
        "QNG-SYT-NVY",
        AssignmentRole.STAFF,
    ),
    DemoAccount(
        "canbo.xa",
        "Công chức xã Tịnh Khê (đơn vị khác)",
        "Trương Thị Yến",
        Gender.FEMALE,
        "QNG-XA001-VP",
        AssignmentRole.STAFF,
    ),
]


def _person_values(rng: random.Random, unit: OrgUnit, role: str, positions) -> dict:
    gender = rng.choice((Gender.MALE, Gender.FEMALE))
    name = " ".join(
        (
            rng.choices(SURNAMES, SURNAME_WEIGHTS)[0],
            rng.choice(MIDDLE[gender]),
            rng.choice(GIVEN[gender]),
        )
    )
    return {"full_name": name, "gender": gender, **_job(rng, unit, role, positions)}


def _job(rng: random.Random, unit: OrgUnit, role: str, positions) -> dict:
    if role == AssignmentRole.HEAD:
        position, title = positions["LD-TRUONG"], _title(unit, head=True)
    elif role == AssignmentRole.DEPUTY:
        position, title = positions["LD-PHO"], _title(unit, head=False)
    elif unit.code.startswith("QNG-SGDDT-") and unit.kind in (
        UnitKind.TEAM,
        UnitKind.PUBLIC_SERVICE,
    ):
        position, title = positions["GV-THPT"], "Giáo viên"
    elif unit.code.startswith(("QNG-SYT-BVDK", "QNG-SYT-CDC")):
        position = positions[rng.choice(("BS", "DD", "DD"))]
        title = position.name
    else:
        position = positions[
            rng.choices(("CV", "CVC", "TTV", "VT", "KTV", "LX"), (60, 15, 5, 8, 8, 4))[0]
        ]
        title = position.name
    public_service = unit.code.startswith(
        ("QNG-SYT-BVDK", "QNG-SYT-CDC", "QNG-SGDDT-LK", "QNG-SGDDT-TQT", "QNG-SGDDT-KT")
    )
    if position.code == "LX":
        category = StaffCategory.WORKER
    elif public_service:
        category = StaffCategory.PUBLIC_EMPLOYEE
    elif role == AssignmentRole.HEAD and unit.kind in (
        UnitKind.COMMUNE,
        UnitKind.WARD,
        UnitKind.SPECIAL_ZONE,
    ):
        category = StaffCategory.CADRE
    else:
        category = StaffCategory.CIVIL_SERVANT
    return {"job_position": position, "position_title": title, "category": category}


def _title(unit: OrgUnit, head: bool) -> str:
    if unit.kind in (UnitKind.COMMUNE, UnitKind.WARD, UnitKind.SPECIAL_ZONE):
        return "Chủ tịch UBND" if head else "Phó Chủ tịch UBND"
    if unit.name.startswith("Sở"):
        return "Giám đốc" if head else "Phó Giám đốc"
    if unit.name.startswith("Phòng"):
        return "Trưởng phòng" if head else "Phó Trưởng phòng"
    if unit.name.startswith("Trường"):
        return "Hiệu trưởng" if head else "Phó Hiệu trưởng"
    if unit.name.startswith("Khoa"):
        return "Trưởng khoa" if head else "Phó Trưởng khoa"
    if unit.name.startswith("Tổ"):
        return "Tổ trưởng" if head else "Tổ phó"
    return "Thủ trưởng" if head else "Cấp phó"


def _split_name(full_name: str) -> tuple[str, str]:
    last, _, first = full_name.rpartition(" ")
    return last, first


@transaction.atomic
def seed_people(units: dict[str, OrgUnit], staff: int, password_hash: str) -> int:
    """Append people 0..staff-1 that are not there yet, in bulk; return how many were added."""
    positions = seed_positions()
    existing = set(
        Person.objects.filter(hrmis_code__startswith="QNG").values_list("hrmis_code", flat=True)
    )
    root = province_spec()
    # Leader posts held by the named demo accounts are not handed out twice.
    reserved = {
        (a.unit_code, a.assignment_role)
        for a in DEMO_ACCOUNTS
        if a.assignment_role != AssignmentRole.STAFF
    }
    users, people, posts = [], [], []
    for index, slot in zip(range(staff), slots(root), strict=False):
        code = f"QNG{index + 1:06d}"
        if code in existing:
            continue
        rng = random.Random(index)
        unit = units[slot.unit_code]
        role = AssignmentRole.STAFF if (slot.unit_code, slot.role) in reserved else slot.role
        values = _person_values(rng, unit, role, positions)
        last, first = _split_name(values["full_name"])
        users.append(
            User(
                username=code.lower(),
                staff_code=code,
                first_name=first,
                last_name=last,
                password=password_hash,
            )
        )
        people.append(
            Person(
                hrmis_code=code,
                date_of_birth=date(rng.randint(1966, 2001), rng.randint(1, 12), rng.randint(1, 28)),
                party_member=rng.random() < 0.6,
                is_active=True,
                **values,
            )
        )
        posts.append((unit, role))
    User.objects.bulk_create(users, batch_size=2000)
    by_username = dict(
        User.objects.filter(username__in=[u.username for u in users]).values_list("username", "pk")
    )
    for user, person in zip(users, people, strict=True):
        person.user_id = by_username[user.username]
    Person.objects.bulk_create(people, batch_size=2000)
    by_code = dict(
        Person.objects.filter(hrmis_code__in=[p.hrmis_code for p in people]).values_list(
            "hrmis_code", "pk"
        )
    )
    Assignment.objects.bulk_create(
        [
            Assignment(
                person_id=by_code[p.hrmis_code], unit=unit, role=role, is_primary=True, start=START
            )
            for p, (unit, role) in zip(people, posts, strict=True)
        ],
        batch_size=5000,
    )
    return len(people)


@transaction.atomic
def seed_accounts(units: dict[str, OrgUnit], password_hash: str) -> list[DemoAccount]:
    """One named account per role; the roles a person does not hold by assignment are granted."""
    positions = seed_positions()
    for index, account in enumerate(DEMO_ACCOUNTS):
        if User.objects.filter(username=account.username).exists():
            continue
        unit = units[account.unit_code]
        last, first = _split_name(account.full_name)
        user = User.objects.create(
            username=account.username,
            first_name=first,
            last_name=last,
            email=f"{account.username}@quangngai.gov.vn",
            password=password_hash,
            staff_code=f"DEMO{index + 1:03d}",
            is_superuser=account.username == "quantri",
            is_staff=account.username == "quantri",
        )
        job = _job(random.Random(index), unit, account.assignment_role, positions)
        person = Person.objects.create(
            user=user,
            full_name=account.full_name,
            gender=account.gender,
            hrmis_code=f"DEMO{index + 1:03d}",
            email=user.email,
            date_of_birth=date(1980 + index, 1 + index % 12, 10),
            **job,
        )
        Assignment.objects.create(
            person=person, unit=unit, role=account.assignment_role, start=START
        )
        if account.grant:
            role, unit_code = account.grant
            RoleGrant.objects.create(user=user, role=role, unit=units[unit_code], valid_from=START)
    _seed_delegation(units)
    return DEMO_ACCOUNTS


def _seed_delegation(units: dict[str, OrgUnit]) -> None:
    """The head of Phòng Nghiệp vụ Y is away: her deputy approves for her this year."""
    head = Person.objects.get(user__username="truongphong")
    deputy = Person.objects.get(user__username="phophong")
    Delegation.objects.get_or_create(
        unit=units["QNG-SYT-NVY"],
        delegator=head,
        delegate=deputy,
        defaults={
            "valid_from": date(2026, 1, 1),
            "valid_to": date(2026, 12, 31),
            "reason": "Trưởng phòng đi học tập trung (Quyết định 125/QĐ-SYT)",
        },
    )


def seed(staff: int = 300) -> dict:
    """Build (or complete) the demo province; return counts for the command to print."""
    password_hash = make_password(
        DEMO_PASSWORD, salt="kpidemo"
    )  # one hash shared by every demo user
    with transaction.atomic():
        units = seed_units()
        accounts = seed_accounts(units, password_hash)
    added = seed_people(units, staff, password_hash)
    return {"units": len(units), "people_added": added, "accounts": accounts}
