"""Recomputation of the score tables (tính điểm, xếp hạng), set-based.

Every step is set-based SQL over the evidence and the lower score table, never
a Python loop over evidence rows: INSERT … SELECT … ON CONFLICT DO UPDATE (or
UPDATE … FROM a window query), and for the criterion scores (600,000 cells in a
national period) a plain INSERT … SELECT when the period has none yet, else only
the differences from the stored rows (one full join) kept in a temporary table. Only rows
whose values changed are rewritten, so a recompute that finds nothing new writes
almost nothing, and running it twice gives the same rows. The SQL is the common
dialect of PostgreSQL and SQLite (≥ 3.39), so ``make run``'s embedded default
computes the same standings; PostgreSQL only gets a larger ``work_mem`` for a
whole period.

The scope of a recompute is one cluster of one period (after a review) or a
whole period (closing it, a cluster changing its members, the command). Each
ends by ranking the period's clusters and recomputing the year, which are
small. A recompute holds the period's row lock, so two workers never rank one
period at the same time, and the period cannot be closed half-way.

Scoring rules, per criterion, from accepted evidence only:

- done / not done: the criterion's full points;
- quantity against a target: full points × quantity / goal, capped at full
  points. The quantity is the unit's reported progress on the linked target
  for the period (else the quantity on the evidence); the goal is the unit's
  allocation of that target (else the criterion's own target quantity). With no
  goal at all, the reviewer's score counts;
- reviewer's judgement: the reviewer's score, capped at the criterion's points;
- bonus criteria add on top of the base total; penalty criteria subtract.

A unit's percentage is its total against the base criteria's maximum; its
completeness is the share of base criteria with accepted evidence. A cluster's
score follows the campaign's method (default: the average of its units'
percentages); clusters are ranked by score, then completeness, then the time
of their first dossier (earlier first; none last).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from campaigns.models import Campaign, Cluster, ClusterMember, Criterion, Period
from core.background import enqueue_on_commit
from evidence.models import DossierSubmission, Evidence
from targets.models import TargetAllocation, TargetProgress

from .models import (
    ClusterScore,
    ClusterSectionScore,
    ClusterYearScore,
    CriterionScore,
    DirtyCluster,
    PeriodStanding,
    UnitScore,
    UnitYearScore,
)

# When at least this share of a period's clusters is dirty, the sweep recomputes the whole period at once.
FULL_RECOMPUTE_SHARE = Decimal("0.25")
# A fresh insert of at least this many cells is followed by an ANALYZE of the table (PostgreSQL).
FRESH_ANALYZE_ROWS = 50_000
# PostgreSQL's work_mem for a whole period's recompute (its hash joins and aggregates hold every cell).
FULL_RECOMPUTE_WORK_MEM = "128MB"


def _t(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _lit(value: Decimal | int) -> str:
    """A number we computed (never user input) as an SQL literal."""
    return format(Decimal(value), "f")


@dataclass(frozen=True)
class CriteriaFacts:
    """What the SQL needs of a campaign's criteria set, read once per recompute."""

    section_of: dict[int, int]  # scored criterion id → its top-level ancestor's id
    base_max: Decimal  # the maximum of a unit's base total
    base_count: int  # cells per unit that completeness counts
    section_max: dict[int, Decimal]  # top section id → the base maximum of its criteria

    @property
    def section_values(self) -> str:
        return ", ".join(f"({c}, {s})" for c, s in self.section_of.items())

    @property
    def section_max_values(self) -> str:
        return ", ".join(f"({s}, {_lit(m)})" for s, m in self.section_max.items())


def criteria_facts(campaign_id: int) -> CriteriaFacts:
    rows = list(Criterion.objects.filter(campaign_id=campaign_id).values_list(
        "id", "parent_id", "kind", "category", "max_points"))
    parent = {pk: parent_id for pk, parent_id, *_ in rows}

    def top(pk: int) -> int:
        seen = set()
        while parent.get(pk) is not None and pk not in seen:
            seen.add(pk)
            pk = parent[pk]
        return pk

    section_of, section_max, base_max, base_count = {}, {}, Decimal("0"), 0
    for pk, _parent, kind, category, max_points in rows:
        if kind != Criterion.Kind.CRITERION:
            continue
        section = top(pk)
        section_of[pk] = section
        section_max.setdefault(section, Decimal("0"))
        if category == Criterion.Category.BASE:
            base_max += max_points
            base_count += 1
            section_max[section] += max_points
    return CriteriaFacts(section_of=section_of, base_max=base_max, base_count=base_count, section_max=section_max)


