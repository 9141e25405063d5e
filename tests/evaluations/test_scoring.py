import json
from dataclasses import replace
from decimal import Decimal
from fractions import Fraction

import pytest

from evaluations.scoring import (
    PRESETS,
    Flags,
    LeaderFactors,
    QuotaMember,
    Rating,
    ScoringInputError,
    ScoringRules,
    TaskLine,
    band_for,
    check_quota,
    round_half_up,
    score_annual,
    score_individual,
)

D = Decimal
ND335 = ScoringRules.nd335()
QD366 = ScoringRules.qd366()
KHANH_HOA = ScoringRules.khanh_hoa()
FULL_GENERAL = (D(10), D(10), D(10))


def line(assigned="10", done="10", coefficient="1", **kwargs):
    return TaskLine(coefficient=D(coefficient), assigned=D(assigned), done=D(done), **kwargs)


def score(tasks, general=FULL_GENERAL, rules=ND335, **kwargs):
    return score_individual(rules=rules, general=general, tasks=tasks, **kwargs)


def leader_factors(ratings=(), organizing="1"):
    return LeaderFactors(subordinate_ratings=tuple(ratings), organizing=D(organizing))


# Formula


def test_brief_example_scores_64_17_task_and_htxs():
    result = score(
        [line(coefficient="1.5", assigned="4", done="4", major_errors=1)],
        general=(D("9.5"), D(9), D(8)),
    )

    assert result.general == D("26.5")
    assert result.task == D("64.17")
    assert result.total == D("90.67")
    assert result.rating is Rating.HTXS
    assert result.band_rating is Rating.HTXS
    assert result.capped_by is None
    assert result.ratios.quantity == 1
    assert result.ratios.quality == D("0.75")
    assert result.ratios.timeliness == 1


def test_quantity_weights_lines_by_their_coefficient():
    result = score([line(coefficient="2", assigned="5", done="5"), line(assigned="10", done="0")])

    assert result.ratios.quantity == D("0.5")


def test_quantity_is_capped_at_one_when_more_is_done_than_assigned():
    result = score([line(assigned="10", done="15")])

    assert result.ratios.quantity == 1
    assert result.task == D("70.00")


def test_major_error_deducts_a_quarter_of_the_line_from_quality():
    result = score([line(assigned="10", done="10"), line(assigned="10", done="10", major_errors=1)])

    assert result.ratios.quality == D("0.875")


def test_five_major_errors_remove_the_line_from_quality_without_going_negative():
    result = score([line(), line(major_errors=5)])

    assert result.ratios.quality == D("0.5")


def test_failed_quality_line_counts_nothing_towards_quality():
    result = score([line(), line(quality_pass=False)])

    assert result.ratios.quality == D("0.5")
    assert result.ratios.quantity == 1
    assert result.ratios.timeliness == 1


def test_each_delay_deducts_a_quarter_of_the_line_from_timeliness():
    result = score([line(delays=2)])

    assert result.ratios.timeliness == D("0.5")
    assert result.ratios.quality == 1


def test_delays_never_push_timeliness_below_zero():
    result = score([line(), line(delays=7)])

    assert result.ratios.timeliness == D("0.5")


def test_exempt_line_ignores_its_errors_and_delays():
    result = score([line(major_errors=2, delays=3, exempt=True)])

    assert result.ratios.quality == 1
    assert result.ratios.timeliness == 1
    assert result.task == D("70.00")


def test_exemption_does_not_rescue_a_failed_quality_line():
    result = score([line(quality_pass=False, exempt=True)])

    assert result.ratios.quality == 0


def test_nothing_assigned_means_not_rated():
    result = score([line(assigned="0", done="0")])

    assert result.rating is Rating.NOT_RATED
    assert result.rating.value == "CHUA_XEP_LOAI"
    assert result.general is result.task is result.total is result.ratios is None
    assert result.capped_by is None


def test_no_task_lines_means_not_rated():
    assert score([]).rating is Rating.NOT_RATED


def test_outside_plan_lines_alone_never_make_a_baseline():
    result = score([line(assigned="0", done="5")])

    assert result.rating is Rating.NOT_RATED


