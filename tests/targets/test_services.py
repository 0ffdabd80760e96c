import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from campaigns.models import Criterion
from core.models import AuditEntry
from targets.models import Target, TargetAllocation, TargetProgress
from targets.services import (
    ProgressInput,
    allocation_save,
    progress_is_locked,
    progress_save,
    split_proportionally,
    target_create,
    target_update,
)
from tests.factories import TargetAllocationFactory, TargetFactory

from .factories import TargetProgressFactory

pytestmark = pytest.mark.django_db
D = Decimal


def test_split_proportionally_sums_exactly_to_the_total():
    parts = split_proportionally(total=D("27000"), weights={1: 2400, 2: 1900, 3: 2100, 4: 2300, 5: 3200, 6: 1500})
    assert parts == {1: D("4836"), 2: D("3828"), 3: D("4231"), 4: D("4634"), 5: D("6448"), 6: D("3023")}
    assert sum(parts.values()) == D("27000")


def test_split_proportionally_gives_leftover_to_largest_remainders():
    # Exact shares 3.33…, 3.33…, 3.33…: the single leftover goes to the first of the ties.
    assert split_proportionally(total=D("10"), weights={1: 1, 2: 1, 3: 1}) == {1: D("4"), 2: D("3"), 3: D("3")}
    # Exact shares 1.4, 3.6 → floors 1 and 3, the leftover to the larger remainder (0.6).
    assert split_proportionally(total=D("5"), weights={1: 7, 2: 18}) == {1: D("1"), 2: D("4")}


def test_split_proportionally_without_members_splits_equally():
    assert split_proportionally(total=D("7"), weights={1: 0, 2: 0}) == {1: D("4"), 2: D("3")}


def test_split_proportionally_in_hundredths_keeps_the_exact_total():
    parts = split_proportionally(total=D("100.01"), weights={1: 1, 2: 2}, step=D("0.01"))
    assert parts == {1: D("33.34"), 2: D("66.67")}
    assert sum(parts.values()) == D("100.01")


def test_split_proportionally_many_units_sums_exactly():
    weights = {i: (i * 37) % 101 for i in range(1, 316)}
    parts = split_proportionally(total=D("315"), weights=weights)
    assert sum(parts.values()) == D("315")
    assert all(part == part.to_integral_value() for part in parts.values())


def test_target_create_and_update_are_audited(world):
    target = target_create(campaign=world.campaign, user=world.office, data={
        "code": "3", "name": "Trồng cây", "unit_of_measure": "cây", "kind": "count", "total": D("1000"),
        "order": 1, "description": ""})
    target_update(target=target, user=world.office, data={"total": D("1200")})
    actions = list(AuditEntry.objects.filter(object_id=str(target.pk)).order_by("pk").values_list("action", "data"))
    assert actions == [
        ("target.created", {"code": "3", "name": "Trồng cây", "unit_of_measure": "cây", "kind": "count",
                            "total": "1000", "order": 1, "description": ""}),
        ("target.updated", {"total": ["1000", "1200"]}),
    ]


def test_allocation_save_creates_updates_and_removes(world):
    target = TargetFactory(campaign=world.campaign, total=D("100"))
    TargetAllocationFactory(target=target, unit=world.d1, amount=D("50"))
    TargetAllocationFactory(target=target, unit=world.g1, amount=D("5"))
    counts = allocation_save(target=target, amounts={world.d1.pk: D("70"), world.d2.pk: D("30")},
                             user=world.office, source="grid")
    assert counts == {"created": 1, "updated": 1, "deleted": 1}
    assert dict(target.allocations.values_list("unit__code", "amount")) == {"D1": D("70"), "D2": D("30")}
    entry = AuditEntry.objects.get(action="target.allocated")
    assert entry.data == {"source": "grid", "units": {
        str(world.d1.pk): ["50.00", "70"], str(world.d2.pk): [None, "30"], str(world.g1.pk): ["5.00", None]}}


def test_allocation_save_rejects_negative_amounts(world):
    target = TargetFactory(campaign=world.campaign)
    with pytest.raises(ValidationError):
        allocation_save(target=target, amounts={world.d1.pk: D("-1")}, user=world.office, source="grid")
    assert TargetAllocation.objects.count() == 0


def test_progress_save_count_target_by_unit_staff(world):
    target = TargetFactory(campaign=world.campaign)
    TargetAllocationFactory(target=target, unit=world.g1)
    changed = progress_save(unit=world.g1, period=world.p1, user=world.staff1,
                            entries={target.pk: ProgressInput(value=D("12"), note="Đã trồng")})
    assert changed == 1
    progress = TargetProgress.objects.get()
    assert (progress.value, progress.numerator, progress.note, progress.created_by) == (
        D("12"), None, "Đã trồng", world.staff1)
    assert AuditEntry.objects.get().action == "target.progress_reported"


