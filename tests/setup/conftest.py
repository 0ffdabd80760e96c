"""Two districts with one campaign each, so every test can look across the boundary."""

from dataclasses import dataclass

import pytest

from accounts.models import Unit, User
from campaigns.models import Campaign, Cluster, Criterion, Period
from tests.factories import (
    AdminFactory,
    CampaignFactory,
    ClusterFactory,
    ClusterMemberFactory,
    CriterionFactory,
    OfficeUnitFactory,
    OfficeUserFactory,
    PeriodFactory,
    UnitFactory,
    UserFactory,
)


@dataclass
class District:
    office_unit: Unit
    units: list[Unit]
    office: User
    staff: User
    campaign: Campaign
    period: Period
    cluster: Cluster
    section: Criterion
    criterion: Criterion


def make_district(province: Unit) -> District:
    office_unit = OfficeUnitFactory(parent=province)
    units = [UnitFactory(parent=office_unit) for _ in range(3)]
    campaign = CampaignFactory(issuing_unit=office_unit)
    cluster = ClusterFactory(campaign=campaign, leader_unit=units[0])
    ClusterMemberFactory(cluster=cluster, unit=units[0])
    section = CriterionFactory(campaign=campaign, kind=Criterion.Kind.SECTION, code="I", max_points=10)
    return District(
        office_unit=office_unit,
        units=units,
        office=OfficeUserFactory(unit=office_unit),
        staff=UserFactory(unit=units[0]),
        campaign=campaign,
        period=PeriodFactory(campaign=campaign, order=1),
        cluster=cluster,
        section=section,
        criterion=CriterionFactory(campaign=campaign, parent=section, code="I.1", max_points=10),
    )


@pytest.fixture
def province():
    return OfficeUnitFactory(level=Unit.Level.PROVINCE, name="Tỉnh đoàn Thử nghiệm")


@pytest.fixture
def district_a(province):
    return make_district(province)


@pytest.fixture
def district_b(province):
    return make_district(province)


@pytest.fixture
def admin(province):
    return AdminFactory(unit=province)
