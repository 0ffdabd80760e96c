"""Benchmark: the portal under load, on loopback — gunicorn with the production settings, PostgreSQL, Redis and
a real Celery worker; 50 simulated users for 60 s.

Set-up, all of it the benchmark's own and removed afterwards (BENCH_KEEP=1 keeps the database):
- the database ``<DATABASE_URL's name>_bench_load`` (server and credentials from DATABASE_URL), migrated and
  seeded: a district office with one reviewer, a campaign with one open quarter and 30 criteria, 50 grassroots
  units in 10 clusters (one staff user each; the first unit of each cluster leads it) and 500 submitted
  evidence to review;
- a redis-server of its own on a free port (no persistence), so that no one's Redis database is flushed or
  filled; REDIS_URL is used only if redis-server is not installed;
- ``collectstatic`` with hashed names, as the Docker image builds it;
- gunicorn with ``deploy/gunicorn.conf.py`` (2 × cores + 1 workers, 2 threads each) bound to 127.0.0.1 and one
  Celery worker (thumbnails, recomputes), both with the production environment: DEBUG=false, a random
  SECRET_KEY, ALLOWED_HOSTS=127.0.0.1, and — loopback HTTP, no TLS proxy in front — SECURE_SSL_REDIRECT=false
  and SECURE_COOKIES=false (environment switches of emulation/settings.py).

Phases, each with 50 threads (one per user, no think time, one kept-alive connection each):
- hello (10 s, after 3 s of warm-up while the workers boot): GET /livez, the trivial view (no database, no
  broker) → ``hello_rps``;
- mix (60 s): 70 % page views (home, the unit's quarter, an evidence form, an evidence page, the cluster
  matrix for leaders), 20 % evidence uploads of one 1–3 MB PDF or JPEG (real content, accepted by the checks)
  and 10 % reviews by the office reviewer → ``requests``, ``errors`` (status ≥ 400 or no answer), ``p50_ms``,
  ``p95_ms``, ``mix_rps``, ``ratio`` = mix_rps / hello_rps.
  A review is the review page (``scoring_review``: GET, then POST decision, score, remark, version) when the
  tree has it. Until then it is the evidence page as the reviewer (GET, counted) followed by the review
  service ``scoring.services.evidence_review`` called from the load process on the same database and broker
  (not counted as a request): the same row locks, audit entries, dirty flags and recomputes on the worker.
- ``uploads_acknowledged``: uploads answered with the redirect of a saved draft; ``uploads_stored``: those
  whose EvidenceFile row exists and whose stored file has the SHA-256 of the bytes sent (and the row says so).

Per-kind latencies, the set-up and the CPU seconds each part spent per phase (load generator, gunicorn,
the Celery worker, PostgreSQL, the whole machine) are written to benchmarks/output/load.json.

    python benchmarks/load.py [--users 50] [--seconds 60] [--hello-seconds 10]
"""

import argparse
import contextlib
import hashlib
import io
import json
import os
import random
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from http.client import HTTPConnection, RemoteDisconnected
from pathlib import Path

from common import ROOT, bench_database

DB_SUFFIX = "bench_load"
BIN = Path(sys.executable).parent
OUTPUT = ROOT / "benchmarks" / "output"
UPLOAD_CRITERIA = 20
REVIEW_CRITERIA = 10
CLUSTERS = 10


