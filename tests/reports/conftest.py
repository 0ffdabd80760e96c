"""A small scored campaign: two sections, three units in two clusters, a target and an issued award decision."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from awards import services as award_services
from campaigns.models import Criterion
from evidence.models import DossierSubmission
from scoring.compute import period_recompute
from targets.models import TargetProgress
from targets.rollups import rollup_refresh
from tests.awards.factories import AwardDecisionFactory, AwardFactory
from tests.factories import (
    AwardFormFactory,
    CampaignFactory,
    ClusterFactory,
    ClusterMemberFactory,
    CriterionFactory,
    OfficeUserFactory,
    PeriodFactory,
    TargetAllocationFactory,
    TargetFactory,
    UnitFactory,
    UserFactory,
)
from tests.scoring.factories import accepted, submitted

ICT = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass
class Scored:
    office: object
    campaign: object
    period: object
    first: object
    second: object
    units: dict
    leader: object
    member: object
    target: object
    decision: object


@pytest.fixture
def scored(db) -> Scored:
    office = OfficeUserFactory(full_name="Lê Thẩm Định")
    campaign = CampaignFactory(issuing_unit=office.unit, title="Phong trào thi đua năm 2024", number="18-KH/ĐTN",
                               place="Giồng Riềng", signer_title="TM. BAN THƯỜNG VỤ / PHÓ BÍ THƯ",
                               signer_name="Võ Văn An")
    period = PeriodFactory(campaign=campaign, name="Quý II", order=2)
    a = UnitFactory(code="GR-01", name="Đoàn xã Thạnh Hưng", parent=office.unit)
    b = UnitFactory(code="GR-02", name="Đoàn xã Bàn Tân Định", parent=office.unit)
    c = UnitFactory(code="GR-03", name="Đoàn xã Ngọc Chúc", parent=office.unit)
    first = ClusterFactory(campaign=campaign, name="Cụm 1", order=1, leader_unit=a)
    second = ClusterFactory(campaign=campaign, name="Cụm 2", order=2, leader_unit=c)
    ClusterMemberFactory(cluster=first, unit=a)
    ClusterMemberFactory(cluster=first, unit=b)
    ClusterMemberFactory(cluster=second, unit=c)
    section_one = CriterionFactory(campaign=campaign, code="I", title="Công tác giáo dục chính trị, tư tưởng",
                                   kind=Criterion.Kind.SECTION, max_points=0, order=1)
    section_two = CriterionFactory(campaign=campaign, code="II", title="Phong trào hành động cách mạng",
                                   kind=Criterion.Kind.SECTION, max_points=0, order=2)
    c1 = CriterionFactory(campaign=campaign, parent=section_one, code="I.1", title="Học tập nghị quyết", order=3)
    c2 = CriterionFactory(campaign=campaign, parent=section_two, code="II.1", title="Trồng cây xanh", order=4)
    accepted(period=period, unit=a, criterion=c1, score=8)
    accepted(period=period, unit=a, criterion=c2, score=6)
    accepted(period=period, unit=b, criterion=c1, score=5)
    accepted(period=period, unit=c, criterion=c1, score=9)
    accepted(period=period, unit=c, criterion=c2, score=9)
    submitted(period=period, unit=b, criterion=c2)
    DossierSubmission.objects.create(cluster=second, period=period, submitted_at=datetime(2024, 7, 1, 9, 0, tzinfo=ICT),
                                     on_time=True)
    assert period_recompute(period_id=period.pk)
    target = TargetFactory(campaign=campaign, code="CT1", name="Trồng cây xanh", unit_of_measure="cây",
                           total=Decimal("1000"))
    TargetAllocationFactory(target=target, unit=a, amount=Decimal("100"))
    TargetAllocationFactory(target=target, unit=c, amount=Decimal("200"))
    TargetProgress.objects.create(target=target, unit=a, period=period, value=Decimal("50"))
    TargetProgress.objects.create(target=target, unit=c, period=period, value=Decimal("250"))
    rollup_refresh(target_ids=[target.pk])
    decision = AwardDecisionFactory(campaign=campaign, period=period)
    form = AwardFormFactory(issuer_unit=office.unit, name="Giấy khen", amount=1_000_000)
    leader_form = AwardFormFactory(issuer_unit=office.unit, name="Giấy khen cụm trưởng", amount=500_000)
    AwardFactory(decision=decision, award_form=form, recipient_kind="cluster", cluster=second, person_name="",
                 recipient_name="Cụm 2", reason="Dẫn đầu Quý II", order=1)
    AwardFactory(decision=decision, award_form=leader_form, person_name="Trần Thị Ánh Nguyệt",
                 recipient_name="Trần Thị Ánh Nguyệt", person_position="Bí thư",
                 person_unit_name="Đoàn xã Ngọc Chúc", reason="Cụm trưởng xuất sắc", order=2)
    decision = award_services.decision_issue(
        decision=decision, user=office, number="45-QĐ/ĐTN", date=date(2024, 7, 5), place="Giồng Riềng",
        signer_title="PHÓ BÍ THƯ", signer_name="Võ Văn An")
    return Scored(office=office, campaign=campaign, period=period, first=first, second=second,
                  units={"a": a, "b": b, "c": c}, leader=UserFactory(unit=a), member=UserFactory(unit=b),
                  target=target, decision=decision)
