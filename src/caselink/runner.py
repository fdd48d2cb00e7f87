"""`caselink run` and `caselink serve`: the first-run steps and the server's lifecycle.

`run` is what `make run` calls: one command from a clean clone to a served system. It takes the data
folder's lock, claims the HTTP port, starts (or reuses) the embedded PostgreSQL unless DATABASE_URL
is set, applies migrations, runs the first-run steps (each idempotent, so later starts are quick),
serves with uvicorn and, on Ctrl-C, shuts down gracefully and stops the database it started.

`serve` only serves: it is what production runs, many times over, against DATABASE_URL.

Problems of set-up are ConfigurationErrors: the CLI prints their one sentence and exits non-zero.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import fcntl
import importlib
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import typer
from sqlalchemy import make_url

from caselink.config import Settings, ensure_data_dir, get_settings, set_settings
from caselink.db.embedded import EmbeddedPostgres
from caselink.db.engine import async_url
from caselink.platform.errors import ConfigurationError

APP_FACTORY = "caselink.app:create_production_app"
LOCK_FILE_NAME = "caselink.lock"
NEVER_ANSWERED = (
    "Caselink stopped before its web server answered; unless you pressed Ctrl-C, the log lines above say why."
)


def say(message: str) -> None:
    """Progress for the person at the terminal, on stdout (logs go to stderr)."""
    typer.echo(message)


# -- first-run steps ---------------------------------------------------------------------------
@dataclass(frozen=True)
class FirstRunStep:
    """One thing `caselink run` makes sure of before serving. It must be idempotent (the second run
    finds the work done and returns quickly) and return one line saying what it did."""

    name: str
    run: Callable[[str], str]


def _load_standing_data(database_url: str) -> str:
    from caselink.reference.service import ensure_loaded  # imported here: only `run` needs it

    return ensure_loaded(database_url)


def _load_demo_data(database_url: str) -> str:
    settings = get_settings()
    if not settings.demo_mode:
        return "skipped (CASELINK_DEMO_MODE is off)"
    from caselink.demo.service import ensure_demo_data

    return ensure_demo_data(database_url, people=settings.demo_people, seed=1)


# In order. Register a step with one line: FirstRunStep("what it ensures", callable(database_url) -> line).
FIRST_RUN_STEPS: list[FirstRunStep] = [
    FirstRunStep("standing data", _load_standing_data),
    FirstRunStep("demo data", _load_demo_data),
    FirstRunStep("demo logins", lambda url: importlib.import_module("caselink.accounts.service").demo_logins_step(url)),
]


def run_first_run_steps(database_url: str, steps: list[FirstRunStep] | None = None) -> None:
    for step in FIRST_RUN_STEPS if steps is None else steps:
        started = time.perf_counter()
        line = step.run(database_url)
        say(f"  {step.name}: {line} ({time.perf_counter() - started:.1f} s)")


# -- the database ------------------------------------------------------------------------------
def check_database(database_url: str, timeout: float = 10) -> None:
    """Connect once, so that a wrong DATABASE_URL is one sentence now rather than a traceback later."""
    parsed = make_url(async_url(database_url))
    where = f"{parsed.host or 'localhost'}:{parsed.port or 5432}"
    dsn = parsed.set(drivername="postgresql").render_as_string(hide_password=False)

    async def attempt() -> None:
        conn = await asyncpg.connect(dsn, timeout=timeout)
        await conn.close()

    try:
        _run_coroutine(attempt())
    except asyncpg.InvalidCatalogNameError:
        raise ConfigurationError(
            f"The database {parsed.database!r} named in DATABASE_URL does not exist on {where}; create it "
            f"(createdb {parsed.database}) or name an existing one."
        ) from None
    except (asyncpg.InvalidPasswordError, asyncpg.InvalidAuthorizationSpecificationError) as exc:
        raise ConfigurationError(
            f"PostgreSQL at {where} refused the user {parsed.username or '(none)'!r} in DATABASE_URL ({exc}); "
            "check the user name and password."
        ) from None
    except asyncpg.PostgresError as exc:
        raise ConfigurationError(f"PostgreSQL at {where} refused the connection ({exc}); check DATABASE_URL.") from None
    except socket.gaierror:
        raise ConfigurationError(
            f"The host {parsed.host!r} in DATABASE_URL could not be found; check its spelling and your network."
        ) from None
    except TimeoutError:
        raise ConfigurationError(
            f"PostgreSQL at {where} did not answer within {timeout:.0f} s; check the host and port in "
            "DATABASE_URL and that a firewall lets you through."
        ) from None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ConfigurationError(
            f"Caselink cannot reach PostgreSQL at {where} named in DATABASE_URL ({reason}); check the host "
            "and port and that the server is running."
        ) from None


def _run_coroutine(coro: Any) -> Any:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    # Called from inside an event loop (tests): run it on a thread of its own.
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = asyncio.run(coro)
        except BaseException as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def migrate(database_url: str) -> None:
    from caselink.db.migrate import upgrade

    upgrade(database_url, "heads")


async def _schema_is_current(database_url: str) -> bool:
    from caselink.db.engine import create_engine
    from caselink.db.migrate import current_revisions, pending_heads

    engine = create_engine(database_url, pool_size=1, max_overflow=0)
    try:
        async with engine.connect() as conn:
            return not pending_heads(await current_revisions(conn))
    finally:
        await engine.dispose()


# -- the data folder's lock --------------------------------------------------------------------
class DataFolderLock:
    """One `caselink run` per data folder: an fcntl lock on a file inside it. The kernel drops the
    lock when the process ends however it ends, so a crash never leaves the folder locked."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / LOCK_FILE_NAME
        self._fd: int | None = None

    def holder(self) -> dict[str, Any] | None:
        """Who holds the lock (pid and url), or None if nobody does."""
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except FileNotFoundError:
            return None
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return self._read_holder()
            fcntl.flock(fd, fcntl.LOCK_UN)
            return None
        finally:
            os.close(fd)

    def acquire(self, url: str) -> None:
        ensure_data_dir(self.path.parent)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            holder = self._read_holder()
            pid = holder.get("pid", "unknown")
            where = holder.get("url", "an unknown address")
            raise ConfigurationError(
                f"Caselink is already running from this folder (process {pid}) at {where}; stop it with "
                "Ctrl-C in its terminal first."
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps({"pid": os.getpid(), "url": url}).encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        # Emptied rather than deleted: deleting would let a waiting process lock a file nobody sees.
        os.ftruncate(self._fd, 0)
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None

    def _read_holder(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text() or "{}")
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}


