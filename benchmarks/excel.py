"""Excel benchmark: the house-style export and the validated import against bare openpyxl loops.

Prints one JSON line:
  {"bench": "excel", "export_rows": 100000, "export_s", "export_floor_s", "export_ratio",
   "import_rows": 10000, "import_s", "import_floor_s", "import_ratio",
   "export_peak_mb_10k", "export_peak_mb_100k", "export_peak_ratio"}

export_s: the evidence register of 100,000 rows, read from PostgreSQL and written
in write-only mode with the house style. export_floor_s: a bare write-only loop
appending the same cell values (already in memory). import_s: the targets and
allocations import of 10,000 allocation rows, read-only parsing, every row
through its form, cross-row checks and the write. import_floor_s: a bare
read-only loop over the same cells. Peaks are the maximum RSS of a fresh
process exporting 10,000 and 100,000 rows. Uses its own database,
<DATABASE_URL's database>_bench_excel, dropped and created again on each run.
"""

import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
DB_SUFFIX = "bench_excel"
UNITS = 1000
CRITERIA = 100
SMALL_UNITS = 100
EXPORT_ROWS = UNITS * CRITERIA
IMPORT_TARGETS = 10
IMPORT_ROWS = IMPORT_TARGETS * UNITS


def _database_url() -> str:
    # Named after DATABASE_URL's database, so benchmarks run from two worktrees never drop each other's.
    # The --peak child inherits the benchmark's own URL: keep it as it is.
    base = urlparse(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/thidua"))
    name = base.path.lstrip("/") or "thidua"
    if not name.endswith(f"_{DB_SUFFIX}"):
        name = f"{name}_{DB_SUFFIX}"
    return urlunparse(base._replace(path=f"/{name}"))


def _setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "emulation.settings")
    os.environ.pop("REDIS_URL", None)  # no broker needed: exports here run in-process
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _recreate_database(url: str) -> None:
    import psycopg2

    name = urlparse(url).path.lstrip("/")
    connection = psycopg2.connect(urlunparse(urlparse(url)._replace(path="/postgres")))
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def _seed() -> dict:
    from datetime import date, datetime, timedelta
    from decimal import Decimal
    from zoneinfo import ZoneInfo

    from django.core.management import call_command

    from accounts.models import Unit, User
    from campaigns.models import Campaign, Cluster, ClusterMember, Criterion, Period
    from evidence.models import Evidence, EvidenceFile

    call_command("migrate", verbosity=0)
    district = Unit.objects.create(code="HD", name="Huyện đoàn Thử nghiệm", level=Unit.Level.DISTRICT)
    reviewer = User.objects.create(username="reviewer", full_name="Nguyễn Thẩm Định", unit=district,
                                   role=User.Role.OFFICE)
    units = []
    for index in range(UNITS):
        unit = Unit(code=f"GR-{index:04d}", name=f"Đoàn xã Thử nghiệm số {index}", level=Unit.Level.GRASSROOTS,
                    parent=district, path="", depth=1)
        units.append(unit)
    Unit.objects.bulk_create(units)
    for unit in units:
        unit.path = f"{district.path}{unit.pk}/"
    Unit.objects.bulk_update(units, ["path"])
    ict = ZoneInfo("Asia/Ho_Chi_Minh")
    campaigns = {}
    for key, unit_count in (("big", UNITS), ("small", SMALL_UNITS)):
        campaign = Campaign.objects.create(issuing_unit=district, number=f"{key}-KH/ĐTN",
                                           title=f"Phong trào thi đua năm 2024 ({key})",
                                           start_date=date(2024, 1, 1), end_date=date(2024, 12, 31),
                                           status=Campaign.Status.LAUNCHED)
        period = Period.objects.create(campaign=campaign, name="Quý II", order=2, start_date=date(2024, 4, 1),
                                       end_date=date(2024, 6, 30), deadline=datetime(2024, 6, 10, 23, 59, tzinfo=ict))
        clusters = [Cluster.objects.create(campaign=campaign, name=f"Cụm thi đua số {n + 1}", order=n + 1)
                    for n in range(10)]
        ClusterMember.objects.bulk_create([
            ClusterMember(campaign=campaign, cluster=clusters[i % 10], unit=unit)
            for i, unit in enumerate(units[:unit_count])])
        criteria = Criterion.objects.bulk_create([
            Criterion(campaign=campaign, code=f"I.{n + 1}", title=f"Tiêu chí thử nghiệm số {n + 1} về công tác Đoàn",
                      max_points=Decimal("10"), method=Criterion.Method.JUDGEMENT, order=n)
            for n in range(CRITERIA)])
        submitted = datetime(2024, 6, 9, 14, 5, tzinfo=ict)
        evidence = [
            Evidence(campaign=campaign, period=period, unit=unit, criterion=criterion,
                     status=Evidence.Status.ACCEPTED, self_score=Decimal("9.00"), score=Decimal("8.50"),
                     reviewed_by=reviewer, reviewed_at=submitted + timedelta(days=2), submitted_at=submitted,
                     submitted_by=reviewer)
            for unit in units[:unit_count] for criterion in criteria]
        Evidence.objects.bulk_create(evidence, batch_size=5000)
        EvidenceFile.objects.bulk_create([
            EvidenceFile(evidence=item, file=f"evidence/2024/06/{item.pk}.pdf", original_name="bien-ban.pdf",
                         size=1000, content_type="application/pdf", sha256=f"{item.pk:064x}")
            for item in evidence[::10]], batch_size=5000)
        campaigns[key] = campaign.pk
    import_campaign = Campaign.objects.create(issuing_unit=district, number="nhap-KH/ĐTN", title="Phong trào nhập",
                                              start_date=date(2024, 1, 1), end_date=date(2024, 12, 31))
    campaigns["import"] = import_campaign.pk
    admin = User.objects.create(username="admin", full_name="Quản trị", unit=district, role=User.Role.ADMIN)
    campaigns["admin"] = admin.pk
    return campaigns


