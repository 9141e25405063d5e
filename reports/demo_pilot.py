"""Demo of the pilot: feedback in every state, last year's manual ratings, adoption figures.

Each feedback item is matched by sender and title and each baseline by unit and year, so a
second run writes nothing new; the adoption figures are rebuilt from the rollups every time.
"""

from __future__ import annotations

from django.db import transaction

from catalog.models import CriteriaSet, Product, VersionStatus
from orgunits.models import OrgUnit, User

from . import adoption, pilot, pilot_pack
from .forms_adoption import PILOT_FROM
from .models import Feedback, FeedbackKind, FeedbackTopic, ManualRatingBaseline

SYSTEM_ADMIN = "quantri"


def _handler(item: Feedback):
    owners = pilot.owners_of(item)
    return owners[0] if owners else User.objects.get(username=SYSTEM_ADMIN)


def _send(sender: User, title: str, **fields) -> Feedback | None:
    """Send the item unless this sender already sent one with this title; None when it exists."""
    if Feedback.objects.filter(sender=sender, title=title).exists():
        return None
    return pilot.feedback_send(by=sender, title=title, **fields)


def _targets() -> tuple[Product | None, CriteriaSet | None]:
    health = OrgUnit.objects.filter(code="QNG-SYT").first()
    product = Product.objects.filter(owner_unit=health).order_by("code").first() if health else None
    criteria_set = CriteriaSet.objects.filter(code="CQ-ND335").first()
    return product, criteria_set


def seed() -> dict[str, int]:
    """Feedback and baselines, then the adoption figures (the rollups are rebuilt by then)."""
    counts = seed_feedback()
    counts["baselines"] = seed_baselines()
    counts["adoption_rows"] = adoption.rebuild_all()
    return counts


# Counts per band (HTXS, HTT, HT, KHT) of the year before the pilot, as the units reported them.
BASELINES = {
    "QNG-SYT": (9, 41, 22, 2),
    "QNG-SNV": (4, 18, 7, 0),
    "QNG-XA001": (3, 12, 5, 1),
    "QNG-XA002": (2, 10, 6, 1),
}


@transaction.atomic
def seed_baselines() -> int:
    admin = User.objects.filter(username=SYSTEM_ADMIN).first()
    year = PILOT_FROM.year - 1
    created = 0
    for unit in OrgUnit.objects.filter(code__in=BASELINES) if admin else []:
        if ManualRatingBaseline.objects.filter(unit=unit, year=year).exists():
            continue
        htxs, htt, ht, kht = BASELINES[unit.code]
        pilot_pack.baseline_save(
            by=admin,
            unit=unit,
            year=year,
            counts={"count_htxs": htxs, "count_htt": htt, "count_ht": ht, "count_kht": kht},
            note="Kết quả đánh giá, xếp loại năm trước thí điểm (dữ liệu trình diễn)",
        )
        created += 1
    return created


@transaction.atomic
def seed_feedback() -> dict[str, int]:
    names = ["chuyenvien", "chuyenvien2", "truongphong", "canbo.xa", SYSTEM_ADMIN]
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    if len(users) < len(names):
        return {"feedback": 0}
    product, criteria_set = _targets()
    created = 0

    if product is not None:
        item = _send(
            users["chuyenvien"],
            "Đề nghị tăng hệ số quy đổi",
            kind=FeedbackKind.PROPOSAL,
            topic=FeedbackTopic.PRODUCT,
            product=product,
            body=(
                f"Sản phẩm “{product.name}” thường mất gấp đôi thời gian dự kiến; "
                "đề nghị xem xét tăng hệ số quy đổi lên 1,5."
            ),
        )
        created += item is not None

    item = _send(
        users["canbo.xa"],
        "Không tìm thấy nút gửi tất cả trên điện thoại",
        kind=FeedbackKind.DIFFICULTY,
        topic=FeedbackTopic.FUNCTION,
        function_name="Nhật ký công việc",
        body="Trên màn hình điện thoại, nút “Gửi tất cả” bị che bởi bàn phím khi đang nhập.",
    )
    if item is not None:
        created += 1
        pilot.feedback_answer(
            by=_handler(item),
            item=item,
            answer="Nút “Gửi tất cả” nằm ở đầu danh sách sản phẩm; hãy ẩn bàn phím rồi cuộn lên.",
        )

    if criteria_set is not None:
        item = _send(
            users["truongphong"],
            "Bổ sung mô tả tiêu chí đổi mới sáng tạo",
            kind=FeedbackKind.PROPOSAL,
            topic=FeedbackTopic.CRITERIA_SET,
            criteria_set=criteria_set,
            body="Đề nghị mô tả rõ minh chứng cho nhóm tiêu chí năng lực đổi mới sáng tạo.",
        )
        version = criteria_set.versions.exclude(status=VersionStatus.DRAFT).first()
        if item is not None:
            created += 1
            pilot.feedback_accept(
                by=_handler(item),
                item=item,
                resolution_version=version,
                note="Đã bổ sung mô tả minh chứng trong phiên bản bộ tiêu chí đang áp dụng.",
            )

    item = _send(
        users["chuyenvien2"],
        "Đề nghị bỏ bước thẩm định với phiếu tháng",
        kind=FeedbackKind.PROPOSAL,
        topic=FeedbackTopic.PROCESS,
        body="Phiếu đánh giá hằng tháng qua bước thẩm định làm chậm việc công bố kết quả.",
    )
    if item is not None:
        created += 1
        pilot.feedback_decline(
            by=_handler(item),
            item=item,
            reason="Thẩm định là bước bắt buộc theo quy định của tỉnh; không thể bỏ.",
        )

    item = _send(
        users["chuyenvien"],
        "Khó khăn khi tự đánh giá lần đầu",
        kind=FeedbackKind.DIFFICULTY,
        topic=FeedbackTopic.PROCESS,
        body="Chưa rõ cách giải trình điểm tiêu chí chung trong phiếu Mẫu 01.",
    )
    if item is not None:
        created += 1
        pilot.feedback_start_review(by=_handler(item), item=item)
    return {"feedback": created}
