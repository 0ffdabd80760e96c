"""Writes of evidence lock only their own rows: the evidence (and, for files, the unit, without its key).

Locking the period or campaign row (what ``select_for_update()`` does to every table the default ordering or
``select_related`` joins) made all uploads of all units queue on one row, and deadlock at commit with the
foreign-key checks of concurrent reviews and uploads (found by benchmarks/load.py).
"""

import psycopg2
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evidence.services import evidence_add_files, evidence_remove_file, evidence_save_draft, evidence_submit

from .factories import build_world, pdf_bytes, upload


def _locking(queries) -> list[str]:
    return [q["sql"] for q in queries if " FOR UPDATE" in q["sql"] or " FOR NO KEY UPDATE" in q["sql"]]


@pytest.mark.django_db
def test_evidence_services_lock_only_the_evidence_row_and_the_unit_without_its_key(world):
    with CaptureQueriesContext(connection) as queries:
        evidence = evidence_save_draft(user=world.staff, period=world.period, criterion=world.criteria[0],
                                       note="Biên bản", uploads=[upload("a.pdf", pdf_bytes())])
        evidence_save_draft(user=world.staff, period=world.period, criterion=world.criteria[0], note="Biên bản 2",
                            uploads=[upload("b.pdf", pdf_bytes())])
        evidence_add_files(evidence=evidence, user=world.staff, uploads=[upload("c.pdf", pdf_bytes())])
        evidence_remove_file(evidence_file=evidence.files.order_by("pk").last(), user=world.staff)
        evidence_submit(evidence=evidence, user=world.staff)
    locking = _locking(queries)
    assert len(locking) == 8
    for sql in locking:
        assert sql.endswith('FOR UPDATE OF "evidence_evidence"') or (
            sql.startswith('SELECT "accounts_unit"') and "JOIN" not in sql and sql.endswith("FOR NO KEY UPDATE")
        ), sql


@pytest.mark.django_db(transaction=True)
def test_an_upload_does_not_wait_for_transactions_that_refer_to_its_period_campaign_or_unit():
    world = build_world()
    db = connection.settings_dict
    other = psycopg2.connect(dbname=db["NAME"], user=db["USER"], host=db["HOST"], port=db["PORT"])
    try:
        with other.cursor() as cursor:  # what another transaction's foreign-key checks hold until it commits
            for table, pk in (("campaigns_period", world.period.pk), ("campaigns_campaign", world.campaign.pk),
                              ("accounts_unit", world.unit.pk)):
                cursor.execute(f"SELECT id FROM {table} WHERE id = %s FOR KEY SHARE", [pk])
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")
        evidence = evidence_save_draft(user=world.staff, period=world.period, criterion=world.criteria[0],
                                       uploads=[upload("a.pdf", pdf_bytes())])
        evidence_submit(evidence=evidence, user=world.staff)
    finally:
        other.rollback()
        other.close()
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = 0")
    assert evidence.files.count() == 1
