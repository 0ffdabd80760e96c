from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.utils import timezone

from accounts.models import Unit, User
from campaigns.deadlines import end_of_day_ict
from campaigns.models import Campaign, Period
from tests.factories import (
    CampaignFactory,
    ClusterFactory,
    ClusterMemberFactory,
    OfficeUnitFactory,
    OfficeUserFactory,
    PeriodFactory,
    UnitFactory,
    UserFactory,
)


@dataclass
class World:
    province: Unit
    d1: Unit
    d2: Unit
    g1: Unit
    g2: Unit
    g3: Unit
    campaign: Campaign
    p1: Period
    p2: Period
    office: User
    staff1: User
    staff2: User
    staff3: User
    cluster1: object
    cluster2: object


@pytest.fixture
def world(db) -> World:
    """A province with two districts and three grassroots units (g1, g2 in d1; g3 in d2),
    a campaign of the province for 2024 with two half-year periods (both still open),
    cluster 1 = g1 (leader) + g2, cluster 2 = g3."""
    province = OfficeUnitFactory(level=Unit.Level.PROVINCE, code="TD", name="Tỉnh đoàn", member_count=0)
    d1 = UnitFactory(parent=province, level=Unit.Level.DISTRICT, code="D1", name="Huyện đoàn Một", member_count=300)
    d2 = UnitFactory(parent=province, level=Unit.Level.DISTRICT, code="D2", name="Huyện đoàn Hai", member_count=100)
    g1 = UnitFactory(parent=d1, code="G1", name="Đoàn xã Một", member_count=50)
    g2 = UnitFactory(parent=d1, code="G2", name="Đoàn xã Hai", member_count=30)
    g3 = UnitFactory(parent=d2, code="G3", name="Đoàn xã Ba", member_count=20)
    campaign = CampaignFactory(issuing_unit=province, start_date=date(2024, 1, 1), end_date=date(2024, 12, 31))
    deadline = end_of_day_ict(timezone.localdate() + timedelta(days=10))
    p1 = PeriodFactory(campaign=campaign, name="Đợt 1", order=1, start_date=date(2024, 1, 1),
                       end_date=date(2024, 6, 30), deadline=deadline)
    p2 = PeriodFactory(campaign=campaign, name="Đợt 2", order=2, start_date=date(2024, 7, 1),
                       end_date=date(2024, 12, 31), deadline=deadline + timedelta(days=1))
    cluster1 = ClusterFactory(campaign=campaign, name="Cụm 1", leader_unit=g1)
    cluster2 = ClusterFactory(campaign=campaign, name="Cụm 2", leader_unit=g3)
    ClusterMemberFactory(cluster=cluster1, unit=g1)
    ClusterMemberFactory(cluster=cluster1, unit=g2)
    ClusterMemberFactory(cluster=cluster2, unit=g3)
    return World(
        province=province, d1=d1, d2=d2, g1=g1, g2=g2, g3=g3, campaign=campaign, p1=p1, p2=p2,
        office=OfficeUserFactory(unit=province),
        staff1=UserFactory(unit=g1), staff2=UserFactory(unit=g2), staff3=UserFactory(unit=g3),
        cluster1=cluster1, cluster2=cluster2,
    )
