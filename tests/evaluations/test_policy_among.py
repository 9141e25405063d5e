"""Which period policy a bloc follows: its own, else the province-wide one, else the defaults."""

import pytest

from evaluations import services
from evaluations.models import Frequency, PeriodPolicy
from orgunits.models import Bloc


def test_a_bloc_follows_its_own_policy_first():
    own, province = PeriodPolicy(bloc=Bloc.PARTY), PeriodPolicy(bloc="")
    policies = {Bloc.PARTY: own, "": province}
    assert services.policy_among(policies, Bloc.PARTY) is own


def test_a_bloc_without_its_own_policy_follows_the_province_wide_one():
    province = PeriodPolicy(bloc="")
    policies = {Bloc.PARTY: PeriodPolicy(bloc=Bloc.PARTY), "": province}
    assert services.policy_among(policies, Bloc.GOVERNMENT) is province


def test_without_stored_policies_the_defaults_apply():
    policy = services.policy_among({Bloc.FRONT: PeriodPolicy(bloc=Bloc.FRONT)}, Bloc.PARTY)
    assert (policy.pk, policy.bloc) == (None, "")
    assert (policy.frequency, policy.log_close_day) == (Frequency.MONTHLY, 25)


@pytest.mark.django_db
def test_policy_for_reads_the_same_rule_from_the_database():
    PeriodPolicy.objects.all().delete()
    province = PeriodPolicy.objects.create(bloc="", appeal_days=4)
    party = PeriodPolicy.objects.create(bloc=Bloc.PARTY, appeal_days=7)
    assert services.policy_for(Bloc.PARTY) == party
    assert services.policy_for(Bloc.GOVERNMENT) == province
    province.delete()
    assert services.policy_for(Bloc.GOVERNMENT).pk is None