def test_outside_plan_line_raises_ratios_up_to_one():
    result = score([line(assigned="10", done="4"), line(assigned="0", done="2")])

    assert result.ratios.quantity == D("0.6")


def test_outside_plan_line_cannot_push_ratios_past_one():
    result = score([line(assigned="10", done="8"), line(assigned="0", done="5")])

    assert result.ratios.quantity == 1
    assert result.ratios.quality == 1
    assert result.ratios.timeliness == 1


def test_default_weights_give_exactly_seventy_times_the_mean_of_the_ratios():
    # Q = 1, C = 0.75, P = 0.5 → 70 × 2.25 / 3 = 52.5, which 0.3333 weights would miss.
    result = score([line(assigned="4", done="4", major_errors=1, delays=2)])

    assert result.task == D("52.50")


def test_thirds_stay_exact_through_rounding():
    result = score([line(assigned="3", done="1")])

    assert round_half_up(result.ratios.quantity, 6) == D("0.333333")
    assert result.task == round_half_up(Fraction(70, 3))
    assert result.task == D("23.33")


def test_custom_weights_change_the_task_score():
    rules = replace(ND335, weights=(Fraction(1, 2), Fraction(1, 4), Fraction(1, 4)))

    result = score([line(quality_pass=False)], rules=rules)

    assert result.task == D("52.50")


def test_general_is_the_sum_of_the_groups():
    result = score([line()], general=(D("7.5"), D("8.25"), D(0)))

    assert result.general == D("15.75")
    assert result.total == D("85.75")


# Leaders


def test_leader_task_averages_quantity_quality_timeliness_unit_and_organizing():
    result = score(
        [line(assigned="4", done="4", major_errors=1)],
        role="leader",
        leader=leader_factors(["HTT", "HT"], organizing="0.5"),
    )

    # 70 × (1 + 0.75 + 1 + 1 + 0.5) / 5
    assert result.task == D("59.50")


def test_leader_with_a_kht_subordinate_gets_half_unit_factor():
    result = score(
        [line()], role="leader", leader=leader_factors([Rating.HTXS, Rating.KHT], organizing="1")
    )

    assert result.task == D("63.00")


def test_leader_without_subordinates_gets_full_unit_factor():
    result = score([line()], role="leader", leader=leader_factors([], organizing="1"))

    assert result.task == D("70.00")


def test_not_rated_subordinates_do_not_lower_the_unit_factor():
    result = score([line()], role="leader", leader=leader_factors(["CHUA_XEP_LOAI", "HT"]))

    assert result.task == D("70.00")


def test_unit_factors_come_from_the_rules():
    rules = replace(ND335, leader_unit_not_ok=D(0))

    result = score([line()], rules=rules, role="leader", leader=leader_factors(["KHT"]))

    assert result.task == D("56.00")


def test_leader_needs_leader_factors():
    with pytest.raises(ScoringInputError, match="lãnh đạo"):
        score([line()], role="leader")


@pytest.mark.parametrize("organizing", ["-0.1", "1.01"])
def test_organizing_capacity_outside_zero_to_one_is_rejected(organizing):
    with pytest.raises(ScoringInputError, match="Năng lực tổ chức"):
        score([line()], role="leader", leader=leader_factors(organizing=organizing))


def test_unknown_subordinate_rating_is_rejected():
    with pytest.raises(ScoringInputError, match="không hợp lệ"):
        score([line()], role="leader", leader=leader_factors(["GOOD"]))


def test_staff_ignores_leader_factors():
    with_leader = score([line(delays=1)], leader=leader_factors(["KHT"], organizing="0"))

    assert with_leader == score([line(delays=1)])


def test_unknown_role_is_rejected():
    with pytest.raises(ScoringInputError, match="Vai trò"):
        score([line()], role="boss")


# Input validation


