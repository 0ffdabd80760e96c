"""Compile every ``locale/*/LC_MESSAGES/django.po`` to ``.mo`` with polib.

Django's own ``compilemessages`` needs GNU gettext's msgfmt; this needs only
Python, so ``make run`` works on a machine without gettext.
"""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile the translation catalogs (.po → .mo) without GNU gettext."

    def handle(self, *args, **options):
        base = Path(settings.BASE_DIR)
        catalogs = [p for p in base.glob("**/locale/*/LC_MESSAGES/django.po") if ".venv" not in p.parts]
        for po_path in catalogs:
            catalog = polib.pofile(str(po_path))
            catalog.save_as_mofile(str(po_path.with_suffix(".mo")))
        self.stdout.write(f"Compiled {len(catalogs)} catalog(s).")
