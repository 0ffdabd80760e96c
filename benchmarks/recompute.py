"""Benchmark: recomputing the scores of a national-scale campaign (benchmarks/datagen.py).

10,000 units in 700 clusters, 60 criteria, one quarter, 600,000 accepted
evidence rows, in a database of its own (``bench_recompute``).

- ``full_s``: the full recompute of the period (``scoring.compute.period_recompute``)
  on empty score tables: 600,000 criterion scores, 10,000 unit scores with their
  ranks, 700 cluster scores, the section heat map, the ranking and the year.
  ``full_again_s`` is the same recompute when 1 % of the reviews changed since.
- ``sql_floor_s``: one hand-written SQL GROUP BY (grouping sets) producing the
  same unit and cluster totals from the same rows; ``ratio`` = full_s / floor.
- ``cells_write_s``: writing the same 600,000 cells once into a scratch table with
  no index at all (CREATE TABLE AS); ``cells_key_s``: then building its primary
  key (period, unit, criterion) in one pass, the key pages read a unit's cells
  by. Together the least that storing the per-criterion score table costs;
  ``cells_write_ratio`` = their sum / floor.
- ``one_cluster_ms``: one review changed, then its cluster's recompute (with the
  period's ranking and the year), median of several.
- ``standings_page_ms`` / ``standings_page_queries``: the office's standings page
  for the 700 clusters through the test client, median of warm requests.

    python benchmarks/recompute.py
"""

import json
import statistics
import sys
import time

from common import bench_database
from datagen import national_campaign

RUNS = 5

FLOOR_SQL = """
    SELECT m.cluster_id, e.unit_id, SUM(CASE
        WHEN c.method = 'binary' THEN c.max_points
        WHEN c.method = 'quantity' THEN
            CASE WHEN e.quantity >= c.target_quantity THEN c.max_points
                 ELSE ROUND(c.max_points * e.quantity / c.target_quantity, 2) END
        ELSE LEAST(e.score, c.max_points) END * CASE WHEN c.category = 'penalty' THEN -1 ELSE 1 END)
    FROM evidence_evidence e
    JOIN campaigns_criterion c ON c.id = e.criterion_id
    JOIN campaigns_clustermember m ON m.unit_id = e.unit_id AND m.campaign_id = e.campaign_id
    WHERE e.period_id = %s AND e.status = 'accepted'
    GROUP BY GROUPING SETS ((m.cluster_id, e.unit_id), (m.cluster_id))
"""

# The floor's cells, one row each, written with nothing else: no index, no ranking, no other table.
CELLS_WRITE_SQL = """
    CREATE TABLE bench_cells_write AS
    SELECT e.period_id, e.unit_id, e.criterion_id, e.id AS evidence_id, c.category, CASE
        WHEN c.method = 'binary' THEN c.max_points
        WHEN c.method = 'quantity' THEN
            CASE WHEN e.quantity >= c.target_quantity THEN c.max_points
                 ELSE ROUND(c.max_points * e.quantity / c.target_quantity, 2) END
        ELSE LEAST(e.score, c.max_points) END AS points
    FROM evidence_evidence e
    JOIN campaigns_criterion c ON c.id = e.criterion_id
    WHERE e.period_id = %s AND e.status = 'accepted'
"""