@pytest.mark.parametrize(
    ("task", "message"),
    [
        (line(assigned="-1"), "số lượng được giao không được âm"),
        (line(done="-0.5"), "số lượng hoàn thành không được âm"),
        (line(coefficient="0"), "hệ số quy đổi phải lớn hơn 0"),
        (line(coefficient="-1"), "hệ số quy đổi phải lớn hơn 0"),
        (line(major_errors=-1), "số lỗi lớn không được âm"),
        (line(delays=-1), "số lần chậm tiến độ không được âm"),
        (line(delays=1.5), "số lần chậm tiến độ phải là số nguyên"),
        (TaskLine(coefficient=1.5, assigned=D(1), done=D(1)), "phải là số chính xác"),
        (line(done="NaN"), "không phải là một số hữu hạn"),
    ],
)
def test_invalid_task_line_is_rejected_in_vietnamese(task, message):
    with pytest.raises(ScoringInputError, match=message):
        score([task])


@pytest.mark.parametrize("general", [(D(10), D(10), D("10.01")), (D(10), D(-1), D(10))])
def test_general_points_outside_group_range_are_rejected_not_clamped(general):
    with pytest.raises(ScoringInputError, match="phải nằm trong khoảng 0 đến 10"):
        score([line()], general=general)


def test_general_points_must_match_the_number_of_groups():
    with pytest.raises(ScoringInputError, match="Cần đúng 3 điểm"):
        score([line()], general=(D(10), D(10)))


def test_general_points_with_more_than_two_decimals_are_rejected():
    with pytest.raises(ScoringInputError, match="tối đa 2 chữ số thập phân"):
        score([line()], general=(D(10), D(10), D("9.995")))


def test_general_points_are_validated_even_when_not_rated():
    with pytest.raises(ScoringInputError):
        score([], general=(D(11), D(10), D(10)))


# Rounding and bands


def test_task_is_rounded_half_up_not_half_even():
    # 70 × 8001 / 14000 = 40.005 exactly; half-even would give 40.00.
    result = score([line(assigned="14000", done="8001")], general=(D(10), D(10), D("9.99")))

    assert result.task == D("40.01")


def test_total_of_69_995_before_rounding_reaches_htt():
    result = score([line(assigned="14000", done="8001")], general=(D(10), D(10), D("9.99")))

    assert result.total == D("70.00")
    assert result.rating is Rating.HTT


def test_total_of_89_994_before_rounding_stays_htt():
    # 70 × 119988 / 140000 = 59.994 exactly.
    result = score([line(assigned="140000", done="119988")])

    assert result.total == D("89.99")
    assert result.rating is Rating.HTT


def test_total_of_89_995_before_rounding_reaches_htxs():
    result = score([line(assigned="140000", done="119990")])

    assert result.task == D("60.00")
    assert result.rating is Rating.HTXS


def test_total_is_printed_general_plus_printed_task():
    result = score([line(assigned="3", done="2")], general=(D("9.5"), D("9.25"), D(8)))

    assert result.total == result.general + result.task


@pytest.mark.parametrize(
    ("total", "rating"),
    [
        ("100", Rating.HTXS),
        ("90", Rating.HTXS),
        ("89.99", Rating.HTT),
        ("70", Rating.HTT),
        ("69.99", Rating.HT),
        ("50", Rating.HT),
        ("49.99", Rating.KHT),
        ("0", Rating.KHT),
    ],
)
def test_nd335_bands(total, rating):
    assert band_for(D(total), ND335) is rating


@pytest.mark.parametrize(
    ("total", "rating"),
    [("90", Rating.HTXS), ("80", Rating.HTT), ("79.99", Rating.HT), ("50", Rating.HT)],
)
def test_khanh_hoa_bands(total, rating):
    assert band_for(D(total), KHANH_HOA) is rating


def test_khanh_hoa_scores_two_general_groups_of_20_and_10():
    result = score([line()], general=(D(20), D(10)), rules=KHANH_HOA)

    assert result.total == D("100.00")
    assert [points for _, points in KHANH_HOA.general_groups] == [20, 10]


def test_khanh_hoa_rejects_general_above_its_20_point_group():
    with pytest.raises(ScoringInputError, match="0 đến 20"):
        score([line()], general=(D(21), D(0)), rules=KHANH_HOA)


def test_khanh_hoa_rates_79_as_ht_where_nd335_says_htt():
    tasks = [line(assigned="100", done="70")]  # task 49.00

    assert score(tasks, general=(D(20), D(10)), rules=KHANH_HOA).rating is Rating.HT
    assert score(tasks).rating is Rating.HTT