def database_name() -> str:
    """Named after DATABASE_URL's database, so load runs from two worktrees never drop each other's."""
    from urllib.parse import urlsplit

    name = urlsplit(os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/thidua").path.lstrip("/")
    name = name or "thidua"
    return name if name.endswith(f"_{DB_SUFFIX}") else f"{name}_{DB_SUFFIX}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):  # not listening yet: look again shortly
            if condition():
                return
        time.sleep(0.2)
    raise SystemExit(f"{what} did not start")


# ---------------------------------------------------------------- files a phone would send

def noisy_jpeg(megabytes: float, seed: int) -> bytes:
    """A real JPEG photo of about ``megabytes`` (noise does not compress)."""
    from PIL import Image

    rng = random.Random(seed)
    target = megabytes * 1024 * 1024
    side = int(target ** 0.5)
    for _ in range(2):  # noise costs about a byte a pixel at this quality; one correction lands within a few %
        out = io.BytesIO()
        Image.frombytes("RGB", (side, side), rng.randbytes(side * side * 3)).save(out, "JPEG", quality=90)
        side = int(side * (target / out.tell()) ** 0.5)
    return out.getvalue()


def scanned_pdf(megabytes: float, seed: int) -> bytes:
    """A real one-page PDF holding a scanned page (a JPEG image), of about ``megabytes``."""
    from PIL import Image

    out = io.BytesIO()
    with Image.open(io.BytesIO(noisy_jpeg(megabytes, seed))) as image:
        image.save(out, "PDF", resolution=150, quality=90)  # re-encoded at the photo's quality
    return out.getvalue()


def upload_pool() -> list[tuple[str, str, bytes, str]]:
    """(extension, content type, bytes, sha256) of six files from 1 to 3 MB."""
    pool = []
    for n, megabytes in enumerate([1.2, 2.0, 2.8]):
        for extension, content_type, make in (("jpg", "image/jpeg", noisy_jpeg), ("pdf", "application/pdf",
                                                                                   scanned_pdf)):
            data = make(megabytes, n)
            assert 1024 * 1024 <= len(data) <= 3 * 1024 * 1024, (extension, len(data))
            pool.append((extension, content_type, data, hashlib.sha256(data).hexdigest()))
    return pool


# ---------------------------------------------------------------- HTTP as a browser does it

class Answer:
    __slots__ = ("status", "body", "headers")

    def __init__(self, status: int, body: bytes, headers):
        self.status, self.body, self.headers = status, body, headers


class Browser:
    """One user's cookies and one kept-alive connection, as a browser (or the reverse proxy) holds.

    A request that fails on a reused connection before any answer (the server closed it: keep-alive timeout,
    a worker recycled by ``max_requests``) is sent again on a new one, as browsers do; the server had not
    read it.
    """

    def __init__(self, port: int, cookies: dict[str, str]):
        self.port = port
        self.cookies = dict(cookies)
        self.http: HTTPConnection | None = None

    def request(self, method: str, path: str, body: bytes | None = None, content_type: str | None = None) -> Answer:
        headers = {"Host": f"127.0.0.1:{self.port}",
                   "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if content_type:
            headers["Content-Type"] = content_type
        for attempt in (1, 2):
            reused = self.http is not None
            if self.http is None:
                self.http = HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self.http.request(method, path, body=body, headers=headers)
                response = self.http.getresponse()
                answer = Answer(response.status, response.read(), response.headers)
            except (ConnectionResetError, BrokenPipeError, RemoteDisconnected):
                self.close()
                if reused and attempt == 1:
                    continue
                raise
            except OSError:
                self.close()
                raise
            self.keep_cookies(response.headers.get_all("Set-Cookie") or [])
            if response.will_close:
                self.close()
            return answer
        raise AssertionError("unreachable")

    def keep_cookies(self, headers: list[str]) -> None:
        """Store the cookies a response sets (the CSRF cookie of a form page, the messages after a POST) and
        forget those it expires, as a browser does."""
        for header in headers:
            name, _, rest = header.partition("=")
            value, _, attributes = rest.partition(";")
            if value in ('""', "") or "max-age=0" in attributes.lower().replace(" ", ""):
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value

    def close(self) -> None:
        if self.http is not None:
            self.http.close()
            self.http = None


TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION = re.compile(rb'name="version" value="(\d+)"')


def multipart(token: str, files: list[tuple[str, str, bytes]], fields: dict[str, str]) -> tuple[bytes, str]:
    """The evidence form as the browser sends it: the CSRF token, the files, then the other fields."""
    boundary = "----bench" + uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{token}\r\n'
             .encode()]
    for name, content_type, data in files:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
                     f"Content-Type: {content_type}\r\n\r\n".encode() + data + b"\r\n")
    for key, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode())
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def urlencoded(fields: dict[str, str]) -> bytes:
    from urllib.parse import urlencode

    return urlencode(fields).encode()


