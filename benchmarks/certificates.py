"""Benchmark: render a decision's certificates as the batch job does (one PDF + a zip).

    python benchmarks/certificates.py            # n=100 and n=500, each in a fresh process

Prints one JSON line:
    {"bench": "certificates", "n": 500, "per_cert_ms": …, "floor_per_page_ms": …, "ratio": …,
     "peak_rss_mb": …, "peak_rss_mb_n100": …, "rss_growth": …, …}

* per_cert_ms: wall time of the whole job (render, storage, DB progress rows, pdfunite, zip) / n.
* floor_per_page_ms: WeasyPrint rendering a minimal one-page A4 HTML with the same font, in the same
  warm process — what one page costs at the least. Goal: ratio ≤ 5.
* peak_rss_mb: the worker process's peak resident memory for n=500; peak_rss_mb_n100 for n=100 in
  another fresh process; goal rss_growth ≤ 1.2. (pdfunite, which joins the chunks, is a child process
  with its own memory, not counted here.)

Uses its own PostgreSQL database bench_certificates (server from DATABASE_URL if set) and a
temporary MEDIA_ROOT; both are removed at the end.
"""

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "bench_certificates"
SIZES = (100, 500)


def _database_url() -> str:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/thidua")
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/{DB_NAME}"))


def _admin_connection():
    import psycopg2

    parts = urlsplit(_database_url())
    connection = psycopg2.connect(host=parts.hostname, port=parts.port or 5432, user=parts.username or "postgres",
                                  password=parts.password, dbname="postgres")
    connection.autocommit = True
    return connection


def _admin_sql(*statements: str) -> None:
    connection = _admin_connection()
    try:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    finally:
        connection.close()


def _django(media_root: str) -> None:
    os.environ["DATABASE_URL"] = _database_url()
    os.environ["MEDIA_ROOT"] = media_root
    os.environ.pop("REDIS_URL", None)
    # As a production worker runs: no DEBUG (which would keep every SQL query in memory).
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "benchmark-only-" + "x" * 40)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "emulation.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def prepare(media_root: str) -> dict[int, int]:
    """Create the database and one issued decision per size; return {n: decision id}."""
    _admin_sql(f'DROP DATABASE IF EXISTS "{DB_NAME}"', f'CREATE DATABASE "{DB_NAME}"')
    _django(media_root)
    from datetime import date

    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from accounts.models import Unit, User
    from awards.models import Award, AwardDecision, AwardForm
    from awards.services import decision_issue, verification_code_new
    from campaigns.models import Campaign

    office = Unit.objects.create(code="HD-BENCH", name="Huyện đoàn Giồng Riềng", level="district")
    user = User.objects.create(username="bench", role="office", unit=office)
    campaign = Campaign.objects.create(issuing_unit=office, number="18-KH/ĐTN", title="Phong trào thi đua 2024",
                                       start_date=date(2024, 1, 1), end_date=date(2024, 12, 31))
    form = AwardForm.objects.create(name="Giấy khen", issuer_unit=office, amount=500_000,
                                    issuer_name="Ban Thường vụ Huyện đoàn Giồng Riềng")
    decisions = {}
    for n in SIZES:
        decision = AwardDecision.objects.create(campaign=campaign, issuer_unit=office,
                                                issuer_name="Ban Thường vụ Huyện đoàn Giồng Riềng",
                                                title="Về việc khen thưởng", place="Giồng Riềng")
        Award.objects.bulk_create(
            Award(decision=decision, award_form=form, recipient_kind="person", order=i,
                  person_name=f"Nguyễn Thị Hồng Nhung {i}", recipient_name=f"Nguyễn Thị Hồng Nhung {i}",
                  person_unit_name="Đoàn xã Bàn Tân Định", code=verification_code_new(),
                  reason="Đã có thành tích xuất sắc trong công tác Đoàn và phong trào thanh thiếu nhi năm 2024")
            for i in range(1, n + 1)
        )
        decision_issue(decision=decision, user=user, number=f"{n}-QĐ/ĐTN", date=date(2024, 12, 20),
                       place="Giồng Riềng", signer_title="TM. BAN THƯỜNG VỤ HUYỆN ĐOÀN / PHÓ BÍ THƯ",
                       signer_name="Võ Văn An")
        decisions[n] = decision.pk
    from django.db import connections

    connections.close_all()
    return decisions


FLOOR_HTML = """<!doctype html><html lang="vi"><head><meta charset="utf-8"><style>
@page { size: A4; margin: 20mm; } body { font-family: "Times New Roman", "Liberation Serif", serif; }
</style></head><body><p>Giấy khen</p></body></html>"""


def measure(n: int, decision_id: int, media_root: str) -> dict:
    """In a fresh process: the warm floor, then the whole job for the decision."""
    _django(media_root)
    import io

    from weasyprint import HTML

    from awards.batch import certificates_job_run
    from awards.documents import SafeURLFetcher
    from core.models import Job

    HTML(string=FLOOR_HTML, url_fetcher=SafeURLFetcher()).write_pdf(io.BytesIO())  # warm up
    rounds = 20
    started = time.perf_counter()
    for _ in range(rounds):
        HTML(string=FLOOR_HTML, url_fetcher=SafeURLFetcher()).write_pdf(io.BytesIO())
    floor_ms = (time.perf_counter() - started) * 1000 / rounds

    job = Job.objects.create(kind="award_certificates", total=n, params={"decision_id": decision_id})
    started = time.perf_counter()
    job = certificates_job_run(job=job)
    elapsed_ms = (time.perf_counter() - started) * 1000
    assert job.status == "done" and job.done == n, (job.status, job.done)
    return {
        "n": n,
        "per_cert_ms": round(elapsed_ms / n, 1),
        "floor_per_page_ms": round(floor_ms, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "output_mb": round(job.output.size / 1024 / 1024, 2),
    }


def main() -> None:
    if len(sys.argv) == 5 and sys.argv[1] == "--measure":
        print(json.dumps(measure(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])))
        return
    media_root = tempfile.mkdtemp(prefix="bench-certificates-")
    try:
        decisions = prepare(media_root)
        results = {}
        for n in SIZES:
            out = subprocess.run([sys.executable, __file__, "--measure", str(n), str(decisions[n]), media_root],
                                 check=True, capture_output=True, text=True, cwd=ROOT, timeout=600)
            results[n] = json.loads(out.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(media_root, ignore_errors=True)
        try:
            _admin_sql(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        except Exception as exc:  # noqa: BLE001 - cleanup must not hide the result
            print(f"could not drop {DB_NAME}: {exc}", file=sys.stderr)
    big, small = results[500], results[100]
    print(json.dumps({
        "bench": "certificates",
        "n": 500,
        "per_cert_ms": big["per_cert_ms"],
        "floor_per_page_ms": big["floor_per_page_ms"],
        "ratio": round(big["per_cert_ms"] / big["floor_per_page_ms"], 2),
        "peak_rss_mb": big["peak_rss_mb"],
        "peak_rss_mb_n100": small["peak_rss_mb"],
        "rss_growth": round(big["peak_rss_mb"] / small["peak_rss_mb"], 3),
        "per_cert_ms_n100": small["per_cert_ms"],
        "output_mb": big["output_mb"],
    }))


if __name__ == "__main__":
    main()
