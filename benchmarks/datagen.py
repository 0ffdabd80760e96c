"""Data generator: a national-scale campaign, written with bulk INSERT … SELECT (no ORM loop).

10,000 grassroots units in 700 clusters (a leader and a deputy each), one
quarter, a criteria set of 6 sections × 10 criteria (judgement, done / not
done and quantity; one bonus and one penalty criterion per section), one
accepted evidence per unit × criterion (600,000 rows) with a score and a
quantity, and a dossier for most clusters.
"""

UNITS = 10_000
CLUSTERS = 700
SECTIONS = 6
PER_SECTION = 10


def national_campaign(cursor, *, units: int = UNITS, clusters: int = CLUSTERS) -> dict:
    """Fill the database; return {"campaign", "period", "office_user"} ids."""
    cursor.execute(
        "INSERT INTO accounts_unit (code, name, level, path, depth, member_count, email, is_active) "
        "VALUES ('TW', 'Trung ương Đoàn (bench)', 'province', '', 0, 0, '', true) RETURNING id"
    )
    root = cursor.fetchone()[0]
    cursor.execute("UPDATE accounts_unit SET path = '/' || id || '/' WHERE id = %s", [root])
    cursor.execute(
        "INSERT INTO accounts_unit (code, name, level, parent_id, path, depth, member_count, email, is_active) "
        "SELECT 'N-' || i, 'Đoàn cơ sở ' || i, 'grassroots', %s, '', 1, 50, '', true "
        "FROM generate_series(1, %s) i", [root, units],
    )
    cursor.execute("UPDATE accounts_unit u SET path = '/' || %s || '/' || u.id || '/' WHERE u.parent_id = %s",
                   [root, root])
    cursor.execute(
        "INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name, email, is_staff, "
        "is_active, date_joined, full_name, position, unit_id, role, phone) "
        "VALUES ('!', false, 'bench-office', '', '', '', false, true, now(), 'Văn phòng', '', %s, 'office', '') "
        "RETURNING id", [root],
    )
    office_user = cursor.fetchone()[0]
    cursor.execute(
        "INSERT INTO campaigns_campaign (issuing_unit_id, number, title, theme, legal_basis, purpose, start_date, "
        "end_date, place, signer_title, signer_name, status, year_aggregation, cluster_score_method, "
        "excellent_min_percent, good_min_percent, complete_min_percent, created_at) "
        "VALUES (%s, '1-KH/BENCH', 'Thi đua toàn quốc (bench)', '', '', '', '2024-01-01', '2024-12-31', '', '', '', "
        "'launched', 'sum', 'average_percent', 90, 70, 50, now()) RETURNING id", [root],
    )
    campaign = cursor.fetchone()[0]
    cursor.execute(
        "INSERT INTO campaigns_period (campaign_id, name, kind, \"order\", start_date, end_date, deadline, status) "
        "VALUES (%s, 'Quý II', 'quarter', 2, '2024-04-01', '2024-06-30', '2024-07-10 16:59:59+00', 'open') "
        "RETURNING id", [campaign],
    )
    period = cursor.fetchone()[0]
    cursor.execute(
        "INSERT INTO campaigns_criterion (campaign_id, parent_id, code, title, kind, max_points, method, category, "
        "evidence_required, target_quantity, \"order\") "
        "SELECT %s, NULL, 'S' || s, 'Phần ' || s, 'section', 0, 'judgement', 'base', '', NULL, s * 100 "
        "FROM generate_series(1, %s) s", [campaign, SECTIONS],
    )
    cursor.execute(
        "INSERT INTO campaigns_criterion (campaign_id, parent_id, code, title, kind, max_points, method, category, "
        "evidence_required, target_quantity, \"order\") "
        "SELECT %s, p.id, p.code || '.' || k, 'Tiêu chí ' || p.code || '.' || k, 'criterion', "
        "CASE WHEN k = 10 THEN 5 ELSE 2 + k %% 4 END, "
        "CASE WHEN k %% 3 = 0 THEN 'binary' WHEN k %% 3 = 1 THEN 'judgement' ELSE 'quantity' END, "
        "CASE WHEN k = 9 THEN 'bonus' WHEN k = 10 THEN 'penalty' ELSE 'base' END, '', "
        "CASE WHEN k %% 3 = 2 THEN 20 END, p.\"order\" + k "
        "FROM campaigns_criterion p CROSS JOIN generate_series(1, %s) k WHERE p.campaign_id = %s",
        [campaign, PER_SECTION, campaign],
    )
    cursor.execute(
        "INSERT INTO campaigns_cluster (campaign_id, name, \"order\") "
        "SELECT %s, 'Cụm ' || c, c FROM generate_series(1, %s) c", [campaign, clusters],
    )
    cursor.execute(
        "INSERT INTO campaigns_clustermember (campaign_id, cluster_id, unit_id) "
        "SELECT %s, cl.id, u.id FROM accounts_unit u "
        "JOIN campaigns_cluster cl ON cl.campaign_id = %s AND cl.\"order\" = 1 + (u.id %% %s) "
        "WHERE u.parent_id = %s", [campaign, campaign, clusters, root],
    )
    cursor.execute(
        "UPDATE campaigns_cluster cl SET leader_unit_id = m.first, deputy_unit_id = m.second "
        "FROM (SELECT cluster_id, MIN(unit_id) AS first, MAX(unit_id) AS second FROM campaigns_clustermember "
        "GROUP BY cluster_id) m WHERE m.cluster_id = cl.id"
    )
    cursor.execute(
        "INSERT INTO evidence_evidence (campaign_id, period_id, unit_id, criterion_id, status, note, links, quantity, "
        "self_score, score, review_remark, reviewed_by_id, reviewed_at, submitted_at, created_at, updated_at, "
        "version) "
        "SELECT %s, %s, m.unit_id, c.id, 'accepted', '', '[]', (m.unit_id + c.id) %% 25, c.max_points, "
        "round(c.max_points * ((m.unit_id * 7 + c.id * 3) %% 5) / 4.0 * 4) / 4, '', %s, now(), now(), now(), "
        "now(), 1 "
        "FROM campaigns_clustermember m CROSS JOIN campaigns_criterion c "
        "WHERE m.campaign_id = %s AND c.campaign_id = %s AND c.kind = 'criterion'",
        [campaign, period, office_user, campaign, campaign],
    )
    cursor.execute(
        "INSERT INTO evidence_dossiersubmission (cluster_id, period_id, submitted_by_id, submitted_at, on_time, "
        "snapshot, evidence_count, file_count) "
        "SELECT cl.id, %s, NULL, '2024-07-01 00:00:00+00'::timestamptz + (cl.\"order\" * interval '13 minutes'), "
        "cl.\"order\" %% 10 <> 0, '{}', 0, 0 FROM campaigns_cluster cl "
        "WHERE cl.campaign_id = %s AND cl.\"order\" %% 7 <> 0", [period, campaign],
    )
    return {"campaign": campaign, "period": period, "office_user": office_user}