def _export_register(campaign_id: int, target) -> None:
    from campaigns.models import Campaign
    from reports.exports.tables import EvidenceRegister
    from reports.services import export_write

    export_write(export=EvidenceRegister(campaign=Campaign.objects.get(pk=campaign_id)), target=target)


def _register_values(campaign_id: int) -> list[list]:
    """The cells the register writes, collected once (untimed) for the floor loop."""
    from datetime import datetime

    from django.utils import timezone

    from campaigns.models import Campaign
    from reports.exports.tables import EvidenceRegister

    zone = timezone.get_current_timezone()
    export = EvidenceRegister(campaign=Campaign.objects.get(pk=campaign_id))
    return [[value.astimezone(zone).replace(tzinfo=None) if isinstance(value, datetime) else value for value in row]
            for row in export.rows()]


def _bench_export(campaign_id: int, expected: int = EXPORT_ROWS) -> tuple[float, float]:
    from openpyxl import Workbook

    rows = _register_values(campaign_id)
    assert len(rows) == expected, len(rows)
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Minh chứng")
        for row in rows:
            sheet.append(row)
        workbook.save(Path(folder) / "floor.xlsx")
        floor = time.perf_counter() - started
        del rows
        started = time.perf_counter()
        _export_register(campaign_id, str(Path(folder) / "export.xlsx"))
        export = time.perf_counter() - started
    return export, floor


def _import_file() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    targets = workbook.create_sheet("Chỉ tiêu")
    targets.append(["Mã chỉ tiêu", "Tên chỉ tiêu", "Đơn vị tính", "Loại", "Tổng chỉ tiêu", "Ghi chú"])
    for n in range(IMPORT_TARGETS):
        targets.append([f"CT{n + 1}", f"Chỉ tiêu thử nghiệm {n + 1}", "lượt", "Số lượng", 100000, ""])
    allocations = workbook.create_sheet("Phân bổ")
    allocations.append(["Mã chỉ tiêu", "Mã đơn vị", "Số lượng"])
    for n in range(IMPORT_TARGETS):
        for index in range(UNITS):
            allocations.append([f"CT{n + 1}", f"GR-{index:04d}", 100 + index % 50])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _bench_import(campaign_id: int, admin_id: int) -> tuple[float, float]:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import load_workbook

    from accounts.models import User
    from campaigns.models import Campaign
    from reports.imports.base import import_run
    from reports.imports.kinds import TargetImporter

    content = _import_file()
    started = time.perf_counter()
    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    cells = 0
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(values_only=True):
            for value in row:
                if value is not None:
                    cells += 1
    workbook.close()
    floor = time.perf_counter() - started
    user = User.objects.get(pk=admin_id)
    campaign = Campaign.objects.get(pk=campaign_id)
    started = time.perf_counter()
    result = import_run(importer=TargetImporter(user=user, campaign=campaign),
                        upload=SimpleUploadedFile("phan-bo.xlsx", content))
    elapsed = time.perf_counter() - started
    assert result.applied and result.counts["Phân bổ"].created == IMPORT_ROWS, result.errors[:5]
    return elapsed, floor


def _peak_child(campaign_id: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        _export_register(campaign_id, str(Path(folder) / "export.xlsx"))
    # VmHWM is this process's own high-water mark; ru_maxrss would carry the
    # parent's peak across fork and exec on Linux.
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                print(int(line.split()[1]))
                return
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _peak_mb(campaign_id: int) -> float:
    output = subprocess.run(
        [sys.executable, __file__, "--peak", str(campaign_id)], check=True, capture_output=True, text=True,
        env={**os.environ, "DATABASE_URL": _database_url()},
    ).stdout.strip().splitlines()[-1]
    return round(int(output) / 1024, 1)


def main() -> None:
    url = _database_url()
    if len(sys.argv) == 3 and sys.argv[1] == "--peak":
        _setup_django(url)
        _peak_child(int(sys.argv[2]))
        return
    _recreate_database(url)
    _setup_django(url)
    ids = _seed()
    export_s, export_floor_s = _bench_export(ids["big"])
    import_s, import_floor_s = _bench_import(ids["import"], ids["admin"])
    peak_small, peak_big = _peak_mb(ids["small"]), _peak_mb(ids["big"])
    from django.db import connections

    connections.close_all()
    print(json.dumps({
        "bench": "excel",
        "export_rows": EXPORT_ROWS,
        "export_s": round(export_s, 3),
        "export_floor_s": round(export_floor_s, 3),
        "export_ratio": round(export_s / export_floor_s, 2),
        "import_rows": IMPORT_ROWS,
        "import_s": round(import_s, 3),
        "import_floor_s": round(import_floor_s, 3),
        "import_ratio": round(import_s / import_floor_s, 2),
        "export_peak_mb_10k": peak_small,
        "export_peak_mb_100k": peak_big,
        "export_peak_ratio": round(peak_big / peak_small, 2),
    }))


if __name__ == "__main__":
    main()
