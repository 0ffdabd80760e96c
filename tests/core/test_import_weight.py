"""A web process does not load WeasyPrint (≈ 40 MB a process) until it draws a PDF."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import sys
import django
django.setup()
from django.urls import resolve
resolve("/")
import awards.tasks, evidence.tasks, reports.tasks, scoring.tasks  # what Celery's autodiscovery imports
print("weasyprint" in sys.modules)
"""


def test_urls_and_tasks_do_not_import_weasyprint():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "emulation.settings"}
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "False"
