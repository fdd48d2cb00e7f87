"""The embedded PostgreSQL's lifecycle: start in a folder, reuse, stop and start again keeping the
data, and one clear sentence when its port or folder cannot be used."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from caselink.db.embedded import EmbeddedPostgres, free_port, port_is_free
from caselink.platform.errors import ConfigurationError


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedPostgres]:
    pg = EmbeddedPostgres(tmp_path_factory.mktemp("embedded"), free_port())
    pg.start()
    try:
        yield pg
    finally:
        pg.destroy()


async def test_start_creates_a_cluster_serving_the_caselink_database_on_loopback_only(
    server: EmbeddedPostgres,
) -> None:
    assert server.started_here and server.created_cluster and server.reused is None
    conn = await asyncpg.connect(server.url())
    try:
        assert await conn.fetchval("SELECT current_database()") == "caselink"
        assert await conn.fetchval("SHOW listen_addresses") == "127.0.0.1"
        assert await conn.fetchval("SHOW unix_socket_directories") == ""
    finally:
        await conn.close()


def test_a_second_start_on_the_same_folder_reuses_the_running_server(server: EmbeddedPostgres) -> None:
    running = server.running()
    assert running is not None
    # Configured for another port, it still finds the server by its folder.
    again = EmbeddedPostgres(server.data_dir, free_port())
    assert again.start() == server.url()
    assert again.reused == running
    assert not again.started_here and not again.created_cluster


def test_a_port_used_by_another_program_is_one_clear_sentence(tmp_path: Path) -> None:
    with socket.socket() as other_program:
        other_program.bind(("127.0.0.1", 0))
        other_program.listen()
        port = other_program.getsockname()[1]
        pg = EmbeddedPostgres(tmp_path / "data", port)
        with pytest.raises(ConfigurationError) as caught:
            pg.start()
    assert caught.value.detail == (
        f"Port {port} on 127.0.0.1 is already in use by another program, so the embedded PostgreSQL cannot "
        "start; stop that program or set CASELINK_EMBEDDED_PG_PORT to a free port."
    )
    assert not pg.started_here
    assert not (tmp_path / "data" / "postgres").exists()  # refused before creating anything


def test_a_data_folder_that_cannot_be_written_is_one_clear_sentence(tmp_path: Path) -> None:
    # Root may write anywhere, so make the folder impossible instead: its parent is a regular file.
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    pg = EmbeddedPostgres(blocker / "data", free_port())
    with pytest.raises(ConfigurationError) as caught:
        pg.start()
    assert caught.value.detail.startswith(f"Caselink cannot write to its data folder {blocker / 'data'} (")
    assert "set CASELINK_DATA_DIR to a folder you can write to." in caught.value.detail


def test_a_database_folder_holding_something_else_is_one_clear_sentence(tmp_path: Path) -> None:
    pgdata = tmp_path / "data" / "postgres"
    pgdata.mkdir(parents=True)
    (pgdata / "notes.txt").write_text("someone else's files")
    pg = EmbeddedPostgres(tmp_path / "data", free_port())
    with pytest.raises(ConfigurationError) as caught:
        pg.start()
    assert caught.value.detail.startswith(f"Caselink could not create the embedded PostgreSQL in {pgdata} (")
    assert caught.value.detail.endswith("set CASELINK_DATA_DIR to an empty or new folder.")
    assert (pgdata / "notes.txt").read_text() == "someone else's files"


def test_a_stale_pid_file_naming_another_program_is_not_taken_for_a_running_server(tmp_path: Path) -> None:
    pg = EmbeddedPostgres(tmp_path, free_port())
    pg.pgdata.mkdir()
    # This test's own process is alive but is not PostgreSQL, as after a crash and a reboot.
    (pg.pgdata / "postmaster.pid").write_text(f"{os.getpid()}\n{pg.pgdata}\n1700000000\n{pg.port}\n\n127.0.0.1\n")
    assert pg.running() is None


async def test_stop_then_start_keeps_the_data(server: EmbeddedPostgres) -> None:
    conn = await asyncpg.connect(server.url())
    try:
        await conn.execute("CREATE TABLE IF NOT EXISTS kept (note text); INSERT INTO kept VALUES ('still here')")
    finally:
        await conn.close()

    assert server.stop() is True
    assert server.running() is None
    assert port_is_free("127.0.0.1", server.port)
    assert server.stop() is False  # nothing left to stop

    restarted = EmbeddedPostgres(server.data_dir, server.port)
    restarted.start()
    assert restarted.started_here and not restarted.created_cluster
    conn = await asyncpg.connect(restarted.url())
    try:
        assert await conn.fetchval("SELECT note FROM kept") == "still here"
    finally:
        await conn.close()