# Overrides


@pytest.mark.parametrize("flag", ["disciplined", "degraded"])
def test_override_forces_kht_whatever_the_points(flag):
    result = score([line()], flags=Flags(**{flag: True}))

    assert result.rating is Rating.KHT
    assert result.band_rating is Rating.HTXS
    assert result.capped_by == flag
    assert result.total == D("100.00")


def test_unit_corruption_forces_kht_for_a_leader():
    result = score(
        [line()], role="leader", leader=leader_factors(), flags=Flags(unit_corruption=True)
    )

    assert result.rating is Rating.KHT
    assert result.capped_by == "unit_corruption"


def test_unit_corruption_does_not_apply_to_staff():
    result = score([line()], flags=Flags(unit_corruption=True))

    assert result.rating is Rating.HTXS
    assert result.capped_by is None


@pytest.mark.parametrize(
    ("toggle", "flag"),
    [
        ("override_disciplined", "disciplined"),
        ("override_degraded", "degraded"),
        ("override_unit_corruption", "unit_corruption"),
    ],
)
def test_override_switched_off_in_the_rules_keeps_the_band(toggle, flag):
    rules = replace(ND335, **{toggle: False})

    result = score(
        [line()], rules=rules, role="leader", leader=leader_factors(), flags=Flags(**{flag: True})
    )

    assert result.rating is Rating.HTXS


def test_disciplined_is_reported_before_degraded():
    result = score([line()], flags=Flags(disciplined=True, degraded=True))

    assert result.capped_by == "disciplined"


def test_override_on_a_kht_band_reports_no_cap():
    result = score([line(done="1")], general=(D(0), D(0), D(0)), flags=Flags(disciplined=True))

    assert result.rating is Rating.KHT
    assert result.capped_by is None


def test_overrides_take_precedence_over_qd366_conditions():
    result = score([line(done="9.9")], rules=QD366, flags=Flags(degraded=True))

    assert result.rating is Rating.KHT
    assert result.capped_by == "degraded"


# Quy định 366


def test_qd366_keeps_htxs_when_everything_is_done_on_time_and_30_percent_exceeded():
    result = score(
        [line(assigned="3", done="3", exceeded=True), line(assigned="7", done="7")], rules=QD366
    )

    assert result.rating is Rating.HTXS
    assert result.capped_by is None


def test_qd366_htxs_with_29_percent_exceeded_drops_to_htt():
    result = score(
        [line(assigned="29", done="29", exceeded=True), line(assigned="71", done="71")],
        rules=QD366,
    )

    assert result.band_rating is Rating.HTXS
    assert result.rating is Rating.HTT
    assert result.capped_by == "qd366_exceeded"


def test_qd366_late_line_drops_htxs_through_htt_to_ht():
    # Late share 2/10 = 20% is allowed for HT, so the cascade stops there.
    tasks = [line(assigned="8", done="8", exceeded=True), line(assigned="2", done="2", delays=1)]

    result = score(tasks, rules=QD366)

    assert result.band_rating is Rating.HTXS
    assert result.rating is Rating.HT
    assert result.capped_by == "qd366_no_late"


def test_qd366_late_line_drops_htt_to_ht():
    tasks = [line(assigned="8", done="8"), line(assigned="2", done="2", delays=1)]

    result = score(tasks, general=(D(10), D(5), D(5)), rules=QD366)

    assert result.band_rating is Rating.HTT
    assert result.rating is Rating.HT
    assert result.capped_by == "qd366_no_late"


def test_qd366_late_share_above_20_percent_drops_to_kht():
    tasks = [line(assigned="7", done="7", exceeded=True), line(assigned="3", done="3", delays=1)]

    result = score(tasks, rules=QD366)

    assert result.rating is Rating.KHT
    assert result.capped_by == "qd366_late_share"


def test_qd366_unfinished_work_drops_htxs_to_kht():
    result = score([line(assigned="10", done="9.9", exceeded=True)], rules=QD366)

    assert result.band_rating is Rating.HTXS
    assert result.rating is Rating.KHT
    assert result.capped_by == "qd366_all_done"


