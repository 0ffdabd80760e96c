"""`make run` works with no database or Redis server: SQLite and in-process tasks."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SMOKE = """
from django.test import Client
client = Client()
assert client.login(username="staff", password="thidua-demo")
for path in ["/", "/phong-trao/"]:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
# The recompute's SQL gives SQLite the same numbers as PostgreSQL (no integer division, e.g. 5 × 17 / 20).
from decimal import ROUND_HALF_UP, Decimal
from scoring.models import CriterionScore, UnitScore
checked = 0
for row in CriterionScore.objects.filter(criterion__method="quantity", criterion__target__isnull=True).select_related(
        "criterion", "evidence"):
    goal, quantity = row.criterion.target_quantity, row.evidence.quantity or 0
    if goal and quantity < goal:
        expected = (row.criterion.max_points * quantity / goal).quantize(Decimal("0.01"), ROUND_HALF_UP)
        assert row.points == expected, (row.criterion.code, row.points, expected)
        checked += 1
assert checked > 0 and UnitScore.objects.exists()
# A recompute over existing rows (SQLite's FULL JOIN) updates a changed cell and drops a withdrawn one.
from evidence.models import Evidence
from scoring import compute
changed, withdrawn = CriterionScore.objects.filter(criterion__method="judgement", points__gt=1).order_by("pk")[:2]
Evidence.objects.filter(pk=changed.evidence_id).update(score=Decimal("0.25"))
Evidence.objects.filter(pk=withdrawn.evidence_id).update(status="returned")
compute.period_recompute(period_id=changed.period_id)
changed.refresh_from_db()
assert changed.points == Decimal("0.25"), changed.points
assert not CriterionScore.objects.filter(pk=withdrawn.pk).exists()
print("embedded-ok")
"""


def test_migrate_seed_and_serve_on_sqlite_without_redis(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "TEST_DATABASE_NAME"}}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", MEDIA_ROOT=str(tmp_path / "media"),
               ALLOWED_HOSTS="testserver,127.0.0.1")
    for args in (["migrate", "--noinput", "-v0"], ["seed_demo"], ["seed_demo"], ["shell", "-c", SMOKE]):
        result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().endswith("embedded-ok")
