from datetime import date, time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from campaigns import services
from campaigns.deadlines import end_of_day_ict
from campaigns.models import Campaign, ClusterMember, Criterion, Period
from core.models import AuditEntry
from tests.factories import (
    CampaignFactory,
    ClusterFactory,
    ClusterMemberFactory,
    CriterionFactory,
    EvidenceFactory,
    PeriodFactory,
)

pytestmark = pytest.mark.django_db


def _campaign_fields(district, **overrides):
    fields = {
        "issuing_unit": district.office_unit, "number": "18-CTr/ĐTN", "title": "Phong trào mới",
        "start_date": date(2025, 1, 1), "end_date": date(2025, 12, 31),
    }
    fields.update(overrides)
    return fields


def test_campaign_create_starts_as_draft_and_audits(district_a):
    campaign = services.campaign_create(user=district_a.office, **_campaign_fields(district_a))
    assert campaign.status == Campaign.Status.DRAFT
    assert campaign.created_by == district_a.office
    assert AuditEntry.objects.get(action="campaign.create").campaign == campaign


def test_campaign_create_refuses_end_before_start(district_a):
    with pytest.raises(ValidationError) as error:
        services.campaign_create(user=district_a.office, **_campaign_fields(district_a, end_date=date(2024, 1, 1)))
    assert error.value.message_dict == {"end_date": ["Ngày kết thúc không được trước ngày bắt đầu."]}


def test_campaign_launch_close_reopen_are_audited(district_a):
    campaign = district_a.campaign
    campaign.status = Campaign.Status.DRAFT
    campaign.save()
    services.campaign_launch(campaign=campaign, user=district_a.office)
    services.campaign_close(campaign=campaign, user=district_a.office)
    services.campaign_reopen(campaign=campaign, user=district_a.office)
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.LAUNCHED
    actions = list(AuditEntry.objects.filter(campaign=campaign).order_by("id").values_list("action", "data"))
    assert actions == [
        ("campaign.launch", {"status": ["draft", "launched"]}),
        ("campaign.close", {"status": ["launched", "closed"]}),
        ("campaign.reopen", {"status": ["closed", "launched"]}),
    ]


def test_campaign_launch_needs_a_period(district_a):
    campaign = CampaignFactory(issuing_unit=district_a.office_unit, status=Campaign.Status.DRAFT)
    CriterionFactory(campaign=campaign)
    with pytest.raises(ValidationError):
        services.campaign_launch(campaign=campaign, user=district_a.office)
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DRAFT


def test_campaign_close_refused_on_a_draft(district_a):
    campaign = CampaignFactory(issuing_unit=district_a.office_unit, status=Campaign.Status.DRAFT)
    with pytest.raises(ValidationError):
        services.campaign_close(campaign=campaign, user=district_a.office)


def test_period_move_deadline_is_audited_with_old_new_and_reason(district_a):
    period = district_a.period
    old = period.deadline
    new = end_of_day_ict(date(2024, 6, 15))
    services.period_move_deadline(period=period, deadline=new, user=district_a.office, reason="Thông báo số 12-TB/HĐ")
    period.refresh_from_db()
    assert period.deadline == new
    entry = AuditEntry.objects.get(action="period.move_deadline")
    assert entry.data == {
        "deadline": [timezone.localtime(old).isoformat(), "2024-06-15T23:59:59+07:00"],
        "reason": "Thông báo số 12-TB/HĐ",
    }
    assert entry.actor == district_a.office
    assert entry.campaign == district_a.campaign


def test_period_move_deadline_needs_a_reason(district_a):
    old = district_a.period.deadline
    with pytest.raises(ValidationError):
        services.period_move_deadline(period=district_a.period, deadline=end_of_day_ict(date(2024, 7, 1)),
                                      user=district_a.office, reason="  ")
    district_a.period.refresh_from_db()
    assert district_a.period.deadline == old


def test_period_create_keeps_the_given_time(district_a):
    deadline = end_of_day_ict(date(2024, 9, 10), time(17, 0))
    period = services.period_create(campaign=district_a.campaign, user=district_a.office, deadline=deadline,
                                    name="Quý III", kind=Period.Kind.QUARTER, order=3,
                                    start_date=date(2024, 7, 1), end_date=date(2024, 9, 30))
    assert period.deadline == deadline
    assert AuditEntry.objects.filter(action="period.create", object_id=str(period.pk)).count() == 1


