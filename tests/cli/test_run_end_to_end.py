"""`caselink run` (what `make run` calls) end to end, in a subprocess on a fresh data folder:
it sets up and serves, refuses a second run on the same folder, stops cleanly on Ctrl-C with the
embedded PostgreSQL it started, and a second start keeps the data."""

from __future__ import annotations

import asyncio
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import asyncpg
import httpx
import pytest

from caselink.db.embedded import EmbeddedPostgres, free_port, port_is_free

CASELINK = Path(sys.executable).with_name("caselink")
# A guard against a hung start, not a performance requirement.
START_GUARD_SECONDS = 300

pytestmark = pytest.mark.slow


@dataclass
class Caselink:
    process: subprocess.Popen[str]
    lines: list[str]

    @property
    def output(self) -> str:
        return "\n".join(self.lines)


def environment(data_dir: Path, http_port: int, pg_port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL" and not k.startswith("CASELINK_")}
    env.update(
        CASELINK_DATA_DIR=str(data_dir),
        CASELINK_PORT=str(http_port),
        CASELINK_EMBEDDED_PG_PORT=str(pg_port),
        CASELINK_DEMO_PEOPLE="10",
        CASELINK_WORKERS="2",
        CASELINK_LOG_JSON="false",
    )
    return env


def start_caselink(env: dict[str, str], log: Path) -> Caselink:
    """Start `caselink run` in its own session, as a terminal would, and wait for "running at"."""
    process = subprocess.Popen(
        [str(CASELINK), "run"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=log.open("w"),
        text=True,
        start_new_session=True,
    )
    assert process.stdout is not None
    lines: list[str] = []
    arrived: queue.Queue[str | None] = queue.Queue()

    def read(stdout: IO[str]) -> None:
        for line in stdout:
            arrived.put(line.rstrip("\n"))
        arrived.put(None)

    threading.Thread(target=read, args=(process.stdout,), daemon=True).start()
    while True:
        try:
            line = arrived.get(timeout=START_GUARD_SECONDS)
        except queue.Empty:
            process.kill()
            pytest.fail("caselink run did not say it was running:\n" + "\n".join(lines))
        if line is None:
            pytest.fail("caselink run ended before serving:\n" + "\n".join(lines) + "\n" + log.read_text())
        lines.append(line)
        if "Caselink is running at" in line:
            break

    def keep_reading() -> None:
        while (line := arrived.get()) is not None:
            lines.append(line)

    threading.Thread(target=keep_reading, daemon=True).start()
    return Caselink(process, lines)


def sql(url: str, query: str) -> Any:
    async def run() -> Any:
        conn = await asyncpg.connect(url)
        try:
            return await conn.fetchval(query)
        finally:
            await conn.close()

    return asyncio.run(run())


def press_ctrl_c(caselink: Caselink) -> int:
    # A terminal's Ctrl-C reaches the whole foreground process group: the runner and its workers.
    os.killpg(caselink.process.pid, signal.SIGINT)
    return caselink.process.wait(timeout=120)


def test_run_serves_refuses_a_second_run_stops_cleanly_and_keeps_the_data(tmp_path: Path) -> None:
    data_dir, http_port, pg_port = tmp_path / "data", free_port(), free_port()
    env = environment(data_dir, http_port, pg_port)
    base = f"http://127.0.0.1:{http_port}"
    embedded = EmbeddedPostgres(data_dir, pg_port)

    first = start_caselink(env, tmp_path / "first.log")
    try:
        assert f"Caselink is running at {base} – press Ctrl-C to stop" in first.lines
        assert "(new database cluster created)" in first.output
        with httpx.Client(base_url=base) as client:
            assert client.get("/healthz").json() == {"status": "ok"}
            start_page = client.get("/")
            assert start_page.status_code == 200
            assert "Caselink" in start_page.text
            assert client.get("/readyz").json()["migrations"] == "current"

        second = subprocess.run(
            [str(CASELINK), "run"], env=env, capture_output=True, text=True, timeout=120, check=False
        )
        assert second.returncode != 0
        assert second.stderr.strip() == (
            f"Caselink is already running from this folder (process {first.process.pid}) at {base}; "
            "stop it with Ctrl-C in its terminal first."
        )

        # The background worker started beside the web server seals new audit entries: a refused
        # request makes one.
        with httpx.Client(base_url=base) as client:
            assert client.get("/api/v1/tasks").status_code == 401
        assert sql(embedded.url(), "SELECT count(*) FROM audit_events") > 0
        for _ in range(300):
            if sql(embedded.url(), "SELECT count(*) FROM audit_events WHERE hash IS NULL") == 0:
                break
            time.sleep(0.1)
        assert sql(embedded.url(), "SELECT count(*) FROM audit_events WHERE hash IS NULL") == 0

        sql(embedded.url(), "CREATE TABLE e2e_marker AS SELECT 'kept' AS note")
    finally:
        exit_code = press_ctrl_c(first)

    assert exit_code == 0, first.output
    assert "Traceback" not in (tmp_path / "first.log").read_text()
    assert first.lines[-1] == f"Stopped the embedded PostgreSQL (data kept in {data_dir / 'postgres'})."
    assert embedded.running() is None
    assert port_is_free("127.0.0.1", pg_port) and port_is_free("127.0.0.1", http_port)

    again = start_caselink(env, tmp_path / "again.log")
    try:
        assert "(new database cluster created)" not in again.output
        assert "Demo data: 10 demo people already loaded; nothing generated." in again.output
        assert sql(embedded.url(), "SELECT note FROM e2e_marker") == "kept"
        assert httpx.get(f"{base}/readyz").status_code == 200
    finally:
        assert press_ctrl_c(again) == 0, again.output
    assert embedded.running() is None