def _seconds(function) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def main() -> None:
    with bench_database("bench_recompute") as connection:
        from django.db import transaction
        from django.test import Client
        from django.test.utils import CaptureQueriesContext, setup_test_environment
        from django.urls import NoReverseMatch, reverse

        from accounts.models import User
        from evidence.models import Evidence
        from scoring import compute
        from scoring.models import ClusterScore, CriterionScore, UnitScore

        with connection.cursor() as cursor:
            ids = national_campaign(cursor)
            cursor.execute("VACUUM ANALYZE")
        period = ids["period"]
        full_s = _seconds(lambda: compute.period_recompute(period_id=period))
        assert CriterionScore.objects.count() == 600_000
        assert UnitScore.objects.count() == 10_000 and ClusterScore.objects.filter(rank__isnull=False).count() == 700

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
            floors = []
            for _ in range(3):
                started = time.perf_counter()
                cursor.execute(FLOOR_SQL, [period])
                rows = cursor.fetchall()
                floors.append(time.perf_counter() - started)
        assert len(rows) == 10_000 + 700
        unit_totals = {unit: total for cluster, unit, total in rows if unit is not None}
        stored = dict(UnitScore.objects.values_list("unit_id", "total"))
        assert stored == unit_totals, "the recompute and the floor disagree"
        sql_floor_s = min(floors)
        writes, keys = [], []
        for _ in range(2):
            with transaction.atomic(), connection.cursor() as cursor:
                started = time.perf_counter()
                cursor.execute(CELLS_WRITE_SQL, [period])
            writes.append(time.perf_counter() - started)
            with transaction.atomic(), connection.cursor() as cursor:
                started = time.perf_counter()
                cursor.execute("ALTER TABLE bench_cells_write ADD PRIMARY KEY (period_id, unit_id, criterion_id)")
            keys.append(time.perf_counter() - started)
            with connection.cursor() as cursor:
                cursor.execute("DROP TABLE bench_cells_write")
        cells_write_s, cells_key_s = min(writes), min(keys)

        # 1 % of the reviews change, then the whole period again.
        Evidence.objects.filter(period_id=period, id__in=Evidence.objects.filter(period_id=period).order_by("?")
                                .values("id")[:6000]).update(score=0)
        full_again_s = _seconds(lambda: compute.period_recompute(period_id=period))

        evidence = list(Evidence.objects.filter(period_id=period, criterion__method="judgement")
                        .select_related("period").order_by("?")[:RUNS])
        one_cluster = []
        for item in evidence:
            Evidence.objects.filter(pk=item.pk).update(score=0.25)
            cluster_id = compute.ClusterMember.objects.get(campaign_id=ids["campaign"], unit_id=item.unit_id).cluster_id
            one_cluster.append(_seconds(lambda c=cluster_id: compute.cluster_recompute(period_id=period,
                                                                                       cluster_id=c)))

        print(f"full {full_s:.2f} s, again {full_again_s:.2f} s, floor {sql_floor_s:.2f} s, "
              f"cells written alone {cells_write_s:.2f} s + key {cells_key_s:.2f} s, "
              f"one cluster {statistics.median(one_cluster) * 1000:.0f} ms", file=sys.stderr)
        page_ms = page_queries = None
        try:
            url = reverse("scoring_standings", args=[ids["campaign"]]) + f"?period={period}"
        except NoReverseMatch:
            print("no 'scoring_standings' URL in this tree: the standings page is not measured", file=sys.stderr)
        else:
            setup_test_environment()
            client = Client(HTTP_HOST="127.0.0.1")
            client.force_login(User.objects.get(pk=ids["office_user"]))
            response = client.get(url)
            assert response.status_code == 200, response.status_code
            page = []
            for _ in range(RUNS):
                page.append(_seconds(lambda: client.get(url)))
            with CaptureQueriesContext(connection) as captured:
                client.get(url)
            page_ms = round(statistics.median(page) * 1000, 1)
            page_queries = len(captured.captured_queries)

    print(json.dumps({
        "bench": "recompute",
        "units": 10_000, "clusters": 700, "criteria": 60, "evidence_rows": 600_000,
        "full_s": round(full_s, 2),
        "full_again_s": round(full_again_s, 2),
        "sql_floor_s": round(sql_floor_s, 2),
        "ratio": round(full_s / sql_floor_s, 2),
        "cells_write_s": round(cells_write_s, 2),
        "cells_key_s": round(cells_key_s, 2),
        "cells_write_ratio": round((cells_write_s + cells_key_s) / sql_floor_s, 2),
        "one_cluster_ms": round(statistics.median(one_cluster) * 1000, 1),
        "standings_page_ms": page_ms,
        "standings_page_queries": page_queries,
    }))


if __name__ == "__main__":
    main()