@dataclass(frozen=True)
class Scope:
    """The units and clusters of one recompute: one cluster, or every cluster of the campaign."""

    campaign_id: int
    cluster_id: int | None = None

    def members(self, alias: str = "m") -> tuple[str, list]:
        """A condition on a ClusterMember alias."""
        if self.cluster_id is None:
            return f"{alias}.campaign_id = %s", [self.campaign_id]
        return f"{alias}.cluster_id = %s", [self.cluster_id]

    def clusters(self, alias: str = "cl") -> tuple[str, list]:
        """A condition on a Cluster alias."""
        if self.cluster_id is None:
            return f"{alias}.campaign_id = %s", [self.campaign_id]
        return f"{alias}.id = %s", [self.cluster_id]

    def unit_ids(self, column: str) -> tuple[str, list]:
        """``column IN (the scope's member units)``."""
        condition, params = self.members("sm")
        return f"{column} IN (SELECT sm.unit_id FROM {_t(ClusterMember)} sm WHERE {condition})", params

    def stored_unit_ids(self, column: str) -> tuple[str, list]:
        """A condition on a score table's unit column: the stored rows the scope covers. For a whole period that
        is every row of the period (the cells' step also removes non-members' rows, and a filter on membership
        would cost a join of every cell); for one cluster, its member units'."""
        return ("1 = 1", []) if self.cluster_id is None else self.unit_ids(column)


def _execute(sql: str, params: Iterable) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return cursor.rowcount


def _period_has_rows(model, period: Period) -> bool:
    """Whether a score table has rows of the period at all: if not, a recompute inserts without upserting.

    The caller holds the period's row lock, so no other recompute writes the period's rows meanwhile.
    """
    return model.objects.filter(period=period).exists()


# ---------------------------------------------------------------- steps

