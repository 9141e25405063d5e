from dataclasses import replace
from decimal import Decimal

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from evaluations.scoring import (
    PRESETS,
    Flags,
    LeaderFactors,
    QuotaMember,
    Rating,
    TaskLine,
    check_quota,
    score_annual,
    score_individual,
)

D = Decimal
PROPERTY_SETTINGS = settings(max_examples=200, deadline=None)


def amounts(max_value):
    return st.decimals(min_value=0, max_value=max_value, places=1)


task_lines = st.builds(
    TaskLine,
    coefficient=st.decimals(min_value=D("0.1"), max_value=5, places=1),
    assigned=amounts(20),
    done=amounts(25),
    quality_pass=st.booleans(),
    major_errors=st.integers(0, 5),
    delays=st.integers(0, 5),
    exempt=st.booleans(),
    exceeded=st.booleans(),
)


@st.composite
def cases(draw):
    rules = PRESETS[draw(st.sampled_from(sorted(PRESETS)))]
    general = tuple(
        draw(st.decimals(min_value=0, max_value=max_points, places=2))
        for _, max_points in rules.general_groups
    )
    role = draw(st.sampled_from(["staff", "leader"]))
    leader = None
    if role == "leader":
        leader = LeaderFactors(
            subordinate_ratings=tuple(draw(st.lists(st.sampled_from(list(Rating)), max_size=4))),
            organizing=draw(st.decimals(min_value=0, max_value=1, places=2)),
        )
    return {
        "rules": rules,
        "general": general,
        "tasks": draw(st.lists(task_lines, min_size=1, max_size=5)),
        "role": role,
        "leader": leader,
        "flags": draw(st.builds(Flags, st.booleans(), st.booleans(), st.booleans())),
    }


def with_line(case, index, **changes):
    tasks = list(case["tasks"])
    tasks[index] = replace(tasks[index], **changes)
    return {**case, "tasks": tasks}


def assert_not_better(before_case, after_case):
    before = score_individual(**before_case)
    after = score_individual(**after_case)
    assert after.rating.rank <= before.rating.rank
    if before.total is not None:
        assert after.total <= before.total


@PROPERTY_SETTINGS
@given(cases())
def test_totals_stay_within_0_and_100(case):
    result = score_individual(**case)

    if result.rating is not Rating.NOT_RATED:
        assert 0 <= result.general <= case["rules"].general_max
        assert 0 <= result.task <= case["rules"].task_max
        assert 0 <= result.total <= 100
        assert result.total == result.general + result.task
        for ratio in (result.ratios.quantity, result.ratios.quality, result.ratios.timeliness):
            assert 0 <= ratio <= 1


@PROPERTY_SETTINGS
@given(cases(), st.data())
def test_more_major_errors_never_improve_the_rating(case, data):
    i = data.draw(st.integers(0, len(case["tasks"]) - 1))
    extra = data.draw(st.integers(1, 3))

    assert_not_better(case, with_line(case, i, major_errors=case["tasks"][i].major_errors + extra))


@PROPERTY_SETTINGS
@given(cases(), st.data())
def test_more_delays_never_improve_the_rating(case, data):
    i = data.draw(st.integers(0, len(case["tasks"]) - 1))
    extra = data.draw(st.integers(1, 3))

    assert_not_better(case, with_line(case, i, delays=case["tasks"][i].delays + extra))


@PROPERTY_SETTINGS
@given(cases(), st.data())
def test_failing_quality_never_improves_the_rating(case, data):
    i = data.draw(st.integers(0, len(case["tasks"]) - 1))

    assert_not_better(case, with_line(case, i, quality_pass=False))


@PROPERTY_SETTINGS
@given(cases(), st.data())
def test_removing_an_exemption_never_improves_the_rating(case, data):
    i = data.draw(st.integers(0, len(case["tasks"]) - 1))

    assert_not_better(case, with_line(case, i, exempt=False))


@PROPERTY_SETTINGS
@given(cases(), st.data())
def test_less_done_never_improves_the_rating(case, data):
    i = data.draw(st.integers(0, len(case["tasks"]) - 1))
    line = case["tasks"][i]
    # Under Quy định 366 less late work lowers the late share, which can lift KHT to HT; that
    # case follows the rule as written and is pinned by a unit test instead.
    assume(not (case["rules"].qd366_conditions and line.delays and not line.exempt))
    less = data.draw(st.decimals(min_value=0, max_value=line.done, places=1))

    assert_not_better(case, with_line(case, i, done=less))


@PROPERTY_SETTINGS
@given(cases(), st.data())
def test_less_done_never_raises_the_total(case, data):
    i = data.draw(st.integers(0, len(case["tasks"]) - 1))
    less = data.draw(st.decimals(min_value=0, max_value=case["tasks"][i].done, places=1))

    before = score_individual(**case)
    after = score_individual(**with_line(case, i, done=less))

    if before.total is not None:
        assert after.total <= before.total


@PROPERTY_SETTINGS
@given(
    st.sampled_from(sorted(PRESETS)),
    st.lists(st.none() | st.decimals(min_value=0, max_value=100, places=2), max_size=12),
)
def test_year_total_stays_within_the_rated_periods(preset, totals):
    result = score_annual(rules=PRESETS[preset], period_totals=totals)

    rated = [t for t in totals if t is not None]
    if rated:
        assert min(rated) <= result.total <= max(rated)
    else:
        assert result.rating is Rating.NOT_RATED


@PROPERTY_SETTINGS
@given(
    st.lists(
        st.tuples(st.sampled_from(list(Rating)), st.decimals(min_value=0, max_value=100, places=2)),
        max_size=30,
    )
)
def test_quota_suggests_exactly_the_excess_with_the_lowest_htxs_totals(rows):
    members = [
        QuotaMember(id=n, total=total, rating=rating) for n, (rating, total) in enumerate(rows)
    ]

    result = check_quota(rules=PRESETS["nd335"], members=members)

    assert result.cap <= result.htt
    assert len(result.suggest_downgrade) == result.over_by == max(0, result.htxs - result.cap)
    kept = [m for m in members if m.rating is Rating.HTXS and m.id not in result.suggest_downgrade]
    dropped = [m for m in members if m.id in result.suggest_downgrade]
    assert all(m.rating is Rating.HTXS for m in dropped)
    assert all((d.total, d.id) < (k.total, k.id) for d in dropped for k in kept)