def test_qd366_unfinished_work_drops_ht_to_kht():
    result = score([line(assigned="10", done="9.9")], general=(D(0), D(0), D(0)), rules=QD366)

    assert result.band_rating is Rating.HT
    assert result.rating is Rating.KHT
    assert result.capped_by == "qd366_all_done"


def test_qd366_exempt_delay_does_not_make_a_line_late():
    tasks = [
        line(assigned="7", done="7", exceeded=True),
        line(assigned="3", done="3", delays=1, exempt=True),
    ]

    assert score(tasks, rules=QD366).rating is Rating.HTXS


def test_qd366_htt_band_with_everything_on_time_stays_htt():
    result = score([line()], general=(D(10), D(5), D(4)), rules=QD366)

    assert result.rating is Rating.HTT
    assert result.capped_by is None


def test_qd366_conditions_never_raise_a_kht_band():
    result = score([line(done="1")], general=(D(0), D(0), D(0)), rules=QD366)

    assert result.rating is Rating.KHT
    assert result.capped_by is None


def test_nd335_ignores_qd366_conditions():
    tasks = [line(assigned="7", done="7"), line(assigned="3", done="3", delays=1)]

    assert score(tasks).rating is Rating.HTXS


def test_qd366_thresholds_come_from_the_rules():
    rules = replace(QD366, qd366_exceeded_min=D(0), qd366_late_share_max=D("0.5"))
    tasks = [line(assigned="7", done="7"), line(assigned="3", done="3", delays=1)]

    assert score(tasks, rules=rules).rating is Rating.HT
    assert score([line()], rules=rules).rating is Rating.HTXS


def test_qd366_less_done_on_a_late_line_can_lift_kht_to_ht():
    # The late share shrinks when late work shrinks, so over-fulfilment elsewhere can lift the
    # rating; this follows the rule as written and is kept visible here on purpose.
    before = score([line(), line(assigned="0", done="5", delays=1)], rules=QD366)
    after = score([line(), line(assigned="0", done="1", delays=1)], rules=QD366)

    assert before.rating is Rating.KHT
    assert after.rating is Rating.HT


# Quota


def quota_members(htxs, htt=0, others=()):
    members = [QuotaMember(id=i, total=D(t), rating=Rating.HTXS) for i, t in htxs]
    members += [QuotaMember(id=f"htt{n}", total=D(80), rating=Rating.HTT) for n in range(htt)]
    members += list(others)
    return members


def test_quota_suggests_the_lowest_htxs_totals_beyond_20_percent_of_htt():
    members = quota_members([("a", "95.5"), ("b", "92.0"), ("c", "91.0")], htt=10)

    result = check_quota(rules=ND335, members=members)

    assert (result.htxs, result.htt, result.cap, result.over_by) == (3, 10, 2, 1)
    assert result.suggest_downgrade == ("c",)


def test_quota_orders_equal_totals_by_id():
    members = quota_members([("c", "91"), ("b", "91"), ("a", "99")], htt=5)

    assert check_quota(rules=ND335, members=members).suggest_downgrade == ("b", "c")


def test_quota_compares_integer_ids_as_integers():
    members = quota_members([(10, "91"), (9, "91")], htt=5)

    assert check_quota(rules=ND335, members=members).suggest_downgrade == (9,)


def test_quota_compares_string_ids_as_strings():
    members = quota_members([("9", "91"), ("10", "91")], htt=5)

    assert check_quota(rules=ND335, members=members).suggest_downgrade == ("10",)


def test_quota_within_cap_suggests_nothing():
    result = check_quota(rules=ND335, members=quota_members([("a", "95")], htt=5))

    assert result.over_by == 0
    assert result.suggest_downgrade == ()


def test_quota_cap_rounds_down():
    result = check_quota(rules=ND335, members=quota_members([("a", "95")], htt=9))

    assert result.cap == 1


def test_quota_with_no_htt_allows_no_htxs():
    result = check_quota(rules=ND335, members=quota_members([("a", "95")]))

    assert result.cap == 0
    assert result.suggest_downgrade == ("a",)


