from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import psycopg
import pytest
from pg_harness import INSTALL_HINT, find_postgres_bin
from psycopg import sql

TEXTS = [
    "plain ascii",
    "Grüße aus Köln, naïve café",
    "Дракон и рыцарь",
    "竜の巣穴",
    "🐉🎲⚔️ crit! 👩🏽‍🚀",
    "quote ' backslash \\ tab \t newline \n done",
]
SAID_AT = datetime(2024, 2, 29, 21, 30, 15, 123456, tzinfo=ZoneInfo("Europe/Berlin"))


@pytest.mark.postgres
def test_server_creates_a_database_and_round_trips_text_and_time(postgres_server):
    with psycopg.connect(postgres_server.url(), autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier("harness_check")))
    try:
        with psycopg.connect(postgres_server.url("harness_check")) as conn:
            assert conn.execute("SHOW server_encoding").fetchone() == ("UTF8",)
            conn.execute("CREATE TABLE lines (id serial PRIMARY KEY, body text NOT NULL, said_at timestamptz NOT NULL)")
            with conn.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO lines (body, said_at) VALUES (%s, %s)", [(text, SAID_AT) for text in TEXTS]
                )
            conn.commit()

        with psycopg.connect(postgres_server.url("harness_check")) as conn:
            conn.execute("SET TIME ZONE 'America/Los_Angeles'")
            rows = conn.execute("SELECT body, said_at, length(body) FROM lines ORDER BY id").fetchall()
    finally:
        with psycopg.connect(postgres_server.url(), autocommit=True) as admin:
            admin.execute("DROP DATABASE harness_check WITH (FORCE)")

    assert [body for body, _, _ in rows] == TEXTS
    # Length in characters, not bytes: the text arrived as text.
    assert [length for _, _, length in rows] == [len(text) for text in TEXTS]
    for _, said_at, _ in rows:
        assert said_at == SAID_AT
        assert said_at.astimezone(UTC) == datetime(2024, 2, 29, 20, 30, 15, 123456, tzinfo=UTC)


@pytest.mark.postgres
def test_each_test_database_starts_empty(postgres_database):
    with psycopg.connect(postgres_database) as conn:
        tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()
        assert tables == (0,)
        conn.execute("CREATE TABLE left_behind (id int)")


@pytest.mark.postgres
def test_server_listens_only_on_loopback(postgres_server):
    with psycopg.connect(postgres_server.url()) as conn:
        assert conn.execute("SHOW listen_addresses").fetchone() == ("127.0.0.1",)
        assert conn.execute("SHOW fsync").fetchone() == ("off",)


def test_finds_postgres_on_path_or_in_debian_directories(tmp_path):
    for version in ("13", "15", "9"):
        bin_dir = tmp_path / version / "bin"
        bin_dir.mkdir(parents=True)
        for name in ("initdb", "pg_ctl", "postgres"):
            (bin_dir / name).touch(mode=0o755)
    (tmp_path / "16" / "bin").mkdir(parents=True)  # a leftover without binaries

    pattern = str(tmp_path / "*" / "bin")
    assert find_postgres_bin(path="", pattern=pattern) == tmp_path / "15" / "bin"
    assert find_postgres_bin(path=str(tmp_path / "13" / "bin"), pattern=pattern) == tmp_path / "13" / "bin"


def test_missing_postgres_is_reported_with_what_to_install(tmp_path):
    assert find_postgres_bin(path="", pattern=str(tmp_path / "*" / "bin")) is None
    assert "apt-get install postgresql" in INSTALL_HINT
    assert "make test" in INSTALL_HINT