def _criterion_scores(period: Period, scope: Scope, facts: CriteriaFacts, now) -> None:
    cs, ev, cr = _t(CriterionScore), _t(Evidence), _t(Criterion)
    tp, ta = _t(TargetProgress), _t(TargetAllocation)
    in_scope, scope_params = scope.unit_ids("e.unit_id")
    capped_score = "CASE WHEN COALESCE(e.score, 0) > c.max_points THEN c.max_points ELSE COALESCE(e.score, 0) END"
    quantity = ("CASE WHEN c.target_id IS NOT NULL THEN COALESCE(tp.value, e.quantity, 0) "
                "ELSE COALESCE(e.quantity, 0) END")
    goal = "CASE WHEN c.target_id IS NOT NULL THEN COALESCE(ta.amount, c.target_quantity) ELSE c.target_quantity END"
    points = f"""CASE c.method
        WHEN 'binary' THEN c.max_points
        WHEN 'quantity' THEN CASE
            WHEN ({goal}) IS NULL THEN {capped_score}
            WHEN ({goal}) <= 0 OR ({quantity}) >= ({goal}) THEN c.max_points
            ELSE ROUND(c.max_points * 1.0 * ({quantity}) / ({goal}), 2) END
        ELSE {capped_score} END"""
    fresh = not _period_has_rows(CriterionScore, period)
    in_scope_cs, cs_scope_params = scope.stored_unit_ids(f"{cs}.unit_id")
    if not facts.section_of:  # no scored criterion: every row of the scope is stale
        if not fresh:
            _execute(f"DELETE FROM {cs} WHERE {cs}.period_id = %s AND {in_scope_cs}", [period.pk, *cs_scope_params])
        return
    columns = "campaign_id, period_id, unit_id, criterion_id, section_id, evidence_id, category, points"
    cells = f"""
        WITH sec(criterion_id, section_id) AS (VALUES {facts.section_values})
        SELECT e.campaign_id, e.period_id, e.unit_id, e.criterion_id, sec.section_id, e.id AS evidence_id,
               c.category, {points} AS points
        FROM {ev} e
        JOIN {cr} c ON c.id = e.criterion_id
        JOIN sec ON sec.criterion_id = e.criterion_id
        LEFT JOIN {tp} tp ON tp.target_id = c.target_id AND tp.unit_id = e.unit_id AND tp.period_id = e.period_id
        LEFT JOIN {ta} ta ON ta.target_id = c.target_id AND ta.unit_id = e.unit_id
        WHERE e.period_id = %s AND e.status = 'accepted' AND {in_scope}"""
    if fresh:
        # The period has no rows yet: a plain insert (no upsert, nothing stale), in the primary key's order so
        # that the index grows at its right edge (a fifth faster than the evidence's order, nationally).
        inserted = _execute(f"INSERT INTO {cs} ({columns}, computed_at) SELECT {columns}, %s FROM ({cells}) n "
                            f"ORDER BY n.unit_id, n.criterion_id", [now, period.pk, *scope_params])
        if connection.vendor == "postgresql" and inserted >= FRESH_ANALYZE_ROWS:
            # The planner still believes the table as small as at its last ANALYZE and would join the new rows
            # one index probe at a time (1 s for the heat map of a national period); ANALYZE samples them, in
            # this transaction too, for a fraction of that.
            _execute(f"ANALYZE {cs}", [])
        return
    # Over existing rows: one full join of the scope's cells with its stored rows (one hash join each way)
    # keeps only the differences in a temporary table: new cells (no stored row), changed cells (with the row
    # they update) and stale rows (no cell: no accepted evidence any more, or for the whole period a unit that
    # left every cluster of the campaign). After a day of reviews that is a few thousand rows, not the
    # 600,000 cells of a national period; an upsert would instead probe the primary key cell by cell.
    diff = connection.ops.quote_name("scoring_recompute_diff")
    changed = ("o.points <> n.points OR o.category <> n.category OR o.evidence_id IS DISTINCT FROM n.evidence_id "
               "OR o.section_id IS DISTINCT FROM n.section_id")
    _execute(f"""
        CREATE TEMPORARY TABLE {diff} AS
        SELECT n.*, o.unit_id AS stored_unit_id, o.criterion_id AS stored_criterion_id
        FROM ({cells}) n
        FULL JOIN (SELECT {cs}.unit_id, {cs}.criterion_id, {cs}.points, {cs}.category, {cs}.evidence_id,
                          {cs}.section_id
                   FROM {cs} WHERE {cs}.period_id = %s AND {in_scope_cs}) o
          ON o.unit_id = n.unit_id AND o.criterion_id = n.criterion_id
        WHERE o.unit_id IS NULL OR n.unit_id IS NULL OR {changed}
    """, [period.pk, *scope_params, period.pk, *cs_scope_params])
    _execute(f"""
        UPDATE {cs} SET points = n.points, evidence_id = n.evidence_id, section_id = n.section_id,
            category = n.category, computed_at = %s
        FROM {diff} n
        WHERE {cs}.period_id = %s AND {cs}.unit_id = n.unit_id AND {cs}.criterion_id = n.criterion_id
          AND n.stored_unit_id IS NOT NULL
    """, [now, period.pk])
    _execute(f"""
        DELETE FROM {cs} WHERE {cs}.period_id = %s AND EXISTS (
            SELECT 1 FROM {diff} n WHERE n.unit_id IS NULL
               AND n.stored_unit_id = {cs}.unit_id AND n.stored_criterion_id = {cs}.criterion_id)
    """, [period.pk])
    _execute(f"""
        INSERT INTO {cs} ({columns}, computed_at)
        SELECT {columns}, %s FROM {diff} n WHERE n.stored_unit_id IS NULL ORDER BY n.unit_id, n.criterion_id
    """, [now])
    _execute(f"DROP TABLE {diff}", [])


