"""python manage.py recompute_scores [--campaign ID] [--period ID]: recompute the score tables now."""

import time

from django.core.management.base import BaseCommand, CommandError

from campaigns.models import Period
from scoring import compute


class Command(BaseCommand):
    help = "Recompute unit and cluster scores and standings (every open period, or the ones named)."

    def add_arguments(self, parser):
        parser.add_argument("--campaign", type=int, help="only the open periods of this campaign")
        parser.add_argument("--period", type=int, help="only this period")

    def handle(self, *args, campaign=None, period=None, **options):
        periods = Period.objects.filter(status=Period.Status.OPEN).select_related("campaign")
        if campaign is not None:
            periods = periods.filter(campaign_id=campaign)
        if period is not None:
            periods = Period.objects.filter(pk=period).select_related("campaign")
            if not periods.exists():
                raise CommandError(f"There is no period {period}.")
            if periods[0].is_closed:
                raise CommandError(f"Period {period} is closed: its standings are frozen. Reopen it first.")
        for each in periods.order_by("campaign_id", "order"):
            started = time.monotonic()
            compute.period_recompute(period_id=each.pk)
            self.stdout.write(f"{each.campaign} — {each}: {time.monotonic() - started:.2f} s")