# ---------------------------------------------------------------- the world under load

def seed() -> dict:
    from datetime import date, timedelta
    from decimal import Decimal

    from django.test import Client
    from django.utils import timezone

    from accounts.models import Unit, User
    from campaigns.deadlines import end_of_day_ict
    from campaigns.models import Campaign, Cluster, ClusterMember, Criterion, Period
    from evidence.models import Evidence
    from scoring import compute

    office_unit = Unit.objects.create(code="HD-LOAD", name="Huyện đoàn đo tải", level=Unit.Level.DISTRICT)
    reviewer = User.objects.create(username="load-reviewer", full_name="Cán bộ thẩm định", unit=office_unit,
                                   role=User.Role.OFFICE)
    campaign = Campaign.objects.create(issuing_unit=office_unit, number="9-KH/ĐTN", title="Thi đua đo tải",
                                       start_date=date(2024, 1, 1), end_date=date(2024, 12, 31),
                                       status=Campaign.Status.LAUNCHED)
    period = Period.objects.create(campaign=campaign, name="Quý II", order=2, start_date=date(2024, 4, 1),
                                   end_date=date(2024, 6, 30),
                                   deadline=end_of_day_ict(timezone.localdate() + timedelta(days=10)))
    criteria = [Criterion.objects.create(campaign=campaign, code=f"I.{n + 1}", title=f"Tiêu chí {n + 1}",
                                         max_points=10, method=Criterion.Method.JUDGEMENT, order=n)
                for n in range(REVIEW_CRITERIA + UPLOAD_CRITERIA)]
    users, clusters = [], []
    for c in range(CLUSTERS):
        cluster = None
        for u in range(5):
            n = c * 5 + u
            unit = Unit.objects.create(code=f"CS-{n:02d}", name=f"Đoàn cơ sở {n}", level=Unit.Level.GRASSROOTS,
                                       parent=office_unit)
            if cluster is None:
                cluster = Cluster.objects.create(campaign=campaign, name=f"Cụm {c + 1}", leader_unit=unit)
                clusters.append(cluster)
            ClusterMember.objects.create(campaign=campaign, cluster=cluster, unit=unit)
            users.append((User.objects.create(username=f"load-{n:02d}", full_name=f"Cán bộ {n}", unit=unit,
                                              role=User.Role.STAFF), cluster, u == 0))
    now = timezone.now()
    Evidence.objects.bulk_create([
        Evidence(campaign=campaign, period=period, unit=user.unit, criterion=criterion, note="Báo cáo kết quả",
                 links=["https://example.org/bao-cao"], status=Evidence.Status.SUBMITTED,
                 self_score=Decimal(7 + n % 3), submitted_at=now, submitted_by=user, created_by=user)
        for user, _, _ in users for n, criterion in enumerate(criteria[:REVIEW_CRITERIA])
    ])
    compute.period_recompute(period_id=period.pk)

    def session(user) -> dict[str, str]:
        from django.conf import settings

        client = Client()
        client.force_login(user)
        return {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}

    evidence_of = {}
    for evidence_id, unit_id in Evidence.objects.values_list("pk", "unit_id"):
        evidence_of.setdefault(unit_id, []).append(evidence_id)
    return {
        "period": period.pk, "reviewer": reviewer, "reviewer_session": session(reviewer),
        "upload_criteria": [c.pk for c in criteria[REVIEW_CRITERIA:]],
        "users": [{"user": user.pk, "unit": user.unit_id, "cluster": cluster.pk, "leads": leads,
                   "session": session(user), "evidence": evidence_of[user.unit_id]}
                  for user, cluster, leads in users],
    }


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.samples: list[tuple[str, float, bool]] = []
        self.acknowledged: list[tuple[str, str]] = []  # (original name, sha256)
        self.failures: dict[str, int] = {}
        self.examples: dict[str, str] = {}
        self.reviews = 0

    def add(self, kind: str, started: float, ok: bool, detail: str = "") -> None:
        with self.lock:
            self.samples.append((kind, (time.perf_counter() - started) * 1000, ok))
            if not ok:
                key = f"{kind}: {detail}"[:160]
                self.failures[key] = self.failures.get(key, 0) + 1