def _unit_scores(period: Period, scope: Scope, facts: CriteriaFacts, now) -> None:
    us, cs, cm = _t(UnitScore), _t(CriterionScore), _t(ClusterMember)
    members, member_params = scope.members("m")
    in_scope, scope_params = scope.stored_unit_ids("unit_id")
    total = "(COALESCE(s.base, 0) + COALESCE(s.bonus, 0) - COALESCE(s.penalty, 0))"
    percent = f"ROUND({total} * 100.0 / {_lit(facts.base_max)}, 3)" if facts.base_max > 0 else "0"
    completeness = f"ROUND(COALESCE(s.base_count, 0) * 1.0 / {facts.base_count}, 4)" if facts.base_count else "0"
    fresh = not _period_has_rows(UnitScore, period)
    upsert = "" if fresh else f"""
        ON CONFLICT (period_id, unit_id) DO UPDATE SET
            cluster_id = excluded.cluster_id, base_points = excluded.base_points,
            bonus_points = excluded.bonus_points, penalty_points = excluded.penalty_points, total = excluded.total,
            max_points = excluded.max_points, percent = excluded.percent, completeness = excluded.completeness,
            accepted_count = excluded.accepted_count, computed_at = excluded.computed_at
        WHERE {us}.total <> excluded.total OR {us}.max_points <> excluded.max_points
           OR {us}.percent <> excluded.percent OR {us}.completeness <> excluded.completeness
           OR {us}.accepted_count <> excluded.accepted_count OR {us}.base_points <> excluded.base_points
           OR {us}.bonus_points <> excluded.bonus_points OR {us}.penalty_points <> excluded.penalty_points
           OR {us}.cluster_id IS DISTINCT FROM excluded.cluster_id"""
    _execute(f"""
        INSERT INTO {us} (campaign_id, period_id, unit_id, cluster_id, base_points, bonus_points, penalty_points,
                          total, max_points, percent, completeness, accepted_count, rank_in_cluster, computed_at)
        SELECT m.campaign_id, %s, m.unit_id, m.cluster_id, COALESCE(s.base, 0), COALESCE(s.bonus, 0),
               COALESCE(s.penalty, 0), {total}, {_lit(facts.base_max)}, {percent}, {completeness},
               COALESCE(s.accepted, 0), NULL, %s
        FROM {cm} m
        LEFT JOIN (
            SELECT unit_id,
                   SUM(CASE WHEN category = 'base' THEN points ELSE 0 END) AS base,
                   SUM(CASE WHEN category = 'bonus' THEN points ELSE 0 END) AS bonus,
                   SUM(CASE WHEN category = 'penalty' THEN points ELSE 0 END) AS penalty,
                   SUM(CASE WHEN category = 'base' THEN 1 ELSE 0 END) AS base_count,
                   COUNT(*) AS accepted
            FROM {cs} WHERE period_id = %s AND {in_scope} GROUP BY unit_id
        ) s ON s.unit_id = m.unit_id
        WHERE {members}{upsert}
    """, [period.pk, now, period.pk, *scope_params, *member_params])
    if not fresh:  # units that left the scope's cluster(s); a unit that moved was rewritten with its new cluster
        if scope.cluster_id is None:
            stale = f"NOT EXISTS (SELECT 1 FROM {cm} m WHERE m.campaign_id = %s AND m.unit_id = {us}.unit_id)"
            stale_params = [scope.campaign_id]
        else:
            stale, stale_params = (f"{us}.cluster_id = %s AND NOT EXISTS (SELECT 1 FROM {cm} m "
                                   f"WHERE m.cluster_id = %s AND m.unit_id = {us}.unit_id)",
                                   [scope.cluster_id, scope.cluster_id])
        _execute(f"DELETE FROM {us} WHERE {us}.period_id = %s AND {stale}", [period.pk, *stale_params])
    clusters, cluster_params = scope.clusters("cl")
    _execute(f"""
        UPDATE {us} SET rank_in_cluster = r.rnk
        FROM (SELECT u.id, RANK() OVER (PARTITION BY u.cluster_id ORDER BY u.total DESC, u.completeness DESC) AS rnk
              FROM {us} u WHERE u.period_id = %s
                AND u.cluster_id IN (SELECT cl.id FROM {_t(Cluster)} cl WHERE {clusters})) r
        WHERE {us}.id = r.id AND {us}.rank_in_cluster IS DISTINCT FROM r.rnk
    """, [period.pk, *cluster_params])


_CLUSTER_SCORE = {
    Campaign.ClusterScoreMethod.AVERAGE_PERCENT: "ROUND(AVG(u.percent), 3)",
    Campaign.ClusterScoreMethod.AVERAGE: "ROUND(AVG(u.total), 3)",
    Campaign.ClusterScoreMethod.SUM: "SUM(u.total)",
}