# -- serving -----------------------------------------------------------------------------------
def public_url(settings: Settings) -> str:
    host = settings.host
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{settings.port}"


def _probe_host(host: str) -> str:
    # A wildcard address is served on loopback too, which is where we can ask.
    return {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)  # noqa: S104


def bind_http_socket(settings: Settings) -> socket.socket:
    """Claim the port before anything slow happens, so a clash is reported at once and nothing
    can take the port between our check and uvicorn's start."""
    family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((settings.host, settings.port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise ConfigurationError(
                f"Port {settings.port} on {settings.host} is already in use by another program; stop it or set "
                "CASELINK_PORT to a free port."
            ) from None
        if exc.errno == errno.EACCES:
            raise ConfigurationError(
                f"Caselink may not listen on port {settings.port} (ports below 1024 need privileges); set "
                "CASELINK_PORT to 1024 or above."
            ) from None
        raise ConfigurationError(
            f"Caselink cannot listen on {settings.host}:{settings.port} ({exc.strerror or exc}); check "
            "CASELINK_HOST and CASELINK_PORT."
        ) from None
    sock.set_inheritable(True)
    return sock


def _announce_when_ready(settings: Settings, stopped: threading.Event, ready: threading.Event) -> None:
    """Print the "running at" line once the server really answers, not merely when it was asked to start."""
    probe = f"http://{_probe_host(settings.host)}:{settings.port}/healthz".replace("http://::1", "http://[::1]")
    while not stopped.is_set():
        try:
            if httpx.get(probe, timeout=2).status_code == 200:
                ready.set()
                say(f"Caselink is running at {public_url(settings)} – press Ctrl-C to stop")
                return
        except httpx.HTTPError:
            pass
        stopped.wait(0.2)


def serve_http(settings: Settings, sock: socket.socket) -> bool:
    """Serve until Ctrl-C or SIGTERM, then shut down gracefully (requests in flight finish, the
    lifespan closes the pool). Returns whether the server ever answered."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    from caselink.platform.logging import configure_logging

    configure_logging(json_logs=settings.log_json)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # the readiness probe's requests are not news
    config = uvicorn.Config(
        APP_FACTORY,
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_config=None,  # ours, set above; workers set theirs in create_production_app
        access_log=False,  # our middleware logs each request with its id and duration
        timeout_graceful_shutdown=20,
        proxy_headers=True,
    )
    stopped, ready = threading.Event(), threading.Event()
    announcer = threading.Thread(target=_announce_when_ready, args=(settings, stopped, ready), daemon=True)
    announcer.start()
    try:
        if settings.workers > 1:
            Multiprocess(config, sockets=[sock]).run()
        else:
            uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:
        pass  # the single-process server re-raises the Ctrl-C it has already acted on
    finally:
        stopped.set()
        announcer.join(timeout=5)
        sock.close()
    return ready.is_set()


@contextlib.contextmanager
def _ctrl_c_ignored() -> Iterator[None]:
    """While we clean up, a second Ctrl-C must not leave the database half-stopped. Ignoring the
    signal here also shields pg_ctl, which inherits the ignored disposition."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _use_database_everywhere(settings: Settings, embedded: EmbeddedPostgres | None) -> Settings:
    """Workers read the environment: point them at the server we actually found (a reused embedded
    server may listen on a different port from the configured one)."""
    if embedded is None:
        return settings
    os.environ["CASELINK_EMBEDDED_PG_PORT"] = str(embedded.port)
    settings = replace(settings, embedded_pg_port=embedded.port)
    set_settings(settings)
    return settings


def _start_embedded(settings: Settings) -> tuple[EmbeddedPostgres, str]:
    embedded = EmbeddedPostgres(settings.data_dir, settings.embedded_pg_port)
    say(f"Starting the embedded PostgreSQL in {embedded.pgdata} …")
    try:
        url = embedded.start()
    except BaseException:
        # Interrupted or failed part-way: do not leave behind a server we launched.
        if embedded.started_here:
            with _ctrl_c_ignored(), contextlib.suppress(ConfigurationError):
                embedded.stop()
        raise
    if embedded.reused is not None:
        say(
            f"Using the embedded PostgreSQL already running on 127.0.0.1:{embedded.port} "
            f"(process {embedded.reused.pid}); it will be left running."
        )
    else:
        created = " (new database cluster created)" if embedded.created_cluster else ""
        say(f"Started the embedded PostgreSQL on 127.0.0.1:{embedded.port}{created}.")
    return embedded, url


def _stop_embedded(embedded: EmbeddedPostgres | None) -> None:
    if embedded is None:
        return
    if not embedded.started_here:
        say("Left the embedded PostgreSQL running, as it was running before this start.")
        return
    with _ctrl_c_ignored():
        if embedded.stop():
            say(f"Stopped the embedded PostgreSQL (data kept in {embedded.pgdata}).")


def start_worker() -> subprocess.Popen[bytes]:
    """The background worker (event relay, audit sealer, ...) as a child process. It reads the same
    environment, so it finds the same database; Ctrl-C in the terminal reaches it too."""
    return subprocess.Popen([sys.executable, "-m", "caselink", "worker"])


def stop_worker(worker: subprocess.Popen[bytes] | None) -> None:
    if worker is None or worker.poll() is not None:
        return
    worker.send_signal(signal.SIGTERM)
    try:
        worker.wait(timeout=15)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def run(settings: Settings | None = None) -> int:
    """`caselink run`. Returns the exit code."""
    settings = settings or get_settings()
    lock = DataFolderLock(settings.data_dir)
    lock.acquire(public_url(settings))
    embedded: EmbeddedPostgres | None = None
    worker: subprocess.Popen[bytes] | None = None
    try:
        sock = bind_http_socket(settings)
        try:
            set_up = time.perf_counter()
            if settings.database_url:
                say("Using the PostgreSQL named in DATABASE_URL.")
                check_database(settings.database_url)
                url = settings.database_url
            else:
                embedded, url = _start_embedded(settings)
                settings = _use_database_everywhere(settings, embedded)
            say("Applying migrations …")
            migrate(url)
            say("First-run steps:")
            run_first_run_steps(url)
            say(f"Set-up took {time.perf_counter() - set_up:.1f} s; starting {settings.workers} web worker(s) …")
            worker = start_worker()
        except BaseException:
            sock.close()
            raise
        if not serve_http(settings, sock):
            raise ConfigurationError(NEVER_ANSWERED)
        say("Caselink has stopped serving.")
        return 0
    except KeyboardInterrupt:
        say("Interrupted; stopping.")
        return 130
    finally:
        with _ctrl_c_ignored():
            stop_worker(worker)
        _stop_embedded(embedded)
        lock.release()


def serve(settings: Settings | None = None) -> int:
    """`caselink serve`: serve only. No lock, no migrations: any number may run side by side."""
    settings = settings or get_settings()
    sock = bind_http_socket(settings)
    try:
        if settings.database_url:
            url = settings.database_url
        else:
            embedded = EmbeddedPostgres(settings.data_dir, settings.embedded_pg_port)
            running = embedded.running()
            if running is None:
                raise ConfigurationError(
                    "caselink serve needs DATABASE_URL or an embedded PostgreSQL already running in "
                    f"{settings.data_dir}; set DATABASE_URL, or use `caselink run` to start everything."
                )
            embedded.port = running.port
            settings = _use_database_everywhere(settings, embedded)
            url = embedded.url()
        check_database(url)
        if not _run_coroutine(_schema_is_current(url)):
            say("Warning: the database schema is not at the latest migrations; run `caselink db upgrade`.")
    except BaseException:
        sock.close()
        raise
    if not serve_http(settings, sock):
        raise ConfigurationError(NEVER_ANSWERED)
    return 0


def stop_embedded(settings: Settings | None = None) -> str:
    """`caselink db stop`: stop the data folder's embedded PostgreSQL, unless `caselink run` uses it."""
    settings = settings or get_settings()
    holder = DataFolderLock(settings.data_dir).holder()
    if holder is not None:
        raise ConfigurationError(
            f"Caselink is running from this folder (process {holder.get('pid', 'unknown')}) and uses this "
            "database; stop it with Ctrl-C in its terminal, which stops the database too."
        )
    embedded = EmbeddedPostgres(settings.data_dir, settings.embedded_pg_port)
    if embedded.stop():
        return f"Stopped the embedded PostgreSQL in {embedded.pgdata}."
    return f"No embedded PostgreSQL is running in {embedded.pgdata}."