def timed(recorder: Recorder, kind: str, call, ok=lambda a: a.status < 400):
    started = time.perf_counter()
    try:
        answer = call()
    except (OSError, ValueError) as exc:
        recorder.add(kind, started, False, exc.__class__.__name__)
        return None
    good = ok(answer)
    recorder.add(kind, started, good, str(answer.status))
    return answer if good else None


def simulated_user(index: int, port: int, world: dict, pool, stop: threading.Event, recorder: Recorder) -> None:
    from django.db import connection
    from django.urls import NoReverseMatch, reverse

    rng = random.Random(index)
    me = world["users"][index]
    staff = Browser(port, me["session"])
    reviewer = Browser(port, world["reviewer_session"])
    period = world["period"]
    pages = ["/", reverse("evidence_period", args=[period])]
    if me["leads"]:
        pages.append(reverse("cluster_matrix", args=[me["cluster"], period]))
    # The form once, as the page load before the first upload: its CSRF token and cookie serve the session.
    form = staff.request("GET", reverse("evidence_edit", args=[period, world["upload_criteria"][0]]))
    token = TOKEN.search(form.body).group(1).decode()
    # This user reviews only its share of the other units' evidence: no two reviewers on one item.
    # (Every user slices the same list, then leaves out its own unit's: slicing lists that each left out a
    # different unit first gave some items to two users, whose second decision was rightly refused with 409.)
    to_review = [e for e in [e for u in world["users"] for e in u["evidence"]][index::len(world["users"])]
                 if e not in me["evidence"]]
    try:
        reverse("scoring_review", args=[1])
        review_page = True
    except NoReverseMatch:
        review_page = False
    uploads = 0
    while not stop.is_set():
        roll = rng.random()
        if roll < 0.70:
            choice = rng.random()
            if choice < 0.25:
                path = rng.choice(pages)
            elif choice < 0.6:
                path = reverse("evidence_edit", args=[period, rng.choice(world["upload_criteria"])])
            else:
                path = reverse("evidence_detail", args=[rng.choice(me["evidence"])])
            timed(recorder, "page", lambda p=path: staff.request("GET", p))
        elif roll < 0.90:
            extension, content_type, data, digest = rng.choice(pool)
            uploads += 1
            name = f"load-{index:02d}-{uploads:04d}.{extension}"
            body, form_type = multipart(token, [(name, content_type, data)],
                                        {"note": "Minh chứng đo tải", "links": "", "self_score": "", "version": ""})
            path = reverse("evidence_edit", args=[period, rng.choice(world["upload_criteria"])])
            answer = timed(recorder, "upload", lambda p=path, b=body, t=form_type: staff.request("POST", p, b, t),
                           ok=lambda a: a.status == 302)
            if answer is not None:
                with recorder.lock:
                    recorder.acknowledged.append((name, digest))
        else:
            evidence_id = rng.choice(to_review)
            score = str(rng.choice([6, 7.5, 8, 9.25, 10]))
            if review_page:
                path = reverse("scoring_review", args=[evidence_id])
                page = timed(recorder, "review", lambda p=path: reviewer.request("GET", p))
                if page is None:
                    continue
                fields = {"csrfmiddlewaretoken": TOKEN.search(page.body).group(1).decode(), "decision": "accepted",
                          "score": score, "remark": "", "version": VERSION.search(page.body).group(1).decode()}
                timed(recorder, "review", lambda p=path, f=fields: reviewer.request(
                    "POST", p, urlencoded(f), "application/x-www-form-urlencoded"))
            else:
                path = reverse("evidence_detail", args=[evidence_id])
                if timed(recorder, "review", lambda p=path: reviewer.request("GET", p)) is None:
                    continue
                review_by_service(evidence_id, world["reviewer"], score, recorder)
    connection.close()


