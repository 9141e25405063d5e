"""Demo catalogs: one shared catalog per sector, each agency's own products, quotas, criteria.

Every sector (quản lý hành chính nhà nước for the sở and the 96 xã, phường, đặc khu; y tế;
giáo dục; công tác Đảng; Mặt trận và đoàn thể) gets a shared catalog of groups A, B and D plus
its own group C; every agency adds its specific products. Quotas sit on the blocs with a few
agency overrides; each bloc gets a criteria set published from its preset. Rows are matched by
their natural keys, so a second run writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction

from orgunits.models import JobPositionGroup, OrgUnit, Sector, UnitKind

from .criteria import PRESETS
from .models import (
    ConversionRule,
    ConversionTable,
    CriteriaSet,
    CriteriaSetVersion,
    Product,
    ProductGroup,
    Quota,
    VersionStatus,
)

START = date(2025, 7, 1)


@dataclass(frozen=True)
class Item:
    name: str
    unit: str
    coefficient: str
    complexity: str = "1.0"
    groups: tuple[str, ...] = ()
    hours: str | None = None


def _i(name, unit, coefficient, complexity="1.0", groups=(), hours=None) -> Item:
    return Item(name, unit, coefficient, complexity, tuple(groups), hours)


LEADERS = ("LDQL",)
SUPPORT = ("HTPV",)

GROUP_A = [
    _i(
        "Chủ trì, điều hành cuộc họp, hội nghị của cơ quan, đơn vị",
        "cuộc họp",
        "1.0",
        "1.2",
        LEADERS,
    ),
    _i("Chỉ đạo xây dựng, ký ban hành kế hoạch công tác năm", "kế hoạch", "3.0", "1.5", LEADERS),
    _i("Ký duyệt, ban hành văn bản chỉ đạo, điều hành", "văn bản", "0.5", "1.0", LEADERS),
    _i("Chủ trì kiểm tra, đôn đốc thực hiện nhiệm vụ", "cuộc kiểm tra", "2.0", "1.2", LEADERS),
    _i("Tiếp công dân định kỳ của người đứng đầu", "buổi", "1.0", "1.2", LEADERS),
    _i("Chỉ đạo xử lý vụ việc phức tạp, đột xuất", "vụ việc", "2.5", "2.0", LEADERS),
    _i("Đánh giá, xếp loại cán bộ thuộc quyền quản lý", "lượt", "0.2", "1.0", LEADERS),
    _i("Chủ trì sơ kết, tổng kết công tác", "báo cáo", "3.0", "1.5", LEADERS),
]
GROUP_B = [
    _i("Dự thảo văn bản quy phạm pháp luật", "văn bản", "4.0", "2.0", hours="40"),
    _i("Dự thảo văn bản hành chính (công văn, tờ trình, thông báo)", "văn bản", "0.5"),
    _i("Báo cáo định kỳ (tháng, quý, năm)", "báo cáo", "1.0"),
    _i("Báo cáo chuyên đề, đột xuất", "báo cáo", "1.5", "1.2"),
    _i("Tham mưu kế hoạch triển khai nhiệm vụ", "kế hoạch", "2.0", "1.2"),
    _i("Xây dựng đề án, dự án, chương trình", "đề án", "4.5", "2.0", hours="80"),
    _i("Góp ý dự thảo văn bản của cơ quan khác", "văn bản", "0.3"),
    _i("Tham mưu trả lời kiến nghị, phản ánh", "văn bản", "0.8"),
    _i("Tổ chức hội nghị, hội thảo, tập huấn", "cuộc họp", "2.0", "1.2"),
    _i("Tham dự cuộc họp, làm việc theo phân công", "cuộc họp", "0.3"),
    _i("Thẩm định hồ sơ, đề xuất", "hồ sơ", "1.0", "1.2"),
    _i("Kiểm tra, giám sát theo kế hoạch", "cuộc kiểm tra", "2.0", "1.2"),
    _i("Tổng hợp số liệu, cập nhật cơ sở dữ liệu chuyên ngành", "lượt", "0.2"),
    _i("Xử lý văn bản đến trên hệ thống quản lý văn bản", "văn bản", "0.1"),
    _i("Lập hồ sơ công việc, nộp lưu hồ sơ vào lưu trữ", "hồ sơ", "0.2"),
    _i("Tham mưu giải quyết khiếu nại, tố cáo", "vụ việc", "2.5", "1.5"),
    _i("Số hóa, cập nhật dữ liệu nghiệp vụ lên hệ thống", "lượt", "0.2"),
    _i("Đăng ký, phát hành, quản lý văn bản (văn thư)", "văn bản", "0.05", groups=SUPPORT),
    _i("Lập chứng từ, thanh toán, quyết toán kinh phí", "hồ sơ", "0.5", groups=SUPPORT),
    _i("Phục vụ hội nghị, đưa đón công tác", "lượt", "0.5", groups=SUPPORT),
]
GROUP_D = [
    _i("Nhiệm vụ đột xuất được cấp trên giao", "nhiệm vụ", "1.0"),
    _i("Tham gia đoàn công tác, tổ công tác liên ngành", "lượt", "1.0"),
    _i("Tham gia hoạt động phong trào, đoàn thể của cơ quan", "lượt", "0.3"),
    _i("Học tập, bồi dưỡng theo kế hoạch được cử", "buổi", "0.5"),
    _i("Sáng kiến, giải pháp được công nhận", "sáng kiến", "4.0", "1.5"),
]
# Party and Front bodies issue no legal normative documents; their first B product differs.
PARTY_B01 = _i(
    "Dự thảo nghị quyết, chỉ thị, quy định, kết luận", "văn bản", "4.0", "2.0", hours="40"
)

SECTOR_C = {
    "HC": [
        _i("Giải quyết hồ sơ thủ tục hành chính", "hồ sơ", "0.3"),
        _i("Chứng thực bản sao, chữ ký (cấp xã)", "hồ sơ", "0.05"),
        _i("Đăng ký hộ tịch: khai sinh, kết hôn, khai tử (cấp xã)", "hồ sơ", "0.2"),
        _i("Tiếp công dân, tiếp nhận phản ánh, kiến nghị (cấp xã)", "lượt", "0.3"),
        _i("Hòa giải cơ sở, giải quyết tranh chấp đất đai (cấp xã)", "vụ việc", "1.5", "1.2"),
        _i("Kiểm tra trật tự xây dựng, đất đai trên địa bàn", "cuộc kiểm tra", "1.0"),
        _i("Xác minh hồ sơ người có công, bảo trợ xã hội", "hồ sơ", "0.5"),
        _i("Cập nhật dữ liệu dân cư, đất đai vào hệ thống", "lượt", "0.1"),
        _i("Thống kê, báo cáo kinh tế - xã hội cấp xã", "báo cáo", "1.0"),
        _i("Lập biên bản, xử lý vi phạm hành chính", "vụ việc", "1.0", "1.2"),
        _i("Trực phòng, chống thiên tai, tìm kiếm cứu nạn", "ca trực", "1.0"),
        _i("Thu thuế, phí, lệ phí trên địa bàn", "hồ sơ", "0.1"),
    ],
    "YT": [
        _i("Khám bệnh ngoại trú", "lượt khám", "0.1", groups=("YTE",)),
        _i("Điều trị nội trú", "ngày điều trị", "0.2", groups=("YTE",)),
        _i("Phẫu thuật loại I", "ca", "3.0", "2.0", ("YTE",), "4"),
        _i("Thủ thuật chuyên khoa", "ca", "0.5", "1.2", ("YTE",)),
        _i("Trực cấp cứu", "ca trực", "1.5", "1.2", ("YTE",)),
        _i("Chăm sóc điều dưỡng người bệnh", "lượt", "0.1", groups=("YTE",)),
        _i("Thực hiện xét nghiệm, chẩn đoán hình ảnh", "lượt", "0.05", groups=("YTE",)),
        _i("Hội chẩn chuyên môn", "cuộc họp", "1.0", "1.2", ("YTE",)),
        _i("Giám sát dịch tễ tại cộng đồng", "cuộc kiểm tra", "1.0"),
    ],
    "GD": [
        _i("Giờ dạy chính khóa", "giờ dạy", "0.3", groups=("GV",), hours="1"),
        _i("Giờ dạy bồi dưỡng học sinh giỏi", "giờ dạy", "0.45", "1.5", ("GV",), "1"),
        _i("Soạn kế hoạch bài dạy", "kế hoạch", "0.2", groups=("GV",)),
        _i("Chấm bài kiểm tra định kỳ", "bài kiểm tra", "0.02", groups=("GV",)),
        _i("Coi thi, chấm thi", "buổi", "0.5", groups=("GV",)),
        _i("Làm công tác chủ nhiệm lớp", "lớp", "4.0", "1.2", ("GV",)),
        _i("Hướng dẫn học sinh nghiên cứu khoa học kỹ thuật", "đề tài", "3.0", "1.5", ("GV",)),
        _i("Sinh hoạt tổ chuyên môn", "buổi", "0.3", groups=("GV",)),
    ],
    "DANG": [
        _i("Nắm tình hình, báo cáo tư tưởng cán bộ, đảng viên", "báo cáo", "1.0"),
        _i("Hướng dẫn nghiệp vụ công tác đảng cho cơ sở", "buổi", "1.0"),
    ],
    "DT": [
        _i("Tổ chức giám sát, phản biện xã hội", "cuộc kiểm tra", "3.0", "1.5"),
        _i("Vận động, tập hợp đoàn viên, hội viên", "lượt", "0.3"),
    ],
}

AGENCY_C = {
    "VP": [
        _i("Thẩm tra hồ sơ trình UBND tỉnh", "hồ sơ", "1.0", "1.2"),
        _i("Dự thảo thông báo kết luận của lãnh đạo UBND tỉnh", "văn bản", "1.0"),
        _i("Tổng hợp chương trình công tác của UBND tỉnh", "báo cáo", "2.0"),
        _i("Xử lý phản ánh trên Cổng thông tin điện tử tỉnh", "vụ việc", "0.5"),
    ],
    "TTR": [
        _i("Tiến hành cuộc thanh tra hành chính", "cuộc thanh tra", "4.5", "2.0", hours="120"),
        _i("Xác minh nội dung tố cáo", "vụ việc", "3.0", "1.5"),
        _i("Dự thảo kết luận thanh tra", "văn bản", "3.0", "1.5"),
        _i("Theo dõi, đôn đốc thực hiện kết luận thanh tra", "vụ việc", "1.0"),
        _i("Xác minh tài sản, thu nhập", "hồ sơ", "1.5", "1.2"),
    ],
    "SNV": [
        _i("Thẩm định đề án vị trí việc làm", "hồ sơ", "2.0", "1.5"),
        _i("Thẩm định hồ sơ tuyển dụng, nâng ngạch", "hồ sơ", "0.5"),
        _i("Tham mưu sắp xếp tổ chức bộ máy", "đề án", "4.5", "2.0"),
        _i("Giải quyết chế độ, chính sách cán bộ", "hồ sơ", "0.5"),
    ],
    "STC": [
        _i("Thẩm định dự toán ngân sách", "hồ sơ", "2.0", "1.5"),
        _i("Thẩm tra quyết toán dự án hoàn thành", "hồ sơ", "3.0", "1.5"),
        _i("Cấp đăng ký doanh nghiệp", "hồ sơ", "0.3"),
        _i("Thẩm định chủ trương đầu tư", "hồ sơ", "3.0", "2.0"),
    ],
    "SXD": [
        _i("Thẩm định thiết kế cơ sở", "hồ sơ", "2.5", "1.5"),
        _i("Cấp giấy phép xây dựng", "hồ sơ", "0.5", "1.2"),
        _i("Thẩm định quy hoạch chi tiết", "hồ sơ", "3.0", "2.0"),
        _i("Kiểm tra công tác nghiệm thu công trình", "cuộc kiểm tra", "2.0", "1.2"),
    ],
    "SNNMT": [
        _i("Thẩm định hồ sơ giao đất, cho thuê đất", "hồ sơ", "1.5", "1.5"),
        _i("Thẩm định báo cáo đánh giá tác động môi trường", "hồ sơ", "3.0", "2.0"),
        _i("Kiểm tra phòng, chống dịch bệnh cây trồng, vật nuôi", "cuộc kiểm tra", "1.5"),
        _i("Cấp giấy chứng nhận quyền sử dụng đất", "hồ sơ", "0.5", "1.2"),
    ],
    "SVHTTDL": [
        _i("Thẩm định nội dung chương trình nghệ thuật", "hồ sơ", "0.5"),
        _i("Tổ chức sự kiện văn hóa, thể thao cấp tỉnh", "sự kiện", "4.0", "2.0"),
        _i("Lập hồ sơ xếp hạng di tích", "hồ sơ", "3.0", "1.5"),
    ],
    "SKHCN": [
        _i("Thẩm định nhiệm vụ khoa học và công nghệ", "hồ sơ", "2.0", "1.5"),
        _i("Vận hành, bảo đảm an toàn hệ thống thông tin", "lượt", "0.5"),
        _i("Triển khai nền tảng chuyển đổi số dùng chung", "đề án", "4.0", "2.0"),
    ],
    "SGDDT": [
        _i("Thẩm định tài liệu giáo dục địa phương", "hồ sơ", "2.0", "1.5"),
        _i("Tổ chức kỳ thi tốt nghiệp trung học phổ thông cấp tỉnh", "sự kiện", "4.5", "2.0"),
        _i("Kiểm tra công nhận trường đạt chuẩn quốc gia", "cuộc kiểm tra", "2.0", "1.2"),
        _i("Cấp văn bằng, chứng chỉ", "hồ sơ", "0.2"),
    ],
    "SYT": [
        _i("Thẩm định hồ sơ cấp giấy phép hành nghề khám bệnh, chữa bệnh", "hồ sơ", "0.5", "1.2"),
        _i("Kiểm tra an toàn thực phẩm", "cuộc kiểm tra", "1.5"),
        _i("Thẩm định cấp phép hoạt động cơ sở khám bệnh, chữa bệnh", "hồ sơ", "2.0", "1.5"),
        _i("Chỉ đạo phòng, chống dịch bệnh", "kế hoạch", "2.5", "1.5"),
    ],
    "SCT": [
        _i("Cấp giấy chứng nhận xuất xứ hàng hóa", "hồ sơ", "0.2"),
        _i("Kiểm tra an toàn hóa chất, an toàn điện", "cuộc kiểm tra", "1.5", "1.2"),
        _i("Thẩm định hồ sơ thành lập cụm công nghiệp", "hồ sơ", "2.5", "1.5"),
    ],
    "STP": [
        _i("Thẩm định dự thảo văn bản quy phạm pháp luật", "văn bản", "2.5", "1.5"),
        _i("Kiểm tra văn bản quy phạm pháp luật sau ban hành", "văn bản", "1.0", "1.2"),
        _i("Cấp phiếu lý lịch tư pháp", "hồ sơ", "0.2"),
        _i("Tuyên truyền, phổ biến, giáo dục pháp luật", "buổi", "1.0"),
    ],
    "SDTTG": [
        _i("Thẩm định chính sách hỗ trợ đồng bào dân tộc thiểu số", "hồ sơ", "1.5", "1.2"),
        _i("Giải quyết hồ sơ đăng ký hoạt động tôn giáo", "hồ sơ", "0.5"),
        _i("Khảo sát tình hình vùng đồng bào dân tộc thiểu số", "cuộc kiểm tra", "2.0", "1.2"),
    ],
    "SNGV": [
        _i("Thẩm định hồ sơ tổ chức hội nghị, hội thảo quốc tế", "hồ sơ", "1.0"),
        _i("Đón tiếp, làm việc với đoàn nước ngoài", "lượt", "1.5", "1.2"),
        _i("Giải quyết hồ sơ lãnh sự, bảo hộ công dân", "hồ sơ", "0.8", "1.2"),
    ],
    "BTC": [
        _i("Thẩm định hồ sơ quy hoạch, bổ nhiệm cán bộ", "hồ sơ", "1.5", "1.5"),
        _i("Thẩm định hồ sơ kết nạp đảng viên, tặng Huy hiệu Đảng", "hồ sơ", "0.3"),
        _i("Tham mưu đánh giá, xếp loại tổ chức đảng", "báo cáo", "2.5", "1.5"),
        _i("Thẩm tra tiêu chuẩn chính trị", "hồ sơ", "1.0", "1.2"),
    ],
    "VPTU": [
        _i("Tổng hợp chương trình công tác của Ban Thường vụ Tỉnh ủy", "báo cáo", "2.0", "1.2"),
        _i("Phục vụ hội nghị Tỉnh ủy", "cuộc họp", "2.0", "1.2"),
        _i("Quản lý tài chính, tài sản của Đảng", "hồ sơ", "1.0"),
    ],
    "BTGDV": [
        _i("Định hướng thông tin, tuyên truyền", "văn bản", "1.0"),
        _i("Tổ chức học tập, quán triệt nghị quyết", "buổi", "2.0", "1.2"),
        _i("Nắm tình hình tư tưởng, dư luận xã hội", "báo cáo", "1.5"),
    ],
    "UBKT": [
        _i(
            "Kiểm tra tổ chức đảng, đảng viên khi có dấu hiệu vi phạm",
            "cuộc kiểm tra",
            "4.5",
            "2.0",
        ),
        _i("Giám sát chuyên đề", "cuộc kiểm tra", "3.0", "1.5"),
        _i("Giải quyết tố cáo đối với đảng viên", "vụ việc", "3.0", "1.5"),
        _i("Thẩm tra đề nghị thi hành kỷ luật đảng", "hồ sơ", "2.0", "1.5"),
    ],
    "MTTQ": [
        _i("Vận động Quỹ Vì người nghèo, an sinh xã hội", "kế hoạch", "1.5"),
        _i("Tổng hợp ý kiến, kiến nghị cử tri", "báo cáo", "1.5", "1.2"),
    ],
    "TD": [
        _i("Tổ chức hoạt động tình nguyện của thanh niên", "sự kiện", "2.5", "1.2"),
        _i("Giới thiệu đoàn viên ưu tú cho Đảng xem xét kết nạp", "hồ sơ", "0.5"),
    ],
    "HPN": [
        _i("Triển khai mô hình hỗ trợ phụ nữ khởi nghiệp", "đề án", "3.0", "1.5"),
        _i("Tư vấn, hỗ trợ phụ nữ bị bạo lực gia đình", "vụ việc", "1.0", "1.2"),
    ],
    "HND": [
        _i("Hướng dẫn nông dân ứng dụng khoa học kỹ thuật", "buổi", "1.0"),
        _i("Quản lý nguồn vốn Quỹ hỗ trợ nông dân", "hồ sơ", "0.8", "1.2"),
    ],
    "LDLD": [
        _i("Thương lượng, ký thỏa ước lao động tập thể", "hồ sơ", "2.0", "1.5"),
        _i("Tham gia giải quyết tranh chấp lao động", "vụ việc", "2.0", "1.5"),
    ],
    "CCB": [
        _i("Vận động hội viên tham gia giữ gìn an ninh trật tự", "kế hoạch", "1.0"),
        _i("Giải quyết chế độ, chính sách cho hội viên", "hồ sơ", "0.5"),
    ],
}

SECTOR_NAMES = {
    "HC": "Danh mục dùng chung khối chính quyền (sở, ngành; xã, phường, đặc khu)",
    "YT": "Danh mục dùng chung ngành Y tế",
    "GD": "Danh mục dùng chung ngành Giáo dục và Đào tạo",
    "DANG": "Danh mục dùng chung cơ quan Đảng",
    "DT": "Danh mục dùng chung Mặt trận Tổ quốc và các đoàn thể",
}

# (unit code, job-position group, standard products a month); the nearest unit wins.
QUOTAS = [
    *[
        (bloc, group, per_month)
        for bloc in ("QNG-CQ", "QNG-DANG", "QNG-MT")
        for group, per_month in (("LDQL", "18"), ("CMNV", "22"), ("HTPV", "20"))
    ],
    ("QNG-TTR", "CMNV", "20"),  # inspections are long; the Thanh tra's quota is lower
    ("QNG-SGDDT", "GV", "21"),
    ("QNG-SYT", "YTE", "24"),
]

CRITERIA = [
    ("QNG-CQ", "CQ-ND335", "Bộ tiêu chí khối chính quyền (Nghị định 335/2025/NĐ-CP)", "nd335"),
    ("QNG-DANG", "DANG-QD366", "Bộ tiêu chí khối Đảng (Quy định 366-QĐ/TW)", "qd366"),
    ("QNG-MT", "MT-QD366", "Bộ tiêu chí khối MTTQ và các đoàn thể (Quy định 366-QĐ/TW)", "qd366"),
]

CONVERSIONS = {
    "HC": (
        "GV-HC",
        "Bảng quy đổi nhiệm vụ giao việc khối chính quyền",
        [
            ("Soạn thảo công văn trả lời, hướng dẫn", "B02", "1"),
            ("Báo cáo nhanh theo yêu cầu của cấp trên", "B04", "0.5"),
            ("Tham mưu văn bản quy phạm pháp luật sửa đổi, bổ sung", "B01", "0.5"),
            ("Tiếp nhận, trả kết quả hồ sơ một cửa", "C01", "1"),
            ("Đi kiểm tra hiện trường cùng đoàn liên ngành", "D02", "1"),
        ],
    ),
    "YT": (
        "GV-YT",
        "Bảng quy đổi nhiệm vụ chuyên môn y tế",
        [
            ("Khám sức khỏe định kỳ cho cán bộ", "C01", "1.5"),
            ("Tham gia đoàn khám chữa bệnh lưu động", "C01", "2"),
            ("Trực tăng cường dịp lễ, Tết", "C05", "1.5"),
        ],
    ),
}


def _code(letter: str, index: int) -> str:
    return f"{letter}{index:02d}"


def _sector_items(sector: str) -> list[tuple[str, str, Item]]:
    b_items = list(GROUP_B)
    if sector in ("DANG", "DT"):
        b_items[0] = PARTY_B01
    rows = [("A", _code("A", i), item) for i, item in enumerate(GROUP_A, 1)]
    rows += [("B", _code("B", i), item) for i, item in enumerate(b_items, 1)]
    rows += [("C", _code("C", i), item) for i, item in enumerate(SECTOR_C[sector], 1)]
    rows += [("D", _code("D", i), item) for i, item in enumerate(GROUP_D, 1)]
    return rows


def agencies(units: dict[str, OrgUnit]) -> list[OrgUnit]:
    """The cơ quan directly under the three blocs."""
    return [
        u
        for u in units.values()
        if u.code.startswith("QNG-") and u.kind == UnitKind.AGENCY and u.depth == 3
    ]


def demo_units() -> dict[str, OrgUnit]:
    return {u.code: u for u in OrgUnit.objects.filter(code__startswith="QNG")}


def _seed_products(units: dict[str, OrgUnit]) -> int:
    groups = {g.code: g for g in ProductGroup.objects.all()}
    positions = {g.code: g for g in JobPositionGroup.objects.all()}
    sectors = {s.code: s for s in Sector.objects.all()}
    existing = set(Product.objects.values_list("owner_unit_id", "owner_sector_id", "code"))
    planned: list[tuple[Product, tuple[str, ...]]] = []

    def plan(unit, sector, letter, code, item: Item) -> None:
        key = (unit.pk if unit else None, sector.pk if sector else None, code)
        if key in existing:
            return
        product = Product(
            owner_unit=unit,
            owner_sector=sector,
            code=code,
            name=item.name,
            unit_of_measure=item.unit,
            group=groups[letter],
            coefficient=Decimal(item.coefficient),
            complexity=Decimal(item.complexity),
            expected_hours=Decimal(item.hours) if item.hours else None,
            active_from=START,
        )
        planned.append((product, item.groups))

    for sector_code in SECTOR_C:
        for letter, code, item in _sector_items(sector_code):
            plan(None, sectors[sector_code], letter, code, item)
    for agency in agencies(units):
        short = agency.code.removeprefix("QNG-")
        for index, item in enumerate(AGENCY_C.get(short, []), 1):
            plan(agency, None, "C", f"{short}-C{index:02d}", item)
    Product.objects.bulk_create([p for p, _groups in planned], batch_size=1000)
    through = Product.position_groups.through
    through.objects.bulk_create(
        [
            through(product_id=product.pk, jobpositiongroup_id=positions[code].pk)
            for product, codes in planned
            for code in codes
            if code in positions
        ],
        batch_size=1000,
    )
    return len(planned)


def _seed_quotas(units: dict[str, OrgUnit]) -> int:
    positions = {g.code: g for g in JobPositionGroup.objects.all()}
    existing = set(Quota.objects.values_list("unit_id", "group_id", "valid_from"))
    new = [
        Quota(
            unit=units[unit],
            group=positions[group],
            per_month=Decimal(per_month),
            valid_from=START,
            note="Định mức trình diễn",
        )
        for unit, group, per_month in QUOTAS
        if unit in units
        and group in positions
        and (units[unit].pk, positions[group].pk, START) not in existing
    ]
    Quota.objects.bulk_create(new)
    return len(new)


def _seed_criteria(units: dict[str, OrgUnit]) -> int:
    created = 0
    for unit_code, code, name, preset_code in CRITERIA:
        unit = units.get(unit_code)
        if unit is None or CriteriaSet.objects.filter(owner_unit=unit, code=code).exists():
            continue
        preset = PRESETS[preset_code]
        criteria_set = CriteriaSet.objects.create(
            owner_unit=unit, code=code, name=name, preset=preset_code
        )
        CriteriaSetVersion.objects.create(
            criteria_set=criteria_set,
            number=1,
            status=VersionStatus.PUBLISHED,
            valid_from=START,
            rules=preset.fresh_rules(),
            general_descriptions=list(preset.descriptions),
            note=f"Ban hành theo mẫu {preset.name}.",
        )
        created += 1
    return created


def _seed_conversions() -> int:
    created = 0
    for sector_code, (code, name, rules) in CONVERSIONS.items():
        sector = Sector.objects.filter(code=sector_code).first()
        if (
            sector is None
            or ConversionTable.objects.filter(owner_sector=sector, code=code).exists()
        ):
            continue
        table = ConversionTable.objects.create(owner_sector=sector, code=code, name=name)
        products = {p.code: p for p in Product.objects.filter(owner_sector=sector)}
        ConversionRule.objects.bulk_create(
            [
                ConversionRule(
                    table=table,
                    task_type=task,
                    product=products[product],
                    coefficient=Decimal(coefficient),
                )
                for task, product, coefficient in rules
            ]
        )
        created += 1
    return created


@transaction.atomic
def seed(units: dict[str, OrgUnit]) -> dict:
    """Add whatever demo catalog rows are missing; return what was added and the totals."""
    added = {
        "products": _seed_products(units),
        "quotas": _seed_quotas(units),
        "criteria_sets": _seed_criteria(units),
        "conversion_tables": _seed_conversions(),
    }
    return {
        "added": added,
        "products": Product.objects.count(),
        "quotas": Quota.objects.count(),
        "criteria_sets": CriteriaSet.objects.count(),
    }
