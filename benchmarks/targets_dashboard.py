"""Benchmark: the targets dashboard of a campaign with 10,000 units × 20 targets × 4 periods.

Builds its own database ``bench_targets`` (bulk INSERT … SELECT, no ORM loop),
renders the real dashboard view through the test client as the administrator
(median of several warm requests), and compares it with the floor: one
hand-written SQL ``GROUP BY`` computing the same roll-up (sums by target and
period). The dashboard reads the roll-up rows the services keep in step
(``targets/rollups.py``), so it can beat that floor; ``rollup_refresh_all_ms``
is the cost of recomputing every roll-up from scratch. Prints one JSON line
and drops the database.

    python benchmarks/targets_dashboard.py
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

UNITS = 10_000
DISTRICTS = 50
TARGETS = 20
PERIODS = 4
DB_NAME = "bench_targets"
RUNS = 7


def _database_urls() -> tuple[str, str]:
    """(url of the bench database, url of the maintenance database) from DATABASE_URL or the local default."""
    base = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres"
    parts = urlsplit(base)
    return (urlunsplit(parts._replace(path=f"/{DB_NAME}")), urlunsplit(parts._replace(path="/postgres")))


def _recreate_database(admin_url: str) -> None:
    import psycopg2

    connection = psycopg2.connect(admin_url)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        cursor.execute(f"CREATE DATABASE {DB_NAME}")
    connection.close()


def _drop_database(admin_url: str) -> None:
    import psycopg2

    connection = psycopg2.connect(admin_url)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    connection.close()


def _fill(cursor) -> int:
    """Insert the units, campaign, periods, targets, allocations and progress; return the campaign id."""
    cursor.execute(
        "INSERT INTO accounts_unit (code, name, level, path, depth, member_count, email, is_active) "
        "VALUES ('BT', 'Tỉnh đoàn Bench', 'province', '', 0, 0, '', true) RETURNING id"
    )
    province = cursor.fetchone()[0]
    cursor.execute("UPDATE accounts_unit SET path = '/' || id || '/' WHERE id = %s", [province])
    cursor.execute(
        "INSERT INTO accounts_unit (code, name, level, parent_id, path, depth, member_count, email, is_active) "
        "SELECT 'BD-' || i, 'Huyện đoàn ' || i, 'district', %s, '', 1, 0, '', true FROM generate_series(1, %s) i",
        [province, DISTRICTS],
    )
    cursor.execute(
        "UPDATE accounts_unit u SET path = p.path || u.id || '/' FROM accounts_unit p "
        "WHERE u.parent_id = p.id AND p.id = %s", [province],
    )
    cursor.execute(
        "INSERT INTO accounts_unit (code, name, level, parent_id, path, depth, member_count, email, is_active) "
        "SELECT 'BG-' || i, 'Đoàn cơ sở ' || i, 'grassroots', d.id, '', 2, 20 + i %% 80, '', true "
        "FROM generate_series(1, %s) i JOIN accounts_unit d ON d.code = 'BD-' || (1 + i %% %s)",
        [UNITS, DISTRICTS],
    )
    cursor.execute(
        "UPDATE accounts_unit u SET path = p.path || u.id || '/' FROM accounts_unit p "
        "WHERE u.parent_id = p.id AND u.depth = 2"
    )
    cursor.execute(
        "INSERT INTO campaigns_campaign (issuing_unit_id, number, title, theme, legal_basis, purpose, start_date, "
        "end_date, place, signer_title, signer_name, status, year_aggregation, cluster_score_method, "
        "excellent_min_percent, good_min_percent, complete_min_percent, created_at) "
        "VALUES (%s, '1-KH/BENCH', 'Bench', '', '', '', '2024-01-01', '2024-12-31', '', '', '', 'launched', 'sum', "
        "'average_percent', 90, 70, 50, now()) RETURNING id", [province],
    )
    campaign = cursor.fetchone()[0]
    cursor.execute(
        "INSERT INTO campaigns_period (campaign_id, name, kind, \"order\", start_date, end_date, deadline, status) "
        "SELECT %s, 'Quý ' || q, 'quarter', q, make_date(2024, 3 * q - 2, 1), "
        "(make_date(2024, 3 * q - 2, 1) + interval '3 months' - interval '1 day')::date, "
        "make_date(2024, 3 * q - 2, 1) + interval '3 months' + interval '10 days', 'open' "
        "FROM generate_series(1, %s) q", [campaign, PERIODS],
    )
    cursor.execute(
        "INSERT INTO targets_target (campaign_id, code, name, unit_of_measure, kind, total, \"order\", description) "
        "SELECT %s, 'T' || t, 'Chỉ tiêu ' || t, 'lượt', "
        "CASE WHEN t <= 16 THEN 'count' WHEN t <= 18 THEN 'percentage' ELSE 'per_unit_min' END, "
        "CASE WHEN t <= 16 THEN %s * 10 WHEN t <= 18 THEN 80 ELSE 1 END, t, '' "
        "FROM generate_series(1, %s) t", [campaign, UNITS, TARGETS],
    )
    cursor.execute(
        "INSERT INTO targets_targetallocation (target_id, unit_id, amount) "
        "SELECT t.id, u.id, CASE t.kind WHEN 'count' THEN 10 WHEN 'percentage' THEN 80 ELSE 1 END "
        "FROM targets_target t CROSS JOIN accounts_unit u WHERE t.campaign_id = %s AND u.depth = 2",
        [campaign],
    )
    cursor.execute(
        "INSERT INTO targets_targetprogress (target_id, unit_id, period_id, value, numerator, denominator, note, "
        "created_at, updated_at) "
        "SELECT a.target_id, a.unit_id, p.id, "
        "CASE WHEN t.kind = 'percentage' THEN 75 ELSE (a.unit_id %% 5) * p.\"order\" END, "
        "CASE WHEN t.kind = 'percentage' THEN 3 * p.\"order\" END, "
        "CASE WHEN t.kind = 'percentage' THEN 4 * p.\"order\" END, '', p.deadline - interval '1 day', "
        "p.deadline - interval '1 day' "
        "FROM targets_targetallocation a JOIN targets_target t ON t.id = a.target_id "
        "JOIN campaigns_period p ON p.campaign_id = t.campaign_id WHERE t.campaign_id = %s",
        [campaign],
    )
    cursor.execute(
        "INSERT INTO targets_targetreport (unit_id, period_id, first_reported_at) "
        "SELECT u.id, p.id, p.deadline - interval '1 day' FROM accounts_unit u "
        "CROSS JOIN campaigns_period p WHERE u.depth = 2 AND p.campaign_id = %s", [campaign],
    )
    return campaign


FLOOR_SQL = (
    "SELECT p.target_id, p.period_id, SUM(p.value), SUM(p.numerator), SUM(p.denominator), COUNT(*) "
    "FROM targets_targetprogress p JOIN campaigns_period pe ON pe.id = p.period_id "
    "WHERE pe.campaign_id = %s GROUP BY p.target_id, p.period_id"
)


def main() -> None:
    bench_url, admin_url = _database_urls()
    _recreate_database(admin_url)
    os.environ["DATABASE_URL"] = bench_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "emulation.settings")
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from accounts.models import User

    try:
        call_command("migrate", verbosity=0)
        with connection.cursor() as cursor:
            campaign = _fill(cursor)
            cursor.execute("ANALYZE")
        from targets.models import Target
        from targets.rollups import rollup_refresh

        started = time.perf_counter()
        rollup_refresh(target_ids=list(Target.objects.filter(campaign_id=campaign).values_list("pk", flat=True)))
        refresh_ms = (time.perf_counter() - started) * 1000
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
            cursor.execute("SELECT id FROM campaigns_period WHERE campaign_id = %s ORDER BY \"order\" DESC LIMIT 1",
                           [campaign])
            last_period = cursor.fetchone()[0]
        setup_test_environment()
        admin = User.objects.create(username="bench-admin", role=User.Role.ADMIN, is_superuser=True)
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(admin)
        url = f"/chi-tieu/phong-trao/{campaign}/?period={last_period}"
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        assert len(response.context["achievements"]) == TARGETS
        timings = []
        for _ in range(RUNS):
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        floors = []
        with connection.cursor() as cursor:
            for _ in range(RUNS):
                started = time.perf_counter()
                cursor.execute(FLOOR_SQL, [campaign])
                rows = cursor.fetchall()
                floors.append((time.perf_counter() - started) * 1000)
        assert len(rows) == TARGETS * PERIODS
        if os.environ.get("BENCH_VERBOSE"):
            from django.test.utils import CaptureQueriesContext

            with CaptureQueriesContext(connection) as captured:
                client.get(url)
            for query in captured.captured_queries:
                print(query["time"], query["sql"][:300], file=sys.stderr)
        dashboard_ms = statistics.median(timings)
        floor_ms = statistics.median(floors)
    finally:
        connection.close()
        if not os.environ.get("BENCH_KEEP"):
            _drop_database(admin_url)
    print(json.dumps({
        "bench": "targets_dashboard",
        "units": UNITS,
        "targets": TARGETS,
        "periods": PERIODS,
        "progress_rows": UNITS * TARGETS * PERIODS,
        "dashboard_ms": round(dashboard_ms, 1),
        "rollup_sql_floor_ms": round(floor_ms, 1),
        "ratio": round(dashboard_ms / floor_ms, 2),
        "rollup_refresh_all_ms": round(refresh_ms, 1),
    }))


if __name__ == "__main__":
    main()