# Reviews by service share a few database connections, as a web server's threads would (not 50 of them:
# the PostgreSQL server is shared with other work on this machine).
REVIEW_SLOTS = threading.BoundedSemaphore(4)


def review_by_service(evidence_id: int, reviewer, score: str, recorder: Recorder) -> None:
    from django.db import connection

    from evidence.models import Evidence
    from scoring.services import evidence_review

    started = time.perf_counter()
    try:
        with REVIEW_SLOTS:
            try:
                evidence = Evidence.objects.get(pk=evidence_id)
                evidence_review(evidence=evidence, user=reviewer, decision="accepted", score=score,
                                expected_version=evidence.version)
            finally:
                connection.close()
    except Exception as exc:  # noqa: BLE001 - any failure is an error of the run
        with recorder.lock:
            key = f"review service: {exc.__class__.__name__}: {str(exc).splitlines()[0]}"[:160]
            recorder.failures[key] = recorder.failures.get(key, 0) + 1
            recorder.examples.setdefault(key, str(exc)[:2000])
        return
    with recorder.lock:
        recorder.reviews += 1
        recorder.samples.append(("review_service", (time.perf_counter() - started) * 1000, True))


def hello(port: int, users: int, seconds: float) -> tuple[int, int, float]:
    """(answers, failures, seconds from the first request to the last answer) of ``users`` calling /livez."""
    stop, counts, lock = threading.Event(), [0, 0], threading.Lock()

    def loop():
        browser = Browser(port, {})
        ok = bad = 0
        while not stop.is_set():
            try:
                if browser.request("GET", "/livez").status == 200:
                    ok += 1
                else:
                    bad += 1
            except OSError:
                bad += 1
        with lock:
            counts[0] += ok
            counts[1] += bad

    threads = [threading.Thread(target=loop) for _ in range(users)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    return counts[0], counts[1], time.perf_counter() - started


def verify(acknowledged: list[tuple[str, str]]) -> int:
    from django.core.files.storage import default_storage

    from evidence.models import EvidenceFile

    rows = {name: (file, sha) for name, file, sha in EvidenceFile.objects.filter(
        original_name__in=[n for n, _ in acknowledged]).values_list("original_name", "file", "sha256")}
    stored = 0
    for name, digest in acknowledged:
        if name not in rows or rows[name][1] != digest:
            continue
        sha = hashlib.sha256()
        try:
            with default_storage.open(rows[name][0], "rb") as handle:
                while piece := handle.read(1024 * 1024):
                    sha.update(piece)
        except FileNotFoundError:
            continue
        stored += sha.hexdigest() == digest
    return stored


# ---------------------------------------------------------------- where the CPU went (Linux /proc)

TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds of the process and its waited-for children) of one process."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return int(fields[1]), sum(int(v) for v in fields[11:15]) / TICK


def tree_cpu(root: int) -> dict[int, float]:
    """CPU seconds per process of the tree under ``root`` (gunicorn's workers, Celery's pool, pdftoppm)."""
    table = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))):
            table[int(entry.name)] = stat
    found, todo = {}, [root]
    while todo:
        pid = todo.pop()
        if pid in table:
            found[pid] = table[pid][1]
            todo.extend(child for child, (parent, _) in table.items() if parent == pid)
    return found