def _cluster_scores(period: Period, scope: Scope, facts: CriteriaFacts, now) -> None:
    cls, us, cl_t, ds = _t(ClusterScore), _t(UnitScore), _t(Cluster), _t(DossierSubmission)
    clusters, cluster_params = scope.clusters("cl")
    score = _CLUSTER_SCORE[period.campaign.cluster_score_method]
    _execute(f"""
        INSERT INTO {cls} (campaign_id, period_id, cluster_id, score, total_points, completeness, unit_count,
                           on_time, dossier_submitted_at, rank, previous_rank, computed_at)
        SELECT cl.campaign_id, %s, cl.id, COALESCE({score}, 0), COALESCE(SUM(u.total), 0),
               COALESCE(ROUND(AVG(u.completeness), 4), 0), COUNT(u.id),
               EXISTS (SELECT 1 FROM {ds} d WHERE d.period_id = %s AND d.cluster_id = cl.id AND d.on_time),
               (SELECT MIN(d.submitted_at) FROM {ds} d WHERE d.period_id = %s AND d.cluster_id = cl.id),
               NULL, NULL, %s
        FROM {cl_t} cl
        LEFT JOIN {us} u ON u.period_id = %s AND u.cluster_id = cl.id
        WHERE {clusters}
        GROUP BY cl.id, cl.campaign_id
        ON CONFLICT (period_id, cluster_id) DO UPDATE SET
            score = excluded.score, total_points = excluded.total_points, completeness = excluded.completeness,
            unit_count = excluded.unit_count, on_time = excluded.on_time,
            dossier_submitted_at = excluded.dossier_submitted_at, computed_at = excluded.computed_at
        WHERE {cls}.score <> excluded.score OR {cls}.total_points <> excluded.total_points
           OR {cls}.completeness <> excluded.completeness OR {cls}.unit_count <> excluded.unit_count
           OR {cls}.on_time <> excluded.on_time
           OR {cls}.dossier_submitted_at IS DISTINCT FROM excluded.dossier_submitted_at
    """, [period.pk, period.pk, period.pk, now, period.pk, *cluster_params])
    if not facts.section_max:
        return
    css, cs, cm = _t(ClusterSectionScore), _t(CriterionScore), _t(ClusterMember)
    members, member_params = scope.members("m")
    _execute(f"""
        WITH sec(section_id, max_points) AS (VALUES {facts.section_max_values}),
        agg AS (
            SELECT m.cluster_id, c.section_id,
                   SUM(CASE WHEN c.category = 'penalty' THEN -c.points ELSE c.points END) AS points
            FROM {cs} c JOIN {cm} m ON m.unit_id = c.unit_id AND m.campaign_id = c.campaign_id
            WHERE c.period_id = %s AND {members}
            GROUP BY m.cluster_id, c.section_id),
        cnt AS (SELECT m.cluster_id, COUNT(*) AS n FROM {cm} m WHERE {members} GROUP BY m.cluster_id)
        INSERT INTO {css} (campaign_id, period_id, cluster_id, section_id, points, max_points, percent)
        SELECT cl.campaign_id, %s, cl.id, sec.section_id, COALESCE(agg.points, 0),
               sec.max_points * COALESCE(cnt.n, 0),
               CASE WHEN sec.max_points * COALESCE(cnt.n, 0) > 0
                    THEN ROUND(COALESCE(agg.points, 0) * 100.0 / (sec.max_points * cnt.n), 3) ELSE 0 END
        FROM {cl_t} cl CROSS JOIN sec
        LEFT JOIN agg ON agg.cluster_id = cl.id AND agg.section_id = sec.section_id
        LEFT JOIN cnt ON cnt.cluster_id = cl.id
        WHERE {clusters}
        ON CONFLICT (period_id, cluster_id, section_id) DO UPDATE SET
            points = excluded.points, max_points = excluded.max_points, percent = excluded.percent
        WHERE {css}.points <> excluded.points OR {css}.max_points <> excluded.max_points
    """, [period.pk, *member_params, *member_params, period.pk, *cluster_params])
    sections = ", ".join(str(section) for section in facts.section_max)
    _execute(f"DELETE FROM {css} WHERE {css}.period_id = %s AND {css}.section_id NOT IN ({sections})", [period.pk])