def test_progress_save_percentage_keeps_the_rate(world):
    target = TargetFactory(campaign=world.campaign, kind=Target.Kind.PERCENTAGE, total=D("70"))
    TargetAllocationFactory(target=target, unit=world.g1)
    progress_save(unit=world.g1, period=world.p1, user=world.staff1,
                  entries={target.pk: ProgressInput(numerator=D("7"), denominator=D("8"))})
    progress = TargetProgress.objects.get()
    assert (progress.value, progress.numerator, progress.denominator) == (D("87.50"), D("7"), D("8"))


def test_progress_save_rejects_numerator_above_denominator(world):
    target = TargetFactory(campaign=world.campaign, kind=Target.Kind.PERCENTAGE, total=D("70"))
    TargetAllocationFactory(target=target, unit=world.g1)
    with pytest.raises(ValidationError):
        progress_save(unit=world.g1, period=world.p1, user=world.staff1,
                      entries={target.pk: ProgressInput(numerator=D("9"), denominator=D("8"))})
    assert TargetProgress.objects.count() == 0


def test_progress_database_refuses_negative_values(world):
    progress = TargetProgressFactory(target=TargetFactory(campaign=world.campaign), unit=world.g1, period=world.p1)
    with pytest.raises(IntegrityError), transaction.atomic():
        TargetProgress.objects.filter(pk=progress.pk).update(value=D("-1"))


def test_progress_locked_after_the_deadline_for_units(world):
    target = TargetFactory(campaign=world.campaign)
    world.p1.deadline = timezone.now() - timedelta(minutes=1)
    world.p1.save(update_fields=["deadline"])
    assert progress_is_locked(period=world.p1) is True
    with pytest.raises(PermissionDenied):
        progress_save(unit=world.g1, period=world.p1, user=world.staff1,
                      entries={target.pk: ProgressInput(value=D("1"))})
    assert TargetProgress.objects.count() == 0


def test_progress_locked_when_the_period_is_closed(world):
    world.p1.status = "closed"
    world.p1.save(update_fields=["status"])
    assert progress_is_locked(period=world.p1) is True


def test_progress_office_correction_after_lock_is_audited(world):
    target = TargetFactory(campaign=world.campaign, code="3")
    TargetAllocationFactory(target=target, unit=world.g1)
    TargetProgressFactory(target=target, unit=world.g1, period=world.p1, value=D("5"))
    world.p1.deadline = timezone.now() - timedelta(days=1)
    world.p1.save(update_fields=["deadline"])
    progress_save(unit=world.g1, period=world.p1, user=world.office,
                  entries={target.pk: ProgressInput(value=D("6"))})
    assert TargetProgress.objects.get().value == D("6")
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.data, entry.unit_id) == (
        "target.progress_corrected", {"targets": {"3": {"value": ["5.00", "6"]}}}, world.g1.pk)


def test_progress_save_other_unit_is_refused(world):
    target = TargetFactory(campaign=world.campaign)
    with pytest.raises(PermissionDenied):
        progress_save(unit=world.g2, period=world.p1, user=world.staff1,
                      entries={target.pk: ProgressInput(value=D("1"))})


def test_progress_save_unchanged_values_write_no_audit(world):
    target = TargetFactory(campaign=world.campaign)
    TargetAllocationFactory(target=target, unit=world.g1)
    progress_save(unit=world.g1, period=world.p1, user=world.staff1, entries={target.pk: ProgressInput(value=D("3"))})
    assert progress_save(unit=world.g1, period=world.p1, user=world.staff1,
                         entries={target.pk: ProgressInput(value=D("3"))}) == 0
    assert AuditEntry.objects.count() == 1


def test_criterion_method_constant_is_quantity():
    assert Criterion.Method.QUANTITY == "quantity"


def test_refresh_command_rebuilds_rollups(world):
    from django.core.management import call_command

    from targets.models import TargetRollup

    target = TargetFactory(campaign=world.campaign)
    TargetAllocationFactory(target=target, unit=world.g1, amount=D("10"))
    TargetProgressFactory(target=target, unit=world.g1, period=world.p1, value=D("12"))
    call_command("targets_refresh_rollups", stdout=io.StringIO())
    rows = list(TargetRollup.objects.order_by("period__order").values_list(
        "allocated", "value", "units_reported", "units_met", "campaign_units"))
    assert rows == [(D("10"), D("12"), 1, 1, 1), (D("10"), D("0"), 0, 0, 1)]


def test_progress_save_skips_targets_not_allocated_to_the_unit(world):
    target = TargetFactory(campaign=world.campaign)
    TargetAllocationFactory(target=target, unit=world.g2)
    assert progress_save(unit=world.g1, period=world.p1, user=world.office,
                         entries={target.pk: ProgressInput(value=D("4"))}) == 0
    assert TargetProgress.objects.count() == 0
