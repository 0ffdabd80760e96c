from datetime import date
from decimal import Decimal

import pytest

from awards.models import AwardRule
from awards.proposals import award_proposals
from awards.selectors import year_cluster_standing
from campaigns.models import Campaign, Period
from tests.awards.factories import AwardRuleFactory, ClusterScoreFactory, UnitScoreFactory
from tests.factories import CampaignFactory, ClusterFactory, PeriodFactory, UnitFactory

pytestmark = pytest.mark.django_db


def _standing(period, rows):
    """rows: (cluster, score, rank)"""
    for cluster, score, rank in rows:
        ClusterScoreFactory(period=period, cluster=cluster, score=Decimal(score), rank=rank)


def _clusters(campaign, n):
    clusters = []
    for i in range(1, n + 1):
        leader = UnitFactory(name=f"Đoàn xã Cụm trưởng {i}")
        clusters.append(ClusterFactory(campaign=campaign, name=f"Cụm thi đua số {i}", order=i, leader_unit=leader))
    return clusters


def test_proposals_from_a_closed_period_award_the_rank_one_cluster_and_its_leader():
    campaign = CampaignFactory()
    period = PeriodFactory(campaign=campaign, name="Quý I", status=Period.Status.CLOSED)
    one, two, three = _clusters(campaign, 3)
    _standing(period, [(two, "91.5", 1), (one, "88", 2), (three, "70", 3)])
    AwardRuleFactory(campaign=campaign, recipient_kind=AwardRule.RecipientKind.CLUSTER,
                     reason_template="Dẫn đầu {standing}")
    AwardRuleFactory(campaign=campaign, recipient_kind=AwardRule.RecipientKind.CLUSTER_LEADER_UNIT,
                     reason_template="Cụm trưởng {cluster} xuất sắc")

    proposals = award_proposals(campaign=campaign, period=period)

    assert [(p.recipient_kind, p.recipient_name, p.reason, p.standing) for p in proposals] == [
        ("cluster", "Cụm thi đua số 2", "Dẫn đầu Quý I", "Hạng 1 Quý I: 91,5 điểm"),
        ("unit", "Đoàn xã Cụm trưởng 2", "Cụm trưởng Cụm thi đua số 2 xuất sắc",
         "Cụm trưởng Cụm thi đua số 2 — Hạng 1 Quý I: 91,5 điểm"),
    ]


def test_proposals_are_empty_while_the_period_is_open():
    campaign = CampaignFactory()
    period = PeriodFactory(campaign=campaign, status=Period.Status.OPEN)
    (cluster,) = _clusters(campaign, 1)
    _standing(period, [(cluster, "90", 1)])
    AwardRuleFactory(campaign=campaign)
    assert award_proposals(campaign=campaign, period=period) == []


def test_proposals_with_count_two_include_ties_and_rank_two():
    campaign = CampaignFactory()
    period = PeriodFactory(campaign=campaign, status=Period.Status.CLOSED)
    one, two, three, four = _clusters(campaign, 4)
    _standing(period, [(one, "90", 1), (two, "90", 1), (three, "80", 3), (four, "70", 4)])
    AwardRuleFactory(campaign=campaign, count=3)
    names = [p.recipient_name for p in award_proposals(campaign=campaign, period=period)]
    assert names == ["Cụm thi đua số 1", "Cụm thi đua số 2", "Cụm thi đua số 3"]


def test_year_standing_sums_or_averages_the_closed_periods():
    campaign = CampaignFactory(year_aggregation=Campaign.YearAggregation.SUM)
    q1 = PeriodFactory(campaign=campaign, status=Period.Status.CLOSED, order=1)
    q2 = PeriodFactory(campaign=campaign, status=Period.Status.CLOSED, order=2)
    one, two = _clusters(campaign, 2)
    _standing(q1, [(one, "90", 1), (two, "80", 2)])
    _standing(q2, [(two, "95", 1), (one, "70", 2)])

    assert [(s.cluster.name, s.score, s.rank) for s in year_cluster_standing(campaign)] == [
        ("Cụm thi đua số 2", Decimal("175.000"), 1), ("Cụm thi đua số 1", Decimal("160.000"), 2),
    ]
    campaign.year_aggregation = Campaign.YearAggregation.AVERAGE
    campaign.save()
    assert [(s.cluster.name, s.score) for s in year_cluster_standing(campaign)] == [
        ("Cụm thi đua số 2", Decimal("87.500")), ("Cụm thi đua số 1", Decimal("80.000")),
    ]


def test_year_proposals_wait_until_every_period_is_closed():
    campaign = CampaignFactory()
    q1 = PeriodFactory(campaign=campaign, status=Period.Status.CLOSED, order=1)
    PeriodFactory(campaign=campaign, status=Period.Status.OPEN, order=2)
    (cluster,) = _clusters(campaign, 1)
    _standing(q1, [(cluster, "90", 1)])
    AwardRuleFactory(campaign=campaign, scope=AwardRule.Scope.YEAR)
    assert award_proposals(campaign=campaign, period=None) == []


def test_year_rules_are_not_proposed_for_a_period_and_period_rules_not_for_the_year():
    campaign = CampaignFactory(end_date=date(2024, 12, 31))
    q1 = PeriodFactory(campaign=campaign, status=Period.Status.CLOSED, order=1)
    (cluster,) = _clusters(campaign, 1)
    _standing(q1, [(cluster, "90", 1)])
    AwardRuleFactory(campaign=campaign, scope=AwardRule.Scope.YEAR, reason_template="năm")
    AwardRuleFactory(campaign=campaign, scope=AwardRule.Scope.PERIOD, reason_template="quý")
    assert [p.reason for p in award_proposals(campaign=campaign, period=q1)] == ["quý"]
    assert [(p.reason, p.standing) for p in award_proposals(campaign=campaign, period=None)] == [
        ("năm", "Hạng 1 năm 2024: 90 điểm"),
    ]


def test_unit_rule_proposes_the_top_units_of_each_cluster():
    campaign = CampaignFactory()
    period = PeriodFactory(campaign=campaign, name="Quý II", status=Period.Status.CLOSED)
    one, two = _clusters(campaign, 2)
    a, b, c = UnitFactory(name="Đoàn xã A"), UnitFactory(name="Đoàn xã B"), UnitFactory(name="Đoàn xã C")
    UnitScoreFactory(period=period, unit=a, cluster=one, total=Decimal("45"), rank_in_cluster=1)
    UnitScoreFactory(period=period, unit=b, cluster=one, total=Decimal("40"), rank_in_cluster=2)
    UnitScoreFactory(period=period, unit=c, cluster=two, total=Decimal("50"), rank_in_cluster=1)
    AwardRuleFactory(campaign=campaign, recipient_kind=AwardRule.RecipientKind.UNIT, count=1,
                     reason_template="Dẫn đầu {cluster}")
    assert [(p.recipient_name, p.reason) for p in award_proposals(campaign=campaign, period=period)] == [
        ("Đoàn xã A", "Dẫn đầu Cụm thi đua số 1"), ("Đoàn xã C", "Dẫn đầu Cụm thi đua số 2"),
    ]


def test_malformed_reason_template_is_printed_as_typed():
    campaign = CampaignFactory()
    period = PeriodFactory(campaign=campaign, status=Period.Status.CLOSED)
    (cluster,) = _clusters(campaign, 1)
    _standing(period, [(cluster, "90", 1)])
    AwardRuleFactory(campaign=campaign, reason_template="Dẫn đầu {standing {oops}")
    assert [p.reason for p in award_proposals(campaign=campaign, period=period)] == ["Dẫn đầu {standing {oops}"]
