"""`caselink bench`: start (or use) a server, run locust headless against it, read its figures.

Locust and uvicorn both run as subprocesses: locust patches the standard library with gevent when
imported, and a server with several workers needs its own process tree anyway. Everything a run
produces (locust's CSVs and log, the server's log) is kept under bench-results/<time>/.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import httpx

from caselink.bench.report import BenchTable, peak_users, read_stats, stats_file
from caselink.config import PROJECT_ROOT, Settings
from caselink.db.embedded import free_port

BENCH_DIR = Path(__file__).parent
LOCUSTFILE = BENCH_DIR / "locustfile.py"
DEFAULT_RESULTS_ROOT = PROJECT_ROOT / "bench-results"
JOURNEY_BASE = "Journey"


class BenchError(Exception):
    """The bench could not run; the message says why and what to do."""


@dataclass(frozen=True)
class BenchOptions:
    users: int = 50
    spawn_rate: float = 10.0
    duration: int = 60
    url: str | None = None
    journeys: list[str] = field(default_factory=list)
    workers: int | None = None
    people: int | None = None
    results_root: Path = DEFAULT_RESULTS_ROOT


@dataclass(frozen=True)
class BenchResult:
    table: BenchTable
    results_dir: Path
    locust_exit_code: int


# -- journeys -------------------------------------------------------------------------------------
def available_journeys(locustfile: Path = LOCUSTFILE) -> list[str]:
    """Journey families in the locustfile (the classes deriving from Journey), read without
    importing it, so this process never loads locust."""
    tree = ast.parse(locustfile.read_text())
    names = []
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and any(
            isinstance(base, ast.Name) and base.id == JOURNEY_BASE for base in node.bases
        ):
            names.append(node.name)
    return names


def check_journeys(requested: list[str]) -> list[str]:
    known = available_journeys()
    unknown = [name for name in requested if name not in known]
    if unknown:
        raise BenchError(f"Unknown journey {', '.join(unknown)}; choose from {', '.join(known)}.")
    return requested


# -- the server -----------------------------------------------------------------------------------
def _call(function: Any, *args: Any, **kwargs: Any) -> Any:
    """Call a set-up function whether it is written sync or async."""
    result = function(*args, **kwargs)
    if inspect.isawaitable(result):
        return asyncio.run(_awaited(result))
    return result


async def _awaited(awaitable: Any) -> Any:
    return await awaitable


def prepare_database(settings: Settings, people: int, progress: IO[str] | None = None) -> tuple[str, Any]:
    """Start the embedded PostgreSQL unless DATABASE_URL is set, migrate, and make sure standing
    data, demo logins and demo data are there. Returns the URL and the embedded server (None if external)."""
    from caselink.db.embedded import EmbeddedPostgres
    from caselink.db.migrate import upgrade

    embedded = None
    if settings.database_url:
        url = settings.database_url
    else:
        embedded = EmbeddedPostgres(settings.data_dir, settings.embedded_pg_port)
        url = embedded.start()
    upgrade(url)
    # Imported here: these contexts load their own data files and are not needed with --url.
    from caselink.accounts.service import ensure_demo_staff
    from caselink.demo.service import ensure_demo_data
    from caselink.reference.service import ensure_loaded

    # Standing data first (units), then the demo logins the signed-in journeys use, then the people.
    for outcome in (
        _call(ensure_loaded, url),
        _call(ensure_demo_staff, url),
        _call(ensure_demo_data, url, people=people, seed=1),
    ):
        if progress and outcome:
            print(f"  {outcome}", file=progress, flush=True)
    return url, embedded


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


@contextmanager
def app_server(
    database_url: str,
    log_path: Path,
    workers: int = 1,
    extra_env: dict[str, str] | None = None,
    ready_timeout: float = 60.0,
) -> Iterator[str]:
    """Run uvicorn with WORKERS processes on a free port against DATABASE_URL; yield its base URL
    once /readyz says ready; stop it gracefully afterwards (SIGTERM, then SIGKILL if it hangs)."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, **(extra_env or {})}
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "caselink.app:create_production_app",
        "--factory",
        "--workers",
        str(workers),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",  # Caselink writes its own access log line
        # Simulated users idle up to 5 s between steps, uvicorn's default keep-alive: a request sent
        # as the server closes the idle connection fails with RemoteDisconnected.
        "--timeout-keep-alive",
        "30",
    ]
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            base_url = f"http://127.0.0.1:{port}"
            _wait_ready(process, base_url, log_path, ready_timeout)
            yield base_url
        finally:
            _stop(process)