def test_period_create_refuses_a_used_order(district_a):
    with pytest.raises(ValidationError) as error:
        services.period_create(campaign=district_a.campaign, user=district_a.office,
                               deadline=end_of_day_ict(date(2024, 6, 10)), name="Trùng", order=1,
                               start_date=date(2024, 4, 1), end_date=date(2024, 6, 30))
    assert list(error.value.message_dict) == ["order"]


def test_period_delete_refused_when_it_holds_evidence(district_a):
    EvidenceFactory(period=district_a.period, unit=district_a.units[0], criterion=district_a.criterion)
    with pytest.raises(ValidationError):
        services.period_delete(period=district_a.period, user=district_a.office)
    assert Period.objects.filter(pk=district_a.period.pk).count() == 1


def test_period_delete_without_evidence_is_audited(district_a):
    period = PeriodFactory(campaign=district_a.campaign, order=2)
    pk = period.pk
    services.period_delete(period=period, user=district_a.office)
    assert Period.objects.filter(pk=pk).count() == 0
    assert AuditEntry.objects.filter(action="period.delete", object_id=str(pk)).count() == 1


def test_cluster_create_with_members_leader_and_deputy(district_a):
    units = district_a.units
    cluster = services.cluster_create(campaign=district_a.campaign, user=district_a.office, members=units[1:],
                                      name="Cụm 2", order=2, leader_unit=units[1], deputy_unit=units[2],
                                      follower=district_a.office)
    assert set(cluster.memberships.values_list("unit_id", flat=True)) == {units[1].pk, units[2].pk}
    assert AuditEntry.objects.get(action="cluster.create").data["members"] == sorted([units[1].pk, units[2].pk])


def test_cluster_refuses_a_unit_of_another_cluster_of_the_same_campaign(district_a):
    taken = district_a.units[0]  # already in district_a.cluster
    with pytest.raises(ValidationError) as error:
        services.cluster_create(campaign=district_a.campaign, user=district_a.office, members=[taken], name="Cụm 2")
    assert error.value.message_dict["members"] == [
        "Mỗi đơn vị chỉ thuộc một cụm trong một phong trào; các đơn vị sau đã thuộc cụm khác: "
        f"{taken.name} ({district_a.cluster.name}). Vui lòng bỏ các đơn vị này khỏi cụm đó trước."
    ]
    assert ClusterMember.objects.filter(unit=taken).count() == 1


def test_cluster_allows_the_same_unit_in_another_campaign(district_a):
    other = CampaignFactory(issuing_unit=district_a.office_unit)
    cluster = services.cluster_create(campaign=other, user=district_a.office, members=[district_a.units[0]],
                                      name="Cụm khác")
    assert cluster.memberships.count() == 1


def test_cluster_leader_must_be_a_member(district_a):
    units = district_a.units
    with pytest.raises(ValidationError) as error:
        services.cluster_create(campaign=district_a.campaign, user=district_a.office, members=[units[1]],
                                name="Cụm 2", leader_unit=units[2])
    assert error.value.message_dict == {"leader_unit": ["Cụm trưởng phải là một đơn vị thành viên của cụm."]}


def test_cluster_leader_and_deputy_must_differ(district_a):
    units = district_a.units
    with pytest.raises(ValidationError) as error:
        services.cluster_create(campaign=district_a.campaign, user=district_a.office, members=[units[1]],
                                name="Cụm 2", leader_unit=units[1], deputy_unit=units[1])
    assert error.value.message_dict == {"deputy_unit": ["Cụm trưởng và cụm phó phải là hai đơn vị khác nhau."]}


def test_cluster_refuses_units_outside_the_issuing_unit(district_a, district_b):
    with pytest.raises(ValidationError) as error:
        services.cluster_create(campaign=district_a.campaign, user=district_a.office,
                                members=[district_b.units[1]], name="Cụm 2")
    assert list(error.value.message_dict) == ["members"]


def test_cluster_update_changes_members_and_audits(district_a):
    units = district_a.units
    services.cluster_update(cluster=district_a.cluster, user=district_a.office, members=[units[0], units[1]],
                            name=district_a.cluster.name, order=1, leader_unit=units[0], deputy_unit=units[1],
                            follower=None)
    assert set(district_a.cluster.memberships.values_list("unit_id", flat=True)) == {units[0].pk, units[1].pk}
    entry = AuditEntry.objects.get(action="cluster.update")
    assert entry.data["members"] == {"added": [units[1].pk], "removed": []}
    assert entry.data["deputy_unit"] == [None, units[1].name]


