"""Fault tests: the portal served by gunicorn (production settings) in a subprocess on the test database,
a Redis server of the test's own that it stops and starts, and a PostgreSQL proxy the test can cut.

The test process only prepares rows and looks at the database and the media folder afterwards; every
request goes over a real socket to a server process that knows nothing of the test.
"""

import re
import socket
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager, suppress
from http.client import HTTPConnection
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.test import Client

from tests.celery_worker import ROOT, worker_env

GUNICORN = Path(sys.executable).parent / "gunicorn"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, seconds: float = 30, message: str = "timed out"):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(message() if callable(message) else message)


# ---------------------------------------------------------------- Redis of the test's own

class RedisServer:
    """A throw-away redis-server on a free port (no persistence), started and stopped by the test."""

    def __init__(self, folder: Path):
        self.port = free_port()
        self.folder = folder
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def ping(self) -> bool:
        try:  # a refused connection answers at once; redis-py would retry it with back-off
            socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
            return redis.Redis(port=self.port, socket_connect_timeout=0.5).ping()
        except (OSError, redis.ConnectionError):
            return False

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no",
             "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        wait_for(self.ping, 10, "redis-server did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None
        assert not self.ping()


@pytest.fixture
def own_redis(tmp_path):
    """A Redis for the portal under test, so that its messages never reach a worker of another test run."""
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


# ---------------------------------------------------------------- a PostgreSQL proxy the test can cut

class CuttableProxy:
    """A TCP proxy to PostgreSQL that drops the connection carrying the first query containing ``trigger``.

    The query never reaches the server; PostgreSQL sees its client vanish and rolls the transaction back,
    the application sees the connection die mid-request. Later connections pass untouched.
    """

    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.trigger: bytes | None = None
        self.on_cut = None  # called in the proxy's thread at the moment of the cut
        self.cuts = 0
        self._sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self._sockets += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, False), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket, inspect: bool):
        tail = b""
        try:
            while data := source.recv(65536):
                trigger = self.trigger
                if inspect and trigger:
                    if trigger in tail + data:
                        self.trigger = None
                        self.cuts += 1
                        if self.on_cut:
                            self.on_cut()
                        for sock in (source, target):
                            with suppress(OSError):
                                sock.shutdown(socket.SHUT_RDWR)
                        return
                    tail = (tail + data)[-len(trigger):]
                target.sendall(data)
        except OSError:
            pass  # either side hung up: this direction of the connection is over
        with suppress(OSError):
            target.shutdown(socket.SHUT_WR)

    def close(self):
        self.listener.close()
        for sock in self._sockets:
            with suppress(OSError):
                sock.close()


@pytest.fixture
def pg_proxy():
    db = connection.settings_dict
    proxy = CuttableProxy(db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432))
    yield proxy
    proxy.close()


def proxied_database_url(proxy: CuttableProxy) -> str:
    db = connection.settings_dict
    # Plain TCP (no TLS) so that the proxy can read the queries it forwards.
    return f"postgres://{db['USER']}@127.0.0.1:{proxy.port}/{db['NAME']}?sslmode=disable"


# ---------------------------------------------------------------- the portal under gunicorn

class Server:
    def __init__(self, port: int, process: subprocess.Popen, log: Path):
        self.port, self.process, self.log = port, process, log

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def production_env(**extra: str) -> dict[str, str]:
    """The environment of a production deployment, on this test's database, media folder and Redis.

    The secret key is the test process's own, so that a session the test creates is valid on the server.
    """
    return worker_env(
        DEBUG="false", SECRET_KEY=settings.SECRET_KEY, ALLOWED_HOSTS="127.0.0.1",
        # Loopback HTTP: no TLS in front of the server here.
        SECURE_SSL_REDIRECT="false", SECURE_COOKIES="false", STATIC_MANIFEST="false", LOG_LEVEL="INFO",
        **extra,
    )


@contextmanager
def portal_server(log: Path, **env: str):
    """gunicorn with one worker and one thread: requests are served one after the other, so a request that
    answers proves every request sent before it has finished."""
    port = free_port()
    with open(log, "ab") as out:
        process = subprocess.Popen(
            [str(GUNICORN), "emulation.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "1",
             "--threads", "1", "--timeout", "60", "--access-logfile", "-", "--error-logfile", "-"],
            cwd=ROOT, env=production_env(**env), stdout=out, stderr=subprocess.STDOUT,
        )
    server = Server(port, process, log)

    def answers() -> bool:
        try:
            return Visitor(server).get("/livez").status == 200
        except OSError:
            return False

    try:
        wait_for(answers, 30, lambda: "gunicorn did not start\n" + server.log_text()[-3000:])
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Response:
    def __init__(self, status: int, headers: dict[str, str], body: bytes, seconds: float):
        self.status, self.headers, self.body, self.seconds = status, headers, body, seconds

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


def multipart(fields: dict[str, str], files: list[tuple[str, str, bytes, str]], *, token: str) -> tuple[bytes, str]:
    """A multipart/form-data body laid out as the browser sends the evidence form: the CSRF token (top of the
    form), the files (the drop zone), then the other fields."""
    boundary = "----thidua" + uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{token}\r\n'.encode()]
    for field, filename, data, content_type in files:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n".encode() + data + b"\r\n"
        )
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class Visitor:
    """A user's browser reduced to what matters here: cookies, the CSRF token, plain HTTP/1.1 requests."""

    def __init__(self, server: Server):
        self.server = server
        self.cookies: dict[str, str] = {}

    def log_in_as(self, user) -> "Visitor":
        """A session created in the database by the test (the server shares the secret key)."""
        client = Client()
        client.force_login(user)
        self.cookies[settings.SESSION_COOKIE_NAME] = client.cookies[settings.SESSION_COOKIE_NAME].value
        return self

    def request(self, method: str, path: str, body: bytes = b"", headers: dict | None = None) -> Response:
        headers = {"Host": f"127.0.0.1:{self.server.port}", **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        started = time.monotonic()
        http = HTTPConnection("127.0.0.1", self.server.port, timeout=60)
        try:
            http.request(method, path, body=body or None, headers=headers)
            response = http.getresponse()
            data = response.read()
        finally:
            http.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        return Response(response.status, dict(response.headers), data, time.monotonic() - started)

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def csrf_token(self, path: str) -> str:
        page = self.get(path)
        assert page.status == 200, page.text[:500]
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert found, "no CSRF token on " + path
        return found.group(1)

    def post_form(self, path: str, fields: dict[str, str], *, referer: str | None = None) -> Response:
        from urllib.parse import urlencode

        token = self.csrf_token(referer or path)
        return self.request("POST", path, urlencode({"csrfmiddlewaretoken": token, **fields}).encode(),
                            {"Content-Type": "application/x-www-form-urlencoded"})

    def upload(self, path: str, files: list[tuple[str, bytes, str]], fields: dict | None = None) -> Response:
        body, content_type = self.upload_body(path, files, fields)
        return self.request("POST", path, body, {"Content-Type": content_type})

    def upload_body(self, path: str, files: list[tuple[str, bytes, str]], fields: dict | None = None):
        token = self.csrf_token(path)
        return multipart({"note": "", "links": "", "self_score": "", "version": "", **(fields or {})},
                         [("files", name, data, content_type) for name, data, content_type in files], token=token)


@pytest.fixture
def stored_files(settings):
    """Every file currently under the media root (relative names)."""

    def _list(prefix: str = "") -> list[str]:
        root = Path(settings.MEDIA_ROOT)
        if not root.exists():
            return []
        return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()
                      and str(p.relative_to(root)).startswith(prefix))

    return _list