def _wait_ready(process: subprocess.Popen[bytes], base_url: str, log_path: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    last = "no answer"
    with httpx.Client(timeout=2.0) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise BenchError(
                    f"The Caselink server stopped before it was ready (exit code {process.returncode}); "
                    f"its log {log_path} ends:\n{_tail(log_path)}"
                )
            try:
                response = client.get(f"{base_url}/readyz")
                if response.status_code == 200:
                    return
                last = response.text
            except httpx.TransportError as exc:
                last = type(exc).__name__
            time.sleep(0.25)
    raise BenchError(f"The Caselink server was not ready within {timeout:.0f} s ({last}); see {log_path}.")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)  # uvicorn drains requests in flight, then exits
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def check_reachable(url: str) -> None:
    try:
        response = httpx.get(f"{url.rstrip('/')}/healthz", timeout=5.0)
    except httpx.HTTPError as exc:
        raise BenchError(
            f"Nothing answers at {url} ({type(exc).__name__}); start Caselink there or leave out --url."
        ) from None
    if response.status_code != 200:
        raise BenchError(f"{url}/healthz answered {response.status_code}; is that a Caselink server?")


# -- locust ---------------------------------------------------------------------------------------
def run_locust(
    host: str,
    users: int,
    spawn_rate: float,
    duration: int,
    csv_prefix: Path,
    log_path: Path,
    journeys: list[str] | None = None,
) -> int:
    """Run locust headless for DURATION seconds; return its exit code (1 when any request failed)."""
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "-u",
        str(users),
        "-r",
        str(spawn_rate),
        "-t",
        f"{duration}s",
        "--csv",
        str(csv_prefix),
        "--host",
        host,
        "--only-summary",
        "--skip-log-setup",
        *(journeys or []),
    ]
    with log_path.open("wb") as log:
        try:
            completed = subprocess.run(
                command, stdout=log, stderr=subprocess.STDOUT, timeout=duration + 120, check=False
            )
        except subprocess.TimeoutExpired:
            raise BenchError(f"locust did not finish within {duration + 120} s; see {log_path}.") from None
    if not stats_file(csv_prefix).exists():
        raise BenchError(
            f"locust wrote no statistics (exit code {completed.returncode}); its log ends:\n{_tail(log_path)}"
        )
    return completed.returncode


# One of each kind of request before measuring, a few times so every worker sees them: the first
# request of a kind pays for template compilation, connection set-up and cold database pages.
WARM_UP_PATHS = ["/", "/reference/offences", "/reference/offences?q=theft", "/api/v1/reference/offences?q=theft"]


def warm_up(host: str, workers: int) -> None:
    with httpx.Client(base_url=host, timeout=30.0) as client:
        for _ in range(2 * workers):
            for path in WARM_UP_PATHS:
                client.get(path)


def new_results_dir(root: Path) -> Path:
    path = root / datetime.now().strftime("%Y%m%d-%H%M%S")
    path.mkdir(parents=True, exist_ok=True)
    return path


def measure(host: str, options: BenchOptions, results_dir: Path, progress: IO[str] | None = None) -> BenchResult:
    """Run locust against HOST and read its table."""
    prefix = results_dir / "locust"
    if progress:
        print(
            f"Running {options.users} users (spawning {options.spawn_rate:g}/s) for {options.duration} s "
            f"against {host} ...",
            file=progress,
            flush=True,
        )
    code = run_locust(
        host,
        options.users,
        options.spawn_rate,
        options.duration,
        prefix,
        results_dir / "locust.log",
        options.journeys,
    )
    users = peak_users(prefix.with_name(prefix.name + "_stats_history.csv")) or options.users
    table = read_stats(stats_file(prefix), users=users)
    return BenchResult(table=table, results_dir=results_dir, locust_exit_code=code)


def run_bench(settings: Settings, options: BenchOptions, progress: IO[str] | None = None) -> BenchResult:
    """The whole `caselink bench`: a server (given or started here), locust, the table."""
    check_journeys(options.journeys)
    if options.url:
        check_reachable(options.url)
        return measure(options.url.rstrip("/"), options, new_results_dir(options.results_root), progress)

    results_dir = new_results_dir(options.results_root)

    if progress:
        print("Preparing the database (migrations, standing data, demo data) ...", file=progress, flush=True)
    url, embedded = prepare_database(settings, options.people or settings.demo_people, progress)
    try:
        workers = options.workers or settings.workers
        if progress:
            print(f"Starting Caselink with {workers} worker(s) ...", file=progress, flush=True)
        with app_server(url, results_dir / "server.log", workers=workers) as host:
            warm_up(host, workers)
            return measure(host, options, results_dir, progress)
    finally:
        # Leave a database we found running alone (`caselink run` may be using it).
        if embedded is not None and embedded.started_here:
            embedded.stop()


# -- micro-benchmarks -----------------------------------------------------------------------------
def micro_modules() -> list[str]:
    return sorted(path.stem for path in BENCH_DIR.glob("micro_*.py"))


def run_micro(names: list[str], output: IO[str]) -> dict[str, int]:
    """Run each micro-benchmark module as `python -m caselink.bench.<name>`, streaming its output;
    return each one's exit code."""
    codes: dict[str, int] = {}
    for name in names:
        print(f"== {name} ==", file=output, flush=True)
        process = subprocess.Popen(
            [sys.executable, "-m", f"caselink.bench.{name}"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert process.stdout is not None
        for line in process.stdout:
            output.write(line)
            output.flush()
        codes[name] = process.wait()
        print(file=output, flush=True)
    return codes
