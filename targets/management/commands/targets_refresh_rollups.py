"""Recompute the campaign-wide target roll-ups from the allocations and progress (safe to run any time)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from targets.models import Target
from targets.rollups import rollup_refresh


class Command(BaseCommand):
    help = "Recompute the targets dashboard's roll-ups (all campaigns, or --campaign ID)."

    def add_arguments(self, parser):
        parser.add_argument("--campaign", type=int, help="Only this campaign's targets.")

    def handle(self, *args, campaign=None, **options):
        targets = Target.objects.all()
        if campaign:
            targets = targets.filter(campaign_id=campaign)
        by_campaign: dict[int, list[int]] = {}
        for target_id, campaign_id in targets.values_list("pk", "campaign_id"):
            by_campaign.setdefault(campaign_id, []).append(target_id)
        for target_ids in by_campaign.values():
            with transaction.atomic():
                rollup_refresh(target_ids=target_ids)
        self.stdout.write(f"Refreshed {sum(map(len, by_campaign.values()))} targets in {len(by_campaign)} campaigns.")