def test_cluster_delete_frees_its_units(district_a):
    services.cluster_delete(cluster=district_a.cluster, user=district_a.office)
    assert ClusterMember.objects.filter(unit=district_a.units[0]).count() == 0


def test_criterion_code_unique_per_campaign(district_a, district_b):
    with pytest.raises(ValidationError) as error:
        services.criterion_create(campaign=district_a.campaign, user=district_a.office, code="i.1", title="Trùng")
    assert error.value.message_dict == {
        "code": ["Mã “i.1” đã có trong bộ tiêu chí của phong trào này. Vui lòng chọn mã khác."]}
    # The same code in another campaign is fine.
    item = services.criterion_create(campaign=district_b.campaign, user=district_b.office, code="I.9", title="Khác")
    assert item.code == "I.9"


def test_criterion_create_appends_and_audits(district_a):
    item = services.criterion_create(campaign=district_a.campaign, user=district_a.office, parent=district_a.section,
                                     code="I.2", title="Tiêu chí mới", max_points=Decimal("5"))
    assert item.order == district_a.criterion.order + 1
    assert AuditEntry.objects.get(action="criterion.create").data == {"code": "I.2", "max_points": "5"}


def test_criterion_parent_must_be_a_section_of_the_campaign(district_a, district_b):
    with pytest.raises(ValidationError):
        services.criterion_create(campaign=district_a.campaign, user=district_a.office, parent=district_b.section,
                                  code="X", title="X")
    with pytest.raises(ValidationError):
        services.criterion_create(campaign=district_a.campaign, user=district_a.office, parent=district_a.criterion,
                                  code="X", title="X")


def test_criterion_section_cannot_go_inside_its_own_child(district_a):
    inner = CriterionFactory(campaign=district_a.campaign, parent=district_a.section, kind=Criterion.Kind.SECTION,
                             code="I.5")
    with pytest.raises(ValidationError) as error:
        services.criterion_update(criterion=district_a.section, user=district_a.office, parent=inner)
    assert list(error.value.message_dict) == ["parent"]


def test_criterion_quantity_needs_a_target_quantity(district_a):
    with pytest.raises(ValidationError) as error:
        services.criterion_create(campaign=district_a.campaign, user=district_a.office, code="Q", title="Q",
                                  method=Criterion.Method.QUANTITY)
    assert list(error.value.message_dict) == ["target_quantity"]


def test_criterion_move_swaps_siblings(district_a):
    second = CriterionFactory(campaign=district_a.campaign, parent=district_a.section, code="I.2")
    services.criterion_move(criterion=second, user=district_a.office, up=True)
    codes = list(district_a.campaign.criteria.filter(parent=district_a.section).order_by("order", "code")
                 .values_list("code", flat=True))
    assert codes == ["I.2", "I.1"]
    services.criterion_move(criterion=second, user=district_a.office, up=False)
    codes = list(district_a.campaign.criteria.filter(parent=district_a.section).order_by("order", "code")
                 .values_list("code", flat=True))
    assert codes == ["I.1", "I.2"]


def test_criterion_move_with_equal_orders_still_moves(district_a):
    first = CriterionFactory(campaign=district_a.campaign, code="II.1", order=50)
    second = CriterionFactory(campaign=district_a.campaign, code="II.2", order=50)
    services.criterion_move(criterion=second, user=district_a.office, up=True)
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.order < first.order


def test_criterion_delete_refused_with_evidence(district_a):
    EvidenceFactory(period=district_a.period, unit=district_a.units[0], criterion=district_a.criterion)
    with pytest.raises(ValidationError):
        services.criterion_delete(criterion=district_a.section, user=district_a.office)
    assert Criterion.objects.filter(campaign=district_a.campaign).count() == 2


def test_criterion_delete_of_a_section_removes_its_items(district_a):
    services.criterion_delete(criterion=district_a.section, user=district_a.office)
    assert Criterion.objects.filter(campaign=district_a.campaign).count() == 0
    assert AuditEntry.objects.get(action="criterion.delete").data == {"codes": ["I", "I.1"]}


def test_cluster_factory_member_helper_still_consistent(district_a):
    # A member added by the factory counts as taken for the campaign's clusters.
    extra = ClusterFactory(campaign=district_a.campaign)
    ClusterMemberFactory(cluster=extra, unit=district_a.units[2])
    with pytest.raises(ValidationError):
        services.cluster_update(cluster=district_a.cluster, user=district_a.office,
                                members=[district_a.units[0], district_a.units[2]], name=district_a.cluster.name)