def _rank_period(period: Period) -> None:
    """Rank the period's clusters; carry each cluster's rank in the previous period for the trend."""
    cls = _t(ClusterScore)
    orders = list(Period.objects.filter(campaign_id=period.campaign_id).order_by("order").values_list("pk", flat=True))
    position = orders.index(period.pk)
    previous_id = orders[position - 1] if position > 0 else None
    next_id = orders[position + 1] if position + 1 < len(orders) else None
    _execute(f"""
        UPDATE {cls} SET rank = r.rnk, previous_rank = r.prev
        FROM (SELECT c.id,
                     RANK() OVER (ORDER BY c.score DESC, c.completeness DESC,
                                  CASE WHEN c.dossier_submitted_at IS NULL THEN 1 ELSE 0 END,
                                  c.dossier_submitted_at) AS rnk,
                     p.rank AS prev
              FROM {cls} c LEFT JOIN {cls} p ON p.period_id = %s AND p.cluster_id = c.cluster_id
              WHERE c.period_id = %s) r
        WHERE {cls}.id = r.id AND ({cls}.rank IS DISTINCT FROM r.rnk OR {cls}.previous_rank IS DISTINCT FROM r.prev)
    """, [previous_id, period.pk])
    if next_id is not None:
        _execute(f"""
            UPDATE {cls} SET previous_rank = r.rank
            FROM (SELECT cluster_id, rank FROM {cls} WHERE period_id = %s) r
            WHERE {cls}.period_id = %s AND {cls}.cluster_id = r.cluster_id
              AND {cls}.previous_rank IS DISTINCT FROM r.rank
        """, [period.pk, next_id])


def _year(campaign: Campaign, scope: Scope, now) -> None:
    """Year scores of the scope's units, their classification and ranks (all units with a top-grade cap), then
    the clusters' year scores and ranks."""
    uys, us, cm = _t(UnitYearScore), _t(UnitScore), _t(ClusterMember)
    period_ids = list(Period.objects.filter(campaign=campaign).values_list("pk", flat=True))
    if not period_ids:
        return
    agg = "AVG" if campaign.year_aggregation == Campaign.YearAggregation.AVERAGE else "SUM"
    members, member_params = scope.members("m")
    periods_in = ", ".join(str(pk) for pk in period_ids)
    _execute(f"""
        INSERT INTO {uys} (campaign_id, unit_id, cluster_id, total, max_points, percent, period_count,
                           classification, rank_in_cluster, computed_at)
        SELECT m.campaign_id, m.unit_id, m.cluster_id, COALESCE(ROUND({agg}(u.total), 2), 0),
               COALESCE(ROUND({agg}(u.max_points), 2), 0),
               CASE WHEN SUM(u.max_points) > 0 THEN ROUND(SUM(u.total) * 100.0 / SUM(u.max_points), 3) ELSE 0 END,
               COUNT(u.id), 'not_completed', NULL, %s
        FROM {cm} m LEFT JOIN {us} u ON u.unit_id = m.unit_id AND u.period_id IN ({periods_in})
        WHERE {members}
        GROUP BY m.campaign_id, m.unit_id, m.cluster_id
        ON CONFLICT (campaign_id, unit_id) DO UPDATE SET
            cluster_id = excluded.cluster_id, total = excluded.total, max_points = excluded.max_points,
            percent = excluded.percent, period_count = excluded.period_count, computed_at = excluded.computed_at
        WHERE {uys}.total <> excluded.total OR {uys}.max_points <> excluded.max_points
           OR {uys}.percent <> excluded.percent OR {uys}.period_count <> excluded.period_count
           OR {uys}.cluster_id IS DISTINCT FROM excluded.cluster_id
    """, [now, *member_params])
    if scope.cluster_id is None:
        _execute(f"""DELETE FROM {uys} WHERE {uys}.campaign_id = %s AND NOT EXISTS (
            SELECT 1 FROM {cm} m WHERE m.campaign_id = %s AND m.unit_id = {uys}.unit_id)""",
                 [campaign.pk, campaign.pk])
    # Ranks are per cluster and, without a cap on the top grade, a classification depends on the unit alone:
    # then a cluster's recompute reclassifies its own units only. The cap ranks every unit of the campaign.
    ranked, ranked_params = "campaign_id = %s", [campaign.pk]
    if campaign.excellent_cap_percent is not None:
        unit_count = UnitYearScore.objects.filter(campaign=campaign).count()
        allowed = int(unit_count * campaign.excellent_cap_percent / 100)
        excellent = (f"y.percent >= {_lit(campaign.excellent_min_percent)} AND "
                     f"y.excellent_place <= {allowed}")
    else:
        excellent = f"y.percent >= {_lit(campaign.excellent_min_percent)}"
        if scope.cluster_id is not None:
            ranked, ranked_params = "campaign_id = %s AND cluster_id = %s", [campaign.pk, scope.cluster_id]
    _execute(f"""
        UPDATE {uys} SET classification = r.cls, rank_in_cluster = r.rnk
        FROM (SELECT y.id, y.rnk,
                     CASE WHEN {excellent} THEN 'excellent'
                          WHEN y.percent >= {_lit(campaign.good_min_percent)} THEN 'good'
                          WHEN y.percent >= {_lit(campaign.complete_min_percent)} THEN 'completed'
                          ELSE 'not_completed' END AS cls
              FROM (SELECT id, percent,
                           RANK() OVER (PARTITION BY cluster_id ORDER BY total DESC) AS rnk,
                           ROW_NUMBER() OVER (ORDER BY percent DESC, total DESC, unit_id) AS excellent_place
                    FROM {uys} WHERE {ranked}) y) r
        WHERE {uys}.id = r.id AND ({uys}.classification <> r.cls OR {uys}.rank_in_cluster IS DISTINCT FROM r.rnk)
    """, ranked_params)
    cys, cls, cl_t = _t(ClusterYearScore), _t(ClusterScore), _t(Cluster)
    _execute(f"""
        INSERT INTO {cys} (campaign_id, cluster_id, score, completeness, period_count, rank, computed_at)
        SELECT cl.campaign_id, cl.id, COALESCE(ROUND({agg}(c.score), 3), 0), COALESCE(ROUND(AVG(c.completeness), 4), 0),
               COUNT(c.id), NULL, %s
        FROM {cl_t} cl LEFT JOIN {cls} c ON c.cluster_id = cl.id
        WHERE cl.campaign_id = %s
        GROUP BY cl.campaign_id, cl.id
        ON CONFLICT (campaign_id, cluster_id) DO UPDATE SET
            score = excluded.score, completeness = excluded.completeness, period_count = excluded.period_count,
            computed_at = excluded.computed_at
        WHERE {cys}.score <> excluded.score OR {cys}.completeness <> excluded.completeness
           OR {cys}.period_count <> excluded.period_count
    """, [now, campaign.pk])
    _execute(f"""
        UPDATE {cys} SET rank = r.rnk
        FROM (SELECT id, RANK() OVER (ORDER BY score DESC, completeness DESC) AS rnk
              FROM {cys} WHERE campaign_id = %s) r
        WHERE {cys}.id = r.id AND {cys}.rank IS DISTINCT FROM r.rnk
    """, [campaign.pk])