def test_quota_counts_other_ratings_but_never_suggests_them():
    others = [
        QuotaMember(id="ht", total=D(60), rating=Rating.HT),
        QuotaMember(id="kht", total=D(10), rating=Rating.KHT),
        QuotaMember(id="none", total=None, rating=Rating.NOT_RATED),
    ]
    members = quota_members([("a", "95"), ("b", "96")], htt=5, others=others)

    result = check_quota(rules=ND335, members=members)

    assert result.suggest_downgrade == ("a",)


def test_quota_rated_denominator_counts_every_rated_member():
    rules = replace(ND335, htxs_cap_denominator="rated")
    others = [QuotaMember(id=f"ht{n}", total=D(60), rating=Rating.HT) for n in range(5)]
    others.append(QuotaMember(id="none", total=None, rating=Rating.NOT_RATED))
    members = quota_members([("a", "95"), ("b", "96")], htt=3, others=others)

    result = check_quota(rules=rules, members=members)

    assert result.cap == 2  # 20% of 10 rated, the not-rated member excluded
    assert result.over_by == 0


def test_quota_exception_rate_needs_a_decision_number():
    rules = replace(ND335, htxs_exception_rate=D("0.30"))
    members = quota_members([("a", "95"), ("b", "96"), ("c", "97")], htt=10)

    assert check_quota(rules=rules, members=members).cap == 2
    assert check_quota(rules=rules, members=members, exception_decision="  ").cap == 2
    result = check_quota(rules=rules, members=members, exception_decision="12/QĐ-UBND")
    assert result.cap == 3
    assert result.suggest_downgrade == ()


def test_quota_decision_without_an_exception_rate_keeps_the_normal_rate():
    members = quota_members([("a", "95"), ("b", "96"), ("c", "97")], htt=10)

    assert check_quota(rules=ND335, members=members, exception_decision="12/QĐ-UBND").cap == 2


def test_quota_accepts_rating_codes_as_strings():
    members = [QuotaMember(id="a", total=D(95), rating="HTXS")]

    assert check_quota(rules=ND335, members=members).suggest_downgrade == ("a",)


def test_quota_rejects_htxs_member_without_total():
    members = [QuotaMember(id="a", total=None, rating=Rating.HTXS)]

    with pytest.raises(ScoringInputError, match="thiếu tổng điểm"):
        check_quota(rules=ND335, members=members)


# Year


def test_year_total_is_the_mean_of_rated_periods_skipping_not_rated_ones():
    result = score_annual(rules=ND335, period_totals=[D("88.0"), None, D(91)])

    assert result.total == D("89.50")
    assert result.rating is Rating.HTT
    assert result.capped_by is None


def test_year_mean_is_rounded_half_up_before_banding():
    result = score_annual(rules=ND335, period_totals=[D("89.99"), D("90.00")])

    assert result.total == D("90.00")
    assert result.rating is Rating.HTXS


def test_year_mean_of_thirds_is_rounded():
    result = score_annual(rules=ND335, period_totals=[D(70), D(70), D(71)])

    assert result.total == D("70.33")


@pytest.mark.parametrize("totals", [[], [None, None]])
def test_year_without_rated_periods_is_not_rated(totals):
    result = score_annual(rules=ND335, period_totals=totals)

    assert result.total is None
    assert result.rating is Rating.NOT_RATED


@pytest.mark.parametrize("flag", ["disciplined", "degraded", "unit_corruption"])
def test_year_overrides_force_kht(flag):
    result = score_annual(rules=ND335, period_totals=[D(95)], flags=Flags(**{flag: True}))

    assert result.total == D("95.00")
    assert result.rating is Rating.KHT
    assert result.capped_by == flag


def test_year_override_switched_off_keeps_the_band():
    rules = replace(ND335, override_disciplined=False)

    result = score_annual(rules=rules, period_totals=[D(95)], flags=Flags(disciplined=True))

    assert result.rating is Rating.HTXS


def test_year_uses_the_bands_of_the_rules():
    assert score_annual(rules=KHANH_HOA, period_totals=[D(79)]).rating is Rating.HT


