"""Bad input to `caselink` and `make`: each case is one sentence saying what is wrong and what to
do, a non-zero exit, and no traceback. The CLI runs in a subprocess, as a person would run it."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from caselink.config import PROJECT_ROOT
from caselink.db.embedded import free_port
from caselink.runner import DataFolderLock

CASELINK = Path(sys.executable).with_name("caselink")
MACHINE_PG = "postgresql://root@127.0.0.1:5432"


def caselink(tmp_path: Path, *args: str, **env_overrides: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL" and not k.startswith("CASELINK_")}
    env.update(
        CASELINK_DATA_DIR=str(tmp_path / "data"),
        CASELINK_PORT=str(free_port()),
        CASELINK_EMBEDDED_PG_PORT=str(free_port()),
        CASELINK_LOG_JSON="false",
    )
    env.update(env_overrides)
    return subprocess.run([str(CASELINK), *args], env=env, capture_output=True, text=True, timeout=120, check=False)


def assert_one_sentence(result: subprocess.CompletedProcess[str], expected: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == [expected], result.stderr


def machine_pg_or_skip() -> None:
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=2).close()
    except OSError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip("no PostgreSQL at 127.0.0.1:5432 (CI runs this test)")


@pytest.fixture
def listening_port() -> Iterator[int]:
    """A port another program is listening on."""
    with socket.socket() as other_program:
        other_program.bind(("127.0.0.1", 0))
        other_program.listen()
        yield other_program.getsockname()[1]


# -- DATABASE_URL ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "mysql://root@localhost/caselink",
            "DATABASE_URL must be a PostgreSQL URL such as postgresql://user@host:5432/caselink, "
            "not one starting mysql://.",
        ),
        (
            "postgresql://root@localhost:five/caselink",
            "DATABASE_URL could not be read; use the form postgresql://user:password@host:5432/database.",
        ),
        (
            "postgresql://root@localhost:5432",
            "DATABASE_URL names no database; add one, as in postgresql://host/caselink.",
        ),
        (
            "postgresql://root@no-such-host.invalid/caselink",
            "The host 'no-such-host.invalid' in DATABASE_URL could not be found; check its spelling and your network.",
        ),
    ],
    ids=["bad-scheme", "unparseable", "no-database", "unknown-host"],
)
def test_a_broken_database_url(tmp_path: Path, url: str, expected: str) -> None:
    assert_one_sentence(caselink(tmp_path, "db", "upgrade", DATABASE_URL=url), expected)


@pytest.mark.parametrize("command", [("run",), ("db", "upgrade")])
def test_a_database_url_whose_server_is_not_running(tmp_path: Path, command: tuple[str, ...]) -> None:
    port = free_port()
    result = caselink(tmp_path, *command, DATABASE_URL=f"postgresql://root@127.0.0.1:{port}/caselink")
    assert_one_sentence(
        result,
        f"Caselink cannot reach PostgreSQL at 127.0.0.1:{port} named in DATABASE_URL (Connect call failed "
        f"('127.0.0.1', {port})); check the host and port and that the server is running.",
    )


def test_a_database_url_with_a_user_the_server_refuses(tmp_path: Path) -> None:
    machine_pg_or_skip()
    result = caselink(tmp_path, "db", "upgrade", DATABASE_URL="postgresql://no_such_role@127.0.0.1:5432/postgres")
    assert_one_sentence(
        result,
        "PostgreSQL at 127.0.0.1:5432 refused the user 'no_such_role' in DATABASE_URL "
        '(role "no_such_role" does not exist); check the user name and password.',
    )


def test_a_database_url_naming_a_missing_database(tmp_path: Path) -> None:
    machine_pg_or_skip()
    result = caselink(tmp_path, "run", DATABASE_URL=f"{MACHINE_PG}/caselink_no_such_database")
    assert_one_sentence(
        result,
        "The database 'caselink_no_such_database' named in DATABASE_URL does not exist on 127.0.0.1:5432; "
        "create it (createdb caselink_no_such_database) or name an existing one.",
    )


# -- the machine -------------------------------------------------------------------------------
@pytest.mark.parametrize("command", [("run",), ("db", "upgrade")])
def test_a_data_folder_that_cannot_be_written(tmp_path: Path, command: tuple[str, ...]) -> None:
    # Root may write anywhere, so make the folder impossible instead: its parent is a regular file.
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = caselink(tmp_path, *command, CASELINK_DATA_DIR=str(blocker / "data"))
    assert_one_sentence(
        result,
        f"Caselink cannot write to its data folder {blocker / 'data'} (Not a directory); give your user write "
        "permission to it or set CASELINK_DATA_DIR to a folder you can write to.",
    )


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write to any folder, whatever its permissions")
def test_a_data_folder_without_write_permission(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    result = caselink(tmp_path, "run", CASELINK_DATA_DIR=str(locked / "data"))
    assert_one_sentence(
        result,
        f"Caselink cannot write to its data folder {locked / 'data'} (Permission denied); give your user write "
        "permission to it or set CASELINK_DATA_DIR to a folder you can write to.",
    )


@pytest.mark.parametrize("command", ["run", "serve"])
def test_the_http_port_in_use(tmp_path: Path, listening_port: int, command: str) -> None:
    result = caselink(tmp_path, command, CASELINK_PORT=str(listening_port))
    assert_one_sentence(
        result,
        f"Port {listening_port} on 127.0.0.1 is already in use by another program; stop it or set "
        "CASELINK_PORT to a free port.",
    )


def test_the_embedded_postgresql_port_in_use(tmp_path: Path, listening_port: int) -> None:
    result = caselink(tmp_path, "run", CASELINK_EMBEDDED_PG_PORT=str(listening_port))
    assert_one_sentence(
        result,
        f"Port {listening_port} on 127.0.0.1 is already in use by another program, so the embedded PostgreSQL "
        "cannot start; stop that program or set CASELINK_EMBEDDED_PG_PORT to a free port.",
    )


def test_a_second_run_from_the_same_folder(tmp_path: Path) -> None:
    # The lock is what a running `caselink run` holds (the end-to-end test also tries a real one).
    lock = DataFolderLock(tmp_path / "data")
    lock.acquire("http://127.0.0.1:8123")
    try:
        result = caselink(tmp_path, "run")
    finally:
        lock.release()
    assert_one_sentence(
        result,
        f"Caselink is already running from this folder (process {os.getpid()}) at http://127.0.0.1:8123; "
        "stop it with Ctrl-C in its terminal first.",
    )


def test_serve_without_a_database(tmp_path: Path) -> None:
    result = caselink(tmp_path, "serve")
    assert_one_sentence(
        result,
        f"caselink serve needs DATABASE_URL or an embedded PostgreSQL already running in {tmp_path / 'data'}; "
        "set DATABASE_URL, or use `caselink run` to start everything.",
    )


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("CASELINK_PORT", "eighty", "CASELINK_PORT must be a whole number, not 'eighty'."),
        ("CASELINK_PORT", "70000", "CASELINK_PORT must be between 1 and 65535, not 70000."),
        ("CASELINK_WORKERS", "0", "CASELINK_WORKERS must be between 1 and 64, not 0."),
        ("CASELINK_DEMO_MODE", "perhaps", "CASELINK_DEMO_MODE must be true or false, not 'perhaps'."),
    ],
)
def test_a_setting_out_of_bounds(tmp_path: Path, variable: str, value: str, expected: str) -> None:
    assert_one_sentence(caselink(tmp_path, "run", **{variable: value}), expected)


# -- make --------------------------------------------------------------------------------------
@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """The files `make` reads, in a scratch folder, so its install steps run from scratch."""
    for name in ("Makefile", "package.json", "package-lock.json", "pyproject.toml"):
        shutil.copy(PROJECT_ROOT / name, tmp_path / name)
    return tmp_path


def make(project: Path, target: str, path: str, *variables: str) -> subprocess.CompletedProcess[str]:
    make_binary = shutil.which("make")
    assert make_binary, "make is needed to run the project"
    return subprocess.run(
        [make_binary, "--no-print-directory", "-C", str(project), target, *variables],
        env={"PATH": path, "HOME": str(project)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_make_without_node_or_npm(project_copy: Path) -> None:
    result = make(project_copy, "node_modules/.installed", str(project_copy / "empty-path"))
    assert result.returncode != 0
    assert result.stdout.strip() == (
        "Caselink needs Node.js and npm to install its front-end assets and standing data; install them "
        "(Debian: apt-get install nodejs npm) and run make again."
    )
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("python", ["missing", "too-old"])
def test_make_without_a_recent_python(project_copy: Path, python: str) -> None:
    interpreter = project_copy / "python3"
    if python == "too-old":
        # Stands in for Python 3.10: answers the version check with "no".
        interpreter.write_text("#!/bin/sh\nexit 1\n")
        interpreter.chmod(0o755)
    result = make(project_copy, ".venv/.installed", os.environ.get("PATH", ""), f"PYTHON={interpreter}")
    assert result.returncode != 0
    assert result.stdout.strip() == (
        f"Caselink needs Python 3.11 or newer as '{interpreter}'; install it or run make PYTHON=/path/to/python3.11."
    )
    assert not (project_copy / ".venv").exists()