def machine_busy() -> float:
    """CPU seconds all cores spent not idle since boot (everyone's work on this machine)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / TICK  # without idle and iowait


class CpuMeter:
    """CPU seconds spent during a phase by the load generator, gunicorn, the Celery worker, PostgreSQL's
    backends on the benchmark's database, and the whole machine. Backends that left before the phase's end
    are missed, so the PostgreSQL figure is a lower bound."""

    def __init__(self, gunicorn: int, worker: int, database: str):
        self.gunicorn, self.worker, self.database = gunicorn, worker, database

    def _backends(self) -> dict[int, float]:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                           [self.database])
            pids = [row[0] for row in cursor.fetchall()]
        connection.close()
        return {pid: stat[1] for pid in pids if (stat := _stat(pid))}

    def snapshot(self) -> dict:
        times = os.times()
        return {"load generator": {0: times.user + times.system}, "gunicorn": tree_cpu(self.gunicorn),
                "celery worker": tree_cpu(self.worker), "postgresql": self._backends(),
                "machine": {0: machine_busy()}}

    @staticmethod
    def spent(before: dict, after: dict) -> dict[str, float]:
        """CPU seconds per part between two snapshots. A process tree's CPU is its live processes' own plus what
        their reaped children spent, so its total only grows: a gunicorn worker recycled meanwhile moves into
        the master's reaped time, whole, and the difference of the totals counts it once. PostgreSQL's backends
        are no tree of ours (the postmaster reaps them): per backend, and one gone by the end is missed."""
        def backends() -> float:
            return sum(max(0.0, cpu - before["postgresql"].get(pid, 0.0)) for pid, cpu in after["postgresql"].items())

        return {part: round(backends() if part == "postgresql" else sum(after[part].values())
                            - sum(before[part].values()), 1) for part in after}


def gunicorn_shape() -> dict[str, int]:
    """Workers and threads as deploy/gunicorn.conf.py sets them in this environment."""
    config: dict = {}
    exec((ROOT / "deploy" / "gunicorn.conf.py").read_text(), config)  # noqa: S102 - our own config file
    return {"workers": config["workers"], "threads": config["threads"]}


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--hello-seconds", type=float, default=10)
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="bench-load-"))
    media, static = scratch / "media", scratch / "static"
    processes: list[subprocess.Popen] = []
    redis_url = os.environ.get("REDIS_URL", "")
    if shutil.which("redis-server"):
        redis_port = free_port()
        processes.append(subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(redis_port), "--save", "", "--appendonly", "no",
             "--dir", str(scratch)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        redis_url = f"redis://127.0.0.1:{redis_port}/0"
        wait_for(lambda: socket.create_connection(("127.0.0.1", redis_port), 0.5).close() is None, 10, "redis")
    if not redis_url:
        raise SystemExit("the load benchmark needs redis-server or REDIS_URL")
    os.environ.update({
        "REDIS_URL": redis_url, "MEDIA_ROOT": str(media), "STATIC_ROOT": str(static), "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false", "LOG_LEVEL": "WARNING", "DB_CONN_MAX_AGE": "60",
        "CACHE_KEY_PREFIX": "bench-load",
        # Each unit's 200 MB per quarter would refuse a busy user's uploads: the quota is not what is measured.
        "EVIDENCE_MAX_PERIOD_MB": "5000",
    })
    os.environ.pop("TEST_DATABASE_NAME", None)
    try:
        with bench_database(database_name(), redis=True):
            result = run(args, processes, scratch)
    finally:
        for process in reversed(processes):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
        if os.environ.get("BENCH_KEEP"):
            print(f"kept: {scratch} (logs, media)", file=sys.stderr)
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    print(json.dumps(result))


def run(args, processes: list[subprocess.Popen], scratch: Path) -> dict:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    call_command("collectstatic", "--noinput", verbosity=0)
    world = seed()
    connection.close()
    pool = upload_pool()
    port = free_port()
    env = {**os.environ, "GUNICORN_BIND": f"127.0.0.1:{port}", "DATABASE_URL": os.environ["DATABASE_URL"]}
    with open(scratch / "gunicorn.log", "wb") as log:
        processes.append(subprocess.Popen(
            [str(BIN / "gunicorn"), "emulation.wsgi:application", "--config", "deploy/gunicorn.conf.py",
             "--access-logfile", str(scratch / "access.log")],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT))
    with open(scratch / "worker.log", "wb") as log:
        processes.append(subprocess.Popen(
            [str(BIN / "celery"), "-A", "emulation", "worker", "--concurrency=1", "--without-gossip",
             "--without-mingle", "--without-heartbeat", "--loglevel=WARNING"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT))
    wait_for(lambda: Browser(port, {}).request("GET", "/livez").status == 200, 30, "gunicorn")

    meter = CpuMeter(processes[-2].pid, processes[-1].pid, settings.DATABASES["default"]["NAME"])
    # gunicorn answers once one worker is up; the others may still be importing Django. A few unmeasured
    # seconds of hello let every worker boot and warm up before anything is counted.
    _, warm_up_errors, _ = hello(port, args.users, 3)
    before = meter.snapshot()
    hello_ok, hello_errors, hello_elapsed = hello(port, args.users, args.hello_seconds)
    hello_errors += warm_up_errors
    hello_rps = hello_ok / hello_elapsed
    hello_cpu = meter.spent(before, meter.snapshot())

    recorder, stop = Recorder(), threading.Event()
    threads = [threading.Thread(target=simulated_user, args=(i, port, world, pool, stop, recorder))
               for i in range(min(args.users, len(world["users"])))]
    before = meter.snapshot()
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    time.sleep(args.seconds)
    stop.set()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    mix_cpu = meter.spent(before, meter.snapshot())

    http = [(kind, ms, ok) for kind, ms, ok in recorder.samples if kind != "review_service"]
    latencies = [ms for _, ms, _ in http]
    errors = sum(not ok for _, _, ok in http) + sum(
        count for key, count in recorder.failures.items() if key.startswith("review service")) + hello_errors
    mix_rps = len(http) / elapsed
    stored = verify(recorder.acknowledged)
    result = {
        "bench": "load", "requests": len(http), "errors": errors,
        "p50_ms": round(statistics.median(latencies), 1) if latencies else 0.0,
        "p95_ms": round(percentile(latencies, 0.95), 1), "hello_rps": round(hello_rps, 1),
        "mix_rps": round(mix_rps, 1), "ratio": round(mix_rps / hello_rps, 3) if hello_rps else 0.0,
        "uploads_acknowledged": len(recorder.acknowledged), "uploads_stored": stored,
    }
    by_kind = {}
    for kind in sorted({k for k, _, _ in recorder.samples}):
        values = [ms for k, ms, _ in recorder.samples if k == kind]
        by_kind[kind] = {"count": len(values), "p50_ms": round(statistics.median(values), 1),
                         "p95_ms": round(percentile(values, 0.95), 1)}
    OUTPUT.mkdir(exist_ok=True)
    (OUTPUT / "load.json").write_text(json.dumps({
        **result, "users": len(threads), "seconds": round(elapsed, 1), "hello_seconds": round(hello_elapsed, 1),
        "gunicorn": gunicorn_shape(), "by_kind": by_kind, "failures": recorder.failures,
        "failure_examples": recorder.examples,
        "reviews_via": "service after the evidence page (no scoring_review page in this tree)"
        if "review_service" in by_kind else "scoring_review page", "reviews": recorder.reviews,
        "upload_mb": round(sum(len(d) for _, _, d, _ in pool) / len(pool) / 1024 / 1024, 2),
        "cpus": os.cpu_count(), "media_root": str(settings.MEDIA_ROOT),
        # CPU seconds per phase; "machine" is every process on it, other people's work included.
        "cpu_seconds": {"hello": hello_cpu, "mix": mix_cpu},
        "cpu_ms_per_request": {
            "hello": {part: round(cpu * 1000 / max(1, hello_ok), 2) for part, cpu in hello_cpu.items()},
            "mix": {part: round(cpu * 1000 / max(1, len(http)), 2) for part, cpu in mix_cpu.items()},
        },
    }, indent=2, ensure_ascii=False) + "\n")
    return result


if __name__ == "__main__":
    main()
