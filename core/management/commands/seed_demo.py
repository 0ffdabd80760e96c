"""Load the demo (idempotent): ``python manage.py seed_demo``.

Each app that has demo data keeps it in ``<app>/demo.py`` with a function
``seed(demo: dict) -> None``; they run in the order below inside one
transaction and share ``demo`` (units, accounts, campaigns) to build on.
"""

from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.demo import DEMO_PASSWORD

DEMO_APPS = ["accounts", "campaigns", "awards", "targets", "evidence", "scoring", "reports"]


class Command(BaseCommand):
    help = "Load the demo units, accounts, campaigns and award forms (safe to run again)."

    @transaction.atomic
    def handle(self, *args, **options):
        demo: dict = {}
        for app in DEMO_APPS:
            try:
                module = import_module(f"{app}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app}.demo":
                    raise
                continue
            module.seed(demo)
        self.stdout.write(self.style.SUCCESS("Demo loaded: " + " / ".join(c.title for c in demo["campaigns"].values())))
        self.stdout.write(
            f"Demo accounts (password: {DEMO_PASSWORD}): admin (quản trị), reviewer (Văn phòng Huyện đoàn), "
            "leader (Đoàn thị trấn Giồng Riềng, cụm trưởng Cụm 1), staff (Đoàn xã Thạnh Hưng)"
        )