def _recompute(period: Period, scope: Scope) -> None:
    """All steps for one scope of a locked, open period."""
    now = timezone.now()
    if connection.vendor == "postgresql" and scope.cluster_id is None:
        # Hash the period's 600,000 cells in memory instead of spilling sorts and aggregates to disk (or
        # falling back to 600,000 index probes); for this transaction only.
        _execute(f"SET LOCAL work_mem = '{FULL_RECOMPUTE_WORK_MEM}'", [])
    facts = criteria_facts(period.campaign_id)
    _criterion_scores(period, scope, facts, now)
    _unit_scores(period, scope, facts, now)
    _cluster_scores(period, scope, facts, now)
    _rank_period(period)
    _year(period.campaign, scope, now)
    PeriodStanding.objects.update_or_create(
        period=period,
        defaults={
            "computed_at": now,
            "cluster_count": ClusterScore.objects.filter(period=period).count(),
            "unit_count": UnitScore.objects.filter(period=period).count(),
        },
    )


def period_lock(period_id: int) -> Period | None:
    """The period, row-locked for the transaction: recomputes and closing take turns.

    FOR NO KEY UPDATE, so that inserting rows that refer to the period (evidence,
    dirty flags) is not blocked by a running recompute.
    """
    return (Period.objects.select_for_update(of=("self",), no_key=True).select_related("campaign")
            .filter(pk=period_id).first())


def _clear_dirty(period_id: int, generations: dict[int, int]) -> None:
    """Clear the flags read before the recompute, unless a change came in since (its generation moved on)."""
    condition = Q()
    for cluster_id, generation in generations.items():
        condition |= Q(cluster_id=cluster_id, generation=generation)
    if generations:
        DirtyCluster.objects.filter(condition, period_id=period_id).delete()


# ---------------------------------------------------------------- entry points

