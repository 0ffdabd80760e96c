"""Delete stored evidence files that no row references (left by failed uploads)."""

from datetime import timedelta

from django.core.management.base import BaseCommand

from evidence.services import stray_files_cleanup


class Command(BaseCommand):
    help = "Delete files under the evidence upload folders that no evidence file references and are old enough."

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=float, default=24, help="Only files older than this (default 24).")

    def handle(self, *args, hours: float, **options):
        deleted = stray_files_cleanup(older_than=timedelta(hours=hours))
        for name in deleted:
            self.stdout.write(name)
        self.stdout.write(self.style.SUCCESS(f"{len(deleted)} stray file(s) deleted."))