@pytest.mark.parametrize("total", [D("100.01"), D(-1)])
def test_year_rejects_period_totals_outside_0_to_100(total):
    with pytest.raises(ScoringInputError, match="Tổng điểm kỳ 1"):
        score_annual(rules=ND335, period_totals=[total])


# Rules, ratings and rounding


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_presets_are_consistent(name):
    assert PRESETS[name].validate() == []


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_preset_round_trips_through_json(name):
    rules = PRESETS[name]

    assert ScoringRules.from_dict(json.loads(json.dumps(rules.to_dict()))) == rules


def test_rules_with_an_exception_rate_round_trip():
    rules = replace(
        ND335, htxs_exception_rate=D("0.3"), weights=(Fraction(1, 2),) + (Fraction(1, 4),) * 2
    )

    assert ScoringRules.from_dict(rules.to_dict()) == rules


def test_only_qd366_preset_turns_on_its_conditions():
    assert [name for name, rules in PRESETS.items() if rules.qd366_conditions] == ["qd366"]


def test_from_dict_fills_missing_keys_with_nd335_defaults():
    assert ScoringRules.from_dict({}) == ND335


def test_from_dict_rejects_unknown_keys():
    with pytest.raises(ScoringInputError, match="khóa không hợp lệ"):
        ScoringRules.from_dict({"task_maximum": "70"})


def test_from_dict_rejects_inconsistent_rules():
    with pytest.raises(ScoringInputError, match="phải bằng 100"):
        ScoringRules.from_dict({"task_max": "60"})


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"task_max": D(60)}, "phải bằng 100"),
        ({"weights": (Fraction(1, 2), Fraction(1, 2), Fraction(1, 2))}, "tổng bằng 1"),
        ({"weights": (Fraction(1, 2), Fraction(1, 2))}, "đúng 3 trọng số"),
        ({"leader_weights": (Fraction(1, 4),) * 5}, "tổng bằng 1"),
        (
            {"bands": ((Rating.HTXS, D(90)), (Rating.HTT, D(90)), (Rating.HT, D(50)))},
            "giảm dần",
        ),
        (
            {"bands": ((Rating.HTT, D(90)), (Rating.HTXS, D(70)), (Rating.HT, D(50)))},
            "thứ tự",
        ),
        ({"error_deduction": D("1.5")}, "Mức trừ khi có lỗi lớn"),
        ({"delay_deduction": D("-0.1")}, "Mức trừ khi chậm tiến độ"),
        ({"htxs_cap_rate": D(2)}, "Tỷ lệ Hoàn thành xuất sắc nhiệm vụ phải"),
        ({"qd366_late_share_max": D(2)}, "Tỷ lệ chậm tiến độ tối đa"),
        ({"htxs_exception_rate": D("0.1")}, "không được thấp hơn"),
        ({"htxs_cap_denominator": "all"}, "'htt' hoặc 'rated'"),
    ],
)
def test_validate_explains_each_inconsistency(changes, message):
    errors = replace(ND335, **changes).validate()

    assert any(message in error for error in errors), errors


def test_rating_labels_are_the_legal_names():
    assert Rating.HTXS.label == "Hoàn thành xuất sắc nhiệm vụ"
    assert Rating.HTT.label == "Hoàn thành tốt nhiệm vụ"
    assert Rating.HT.label == "Hoàn thành nhiệm vụ"
    assert Rating.KHT.label == "Không hoàn thành nhiệm vụ"


def test_rating_rank_orders_htxs_above_htt_above_ht_above_kht():
    assert Rating.HTXS.rank > Rating.HTT.rank > Rating.HT.rank > Rating.KHT.rank
    assert Rating.KHT.rank > Rating.NOT_RATED.rank


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (D("2.345"), 2, D("2.35")),
        (D("2.344999"), 2, D("2.34")),
        (D("-2.345"), 2, D("-2.35")),
        (D("0.99995"), 4, D("1.0000")),
        (Fraction(2, 3), 2, D("0.67")),
        (7, 2, D("7.00")),
    ],
)
def test_round_half_up_rounds_halves_away_from_zero(value, places, expected):
    assert round_half_up(value, places) == expected
    assert str(round_half_up(value, places)) == str(expected)