def cluster_recompute(*, period_id: int, cluster_id: int) -> bool:
    """Recompute one cluster of one period, then the period's ranking and the year. Idempotent.

    Returns False (and clears the flag) when there is nothing to do: the period is
    gone or closed (its standings are frozen), or the cluster is gone.
    """
    with transaction.atomic():
        period = period_lock(period_id)
        generations = dict(DirtyCluster.objects.filter(period_id=period_id, cluster_id=cluster_id)
                           .values_list("cluster_id", "generation"))
        cluster = Cluster.objects.filter(pk=cluster_id, campaign_id=period.campaign_id).first() if period else None
        if period is None or cluster is None or period.is_closed:
            _clear_dirty(period_id, generations)
            return False
        _recompute(period, Scope(campaign_id=period.campaign_id, cluster_id=cluster_id))
        _clear_dirty(period_id, generations)
        return True


def period_recompute_locked(period: Period) -> None:
    """Recompute every cluster of a period whose row lock the caller holds (closing it uses this)."""
    generations = dict(DirtyCluster.objects.filter(period_id=period.pk).values_list("cluster_id", "generation"))
    _recompute(period, Scope(campaign_id=period.campaign_id))
    _clear_dirty(period.pk, generations)


def period_recompute(*, period_id: int) -> bool:
    """Recompute every cluster of an open period. Idempotent; False for a closed or missing period."""
    with transaction.atomic():
        period = period_lock(period_id)
        if period is None or period.is_closed:
            DirtyCluster.objects.filter(period_id=period_id).delete()
            return False
        period_recompute_locked(period)
        return True


def dirty_recompute() -> int:
    """Recompute everything still flagged dirty (the periodic sweep); returns the number of recomputes run."""
    runs = 0
    for period_id in DirtyCluster.objects.values_list("period_id", flat=True).distinct().order_by("period_id"):
        cluster_ids = list(DirtyCluster.objects.filter(period_id=period_id).values_list("cluster_id", flat=True))
        total = Cluster.objects.filter(campaign__periods=period_id).count() or 1
        if len(cluster_ids) >= max(2, FULL_RECOMPUTE_SHARE * total):
            period_recompute(period_id=period_id)
            runs += 1
            continue
        for cluster_id in cluster_ids:
            cluster_recompute(period_id=period_id, cluster_id=cluster_id)
            runs += 1
    return runs


def scores_mark_dirty(*, period: Period, cluster_ids: Iterable[int]) -> None:
    """Flag clusters of a period for recompute, in the caller's transaction, and enqueue the recompute on commit.

    The flag is the durable part: if the task is lost (broker down, worker killed)
    the periodic sweep ``scoring.tasks.recompute_dirty`` finds it.
    """
    cluster_ids = sorted(set(cluster_ids))
    if not cluster_ids or period.is_closed:
        return
    dirty = _t(DirtyCluster)
    now = timezone.now()
    for cluster_id in cluster_ids:
        _execute(f"""
            INSERT INTO {dirty} (campaign_id, period_id, cluster_id, generation, marked_at) VALUES (%s, %s, %s, 1, %s)
            ON CONFLICT (period_id, cluster_id) DO UPDATE SET generation = {dirty}.generation + 1,
                marked_at = excluded.marked_at
        """, [period.campaign_id, period.pk, cluster_id, now])
    from . import tasks

    if len(cluster_ids) == 1:
        enqueue_on_commit(tasks.recompute_cluster, period.pk, cluster_ids[0])
    else:
        enqueue_on_commit(tasks.recompute_period, period.pk)


def scores_mark_unit_dirty(*, period: Period, unit_id: int) -> None:
    """Flag the cluster of a unit (if it is in one) for a period's recompute."""
    cluster_ids = ClusterMember.objects.filter(campaign_id=period.campaign_id, unit_id=unit_id).values_list(
        "cluster_id", flat=True)
    scores_mark_dirty(period=period, cluster_ids=list(cluster_ids))


def campaign_mark_dirty(*, campaign: Campaign) -> None:
    """Flag every open period of a campaign (criteria or clusters changed)."""
    cluster_ids = list(Cluster.objects.filter(campaign=campaign).values_list("pk", flat=True))
    for period in Period.objects.filter(campaign=campaign, status=Period.Status.OPEN):
        scores_mark_dirty(period=period, cluster_ids=cluster_ids)

