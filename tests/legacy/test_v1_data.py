"""v1.0's schema and the generated v1.0 data set the import tests stand on (issue 13).

Each awkward case the generator names is looked up in the database by what makes it
awkward, so a case that stopped being generated, or stopped being awkward, fails here.
"""

import base64
import time

import bcrypt
import psycopg
import pytest
from v1_cases import CASES, V1_KINDS
from v1_data import build_v1_dataset, write_v1_dataset
from v1_rows import TABLE_COLUMNS

from campaigns_site import aws as aws_module
from sessions.transcripts.parsing import parse_transcript, parse_transcript_bytes
from sessions.transcripts.text import TranscriptError

OWNER_ZONE = """
    FROM game_sessions g JOIN campaigns c ON c.id = g.campaign_id
    LEFT JOIN user_settings s ON s.user_id = c.owner_id
"""
LOCAL_DAY = "(g.played_at AT TIME ZONE coalesce(s.time_zone, 'UTC'))::date"
UTC_DAY = "(g.played_at AT TIME ZONE 'UTC')::date"
NO_TRANSCRIPT = "transcript_key IS NULL AND transcript_text IS NULL AND transcript_raw IS NULL"
MARKED_UP = "{0} LIKE '%<script>%' AND position(chr(7) in {1}) > 0"

# Each case name -> a query returning (at least) the ids the data set names for it.
CASE_QUERIES = {
    "email_case_duplicates": """SELECT id FROM users WHERE lower(email) IN
        (SELECT lower(email) FROM users GROUP BY lower(email) HAVING count(*) > 1) ORDER BY created_at""",
    "email_null": "SELECT id FROM users WHERE email IS NULL",
    "email_invalid": "SELECT id FROM users WHERE email NOT LIKE '%@%'",
    "email_unverified": 'SELECT id FROM users WHERE "emailVerified" IS NULL',
    "oauth_only": 'SELECT u.id FROM users u JOIN accounts a ON a."userId" = u.id WHERE u.password_hash IS NULL',
    "oauth_and_password": "SELECT u.id FROM users u JOIN accounts a ON a.\"userId\" = u.id WHERE u.password_hash <> ''",
    "admin": "SELECT id FROM users WHERE role = 'admin'",
    "bcrypt_2a": "SELECT id FROM users WHERE password_hash LIKE '$2a$%'",
    "bcrypt_2b": "SELECT id FROM users WHERE password_hash LIKE '$2b$%'",
    "bcrypt_cost_10": "SELECT id FROM users WHERE substring(password_hash from 5 for 3) = '10$'",
    "bcrypt_cost_11": "SELECT id FROM users WHERE substring(password_hash from 5 for 3) = '11$'",
    "bcrypt_cost_12": "SELECT id FROM users WHERE substring(password_hash from 5 for 3) = '12$'",
    "user_markup": f"SELECT id FROM users WHERE {MARKED_UP.format('name', 'name')}",
    "no_user_settings": "SELECT id FROM users u WHERE NOT EXISTS (SELECT FROM user_settings s WHERE s.user_id = u.id)",
    "time_zone_null": "SELECT user_id FROM user_settings WHERE time_zone IS NULL",
    "theme_light": "SELECT user_id FROM user_settings WHERE theme = 'light'",
    "theme_dark": "SELECT user_id FROM user_settings WHERE theme = 'dark'",
    "theme_system": "SELECT user_id FROM user_settings WHERE theme = 'system'",
    "theme_null": "SELECT user_id FROM user_settings WHERE theme IS NULL",
    "played_at_previous_local_day": f"SELECT g.id {OWNER_ZONE} WHERE {LOCAL_DAY} < {UTC_DAY}",
    "played_at_next_local_day": f"SELECT g.id {OWNER_ZONE} WHERE {LOCAL_DAY} > {UTC_DAY}",
    "played_at_utc_late": f"""SELECT g.id {OWNER_ZONE}
        WHERE s.time_zone IS NULL AND extract(hour from g.played_at AT TIME ZONE 'UTC') = 23""",
    "played_at_null": "SELECT id FROM game_sessions WHERE played_at IS NULL",
    "campaign_soft_deleted": "SELECT id FROM campaigns WHERE deleted_at IS NOT NULL",
    "campaign_archived": "SELECT id FROM campaigns WHERE archived",
    "campaign_markup": f"SELECT id FROM campaigns WHERE {MARKED_UP.format('name', 'description')}",
    "session_soft_deleted": f"SELECT g.id {OWNER_ZONE} WHERE g.deleted_at IS NOT NULL AND c.deleted_at IS NULL",
    "session_in_soft_deleted_campaign": f"""SELECT g.id {OWNER_ZONE}
        WHERE g.deleted_at IS NULL AND c.deleted_at IS NOT NULL""",
    "session_number_null": "SELECT id FROM game_sessions WHERE session_number IS NULL",
    "session_number_zero": "SELECT id FROM game_sessions WHERE session_number = 0",
    "session_number_negative": "SELECT id FROM game_sessions WHERE session_number < 0",
    "session_number_repeated": """SELECT id FROM game_sessions g WHERE EXISTS (SELECT FROM game_sessions o
        WHERE o.campaign_id = g.campaign_id AND o.session_number = g.session_number AND o.id <> g.id)""",
    "session_markup": f"SELECT id FROM game_sessions WHERE {MARKED_UP.format('title', 'notes')}",
    "session_notes_over_budget": "SELECT id FROM game_sessions WHERE octet_length(notes) > 300000",
    "transcript_none": f"SELECT id FROM game_sessions WHERE {NO_TRANSCRIPT}",
    "transcript_text": "SELECT id FROM game_sessions WHERE transcript_text IS NOT NULL",
    "transcript_text_multi_megabyte": "SELECT id FROM game_sessions WHERE octet_length(transcript_text) > 2 << 20",
    "transcript_raw_utf16_bom": "SELECT id FROM game_sessions WHERE substring(transcript_raw from 1 for 2) = '\\xfffe'",
    "transcript_raw_cp1252": """SELECT id FROM game_sessions WHERE position('\\xe9'::bytea in transcript_raw) > 0
        AND substring(transcript_raw from 1 for 2) NOT IN ('\\xfffe', '\\xefbb')""",
    "transcript_raw_utf8_bom": "SELECT id FROM game_sessions WHERE substring(transcript_raw, 1, 3) = '\\xefbbbf'",
    "transcript_key": "SELECT id FROM game_sessions WHERE transcript_key IS NOT NULL",
    "transcript_key_missing_object": "SELECT id FROM game_sessions WHERE transcript_key IS NOT NULL",
    "transcript_unparseable": "SELECT id FROM game_sessions WHERE transcript_text LIKE 'WEBVTT%'",
    "share_token_no_expiry": "SELECT share_token FROM game_sessions WHERE share_expires_at IS NULL",
    "share_token_future_expiry": "SELECT share_token FROM game_sessions WHERE share_expires_at > '2090-01-01'",
    "share_token_expired": "SELECT share_token FROM game_sessions WHERE share_expires_at < now()",
    "share_token_dash_underscore": """SELECT share_token FROM game_sessions
        WHERE position('-' in share_token) > 0 AND position('_' in share_token) > 0""",
    "summaries_without_transcript": f"""SELECT id FROM game_sessions g WHERE {NO_TRANSCRIPT}
        AND EXISTS (SELECT FROM summaries WHERE session_id = g.id)""",
    **{f"summary_{kind}": f"SELECT id FROM summaries WHERE kind = '{kind}'" for kind in V1_KINDS},
    "summary_unknown_kind": f"SELECT id FROM summaries WHERE kind NOT IN ({', '.join(map(repr, V1_KINDS))})",
    "summary_without_model": "SELECT id FROM summaries WHERE model IS NULL AND prompt_tokens IS NULL",
    "summary_markup": f"SELECT id FROM summaries WHERE {MARKED_UP.format('content', 'content')}",
}
# Cases the SQL above cannot tell alone (a password, an object, the parser): checked by the tests below.
CHECKED_IN_PYTHON = {"password_over_72_bytes", "password_against_policy"}


def fetch_column(url, query):
    with psycopg.connect(url) as conn:
        return [row[0] for row in conn.execute(query)]


def test_every_case_is_generated_and_has_a_check(v1_dataset):
    assert set(v1_dataset.cases) == set(CASES)
    assert all(v1_dataset.case(name) for name in CASES)
    assert set(CASE_QUERIES) | CHECKED_IN_PYTHON == set(CASES)


def test_the_schema_is_v1s_tables_and_columns(v1_database):
    with psycopg.connect(v1_database) as conn:
        rows = conn.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' ORDER BY table_name, ordinal_position"
        ).fetchall()
    columns = {}
    for table, column in rows:
        columns.setdefault(table, []).append(column)
    assert columns == TABLE_COLUMNS


def test_the_generator_fills_every_table(v1_filled_database, v1_dataset):
    with psycopg.connect(v1_filled_database) as conn:
        counts = {table: conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in TABLE_COLUMNS}
        # The SERIAL sequences continue after the rows written, as v1.0's would.
        next_user = conn.execute("INSERT INTO users (name) VALUES ('new') RETURNING id").fetchone()[0]
    assert counts == v1_dataset.counts()
    assert all(counts.values())
    assert next_user == counts["users"] + 1


@pytest.mark.parametrize("case", sorted(CASE_QUERIES))
def test_each_awkward_case_is_in_the_database(v1_filled_database, v1_dataset, case):
    found = fetch_column(v1_filled_database, CASE_QUERIES[case])
    assert set(v1_dataset.case(case)) <= set(found)
    if case == "email_case_duplicates":
        assert found == v1_dataset.case(case)  # exactly the two, older first


def test_oauth_only_users_signed_in_with_discord_and_with_google(v1_filled_database, v1_dataset):
    ids = ", ".join(map(str, v1_dataset.case("oauth_only")))
    providers = fetch_column(v1_filled_database, f'SELECT provider FROM accounts WHERE "userId" IN ({ids})')
    assert sorted(providers) == ["discord", "google"]


def test_every_password_checks_against_its_hash_as_v1_did(v1_filled_database, v1_dataset):
    with psycopg.connect(v1_filled_database) as conn:
        hashes = dict(conn.execute("SELECT id, password_hash FROM users WHERE password_hash IS NOT NULL"))
    assert set(hashes) == set(v1_dataset.passwords)
    for user_id, password in v1_dataset.passwords.items():
        assert bcrypt.checkpw(password.encode()[:72], hashes[user_id].encode()), user_id
    (long_user,) = v1_dataset.case("password_over_72_bytes")
    assert len(v1_dataset.passwords[long_user].encode()) > 72
    (weak_user,) = v1_dataset.case("password_against_policy")
    assert len(v1_dataset.passwords[weak_user]) < 8  # the pool asks for at least 8


def test_played_at_names_the_owners_local_day(v1_filled_database, v1_dataset):
    with psycopg.connect(v1_filled_database) as conn:
        days = conn.execute(f"SELECT g.id, {LOCAL_DAY} {OWNER_ZONE}").fetchall()
    local_days = {session_id: day for session_id, day in days if session_id in v1_dataset.local_days}
    assert local_days == v1_dataset.local_days


def test_share_tokens_are_base64url_of_16_bytes(v1_filled_database):
    tokens = fetch_column(v1_filled_database, "SELECT share_token FROM game_sessions WHERE share_token IS NOT NULL")
    assert len(tokens) >= 4
    for token in tokens:
        assert len(token) == 22
        assert len(base64.urlsafe_b64decode(token + "==")) == 16


def test_transcripts_in_the_bucket_and_the_missing_one(v1_filled_database, v1_dataset):
    with psycopg.connect(v1_filled_database) as conn:
        keys = dict(conn.execute("SELECT id, transcript_key FROM game_sessions WHERE transcript_key IS NOT NULL"))
    present = [keys[session] for session in v1_dataset.case("transcript_key")]
    assert {key.rsplit(".", 1)[1] for key in present} == {"txt", "vtt", "srt", "json"}
    assert all(key in v1_dataset.objects for key in present)
    (missing_session,) = v1_dataset.case("transcript_key_missing_object")
    assert keys[missing_session] in v1_dataset.missing_object_keys
    assert keys[missing_session] not in v1_dataset.objects
    assert set(keys.values()) - set(v1_dataset.objects) == set(v1_dataset.missing_object_keys)


def test_v1_bucket_holds_every_object_but_the_missing_one(v1_bucket, v1_dataset):
    s3 = aws_module.client("s3")
    listed = s3.list_objects_v2(Bucket=v1_bucket)
    assert {item["Key"] for item in listed["Contents"]} == set(v1_dataset.objects)
    some_key = next(iter(v1_dataset.objects))
    assert s3.get_object(Bucket=v1_bucket, Key=some_key)["Body"].read() == v1_dataset.objects[some_key]
    (missing,) = v1_dataset.missing_object_keys
    with pytest.raises(s3.exceptions.NoSuchKey):
        s3.get_object(Bucket=v1_bucket, Key=missing)


def test_every_transcript_parses_as_an_upload_would_but_the_unparseable_one(v1_filled_database, v1_dataset):
    with psycopg.connect(v1_filled_database) as conn:
        rows = conn.execute(
            "SELECT id, transcript_text, transcript_raw, transcript_key, transcript_filename FROM game_sessions"
        ).fetchall()
    (unparseable,) = v1_dataset.case("transcript_unparseable")
    encodings = {}
    for session_id, text, raw, key, filename in rows:
        if key in v1_dataset.missing_object_keys or not (text or raw or key):
            continue
        if session_id == unparseable:
            with pytest.raises(TranscriptError):
                parse_transcript(text, filename=filename)
            continue
        if text is not None:
            assert parse_transcript(text, filename=filename).segments
        else:
            parsed = parse_transcript_bytes(raw or v1_dataset.objects[key], filename=filename)
            assert parsed.segments
            encodings[session_id] = parsed.encoding
    assert encodings[v1_dataset.case("transcript_raw_utf16_bom")[0]] == "utf-16-le"
    assert encodings[v1_dataset.case("transcript_raw_cp1252")[0]] == "cp1252"
    assert encodings[v1_dataset.case("transcript_raw_utf8_bom")[0]] == "utf-8"


def test_the_generator_is_deterministic():
    first = build_v1_dataset(seed=7, target_rows=300, big_transcript_bytes=10_000)
    again = build_v1_dataset(seed=7, target_rows=300, big_transcript_bytes=10_000)
    other = build_v1_dataset(seed=8, target_rows=300, big_transcript_bytes=10_000)
    assert (first.rows, first.objects, first.cases) == (again.rows, again.objects, again.cases)
    assert first.rows != other.rows


def test_it_scales_and_writes_thousands_of_rows_a_second(v1_database):
    dataset = build_v1_dataset(seed=13, target_rows=5_000, big_transcript_bytes=10_000)
    started = time.perf_counter()
    with psycopg.connect(v1_database) as conn:
        write_v1_dataset(conn, dataset)
        stored = conn.execute(
            "SELECT (SELECT count(*) FROM summaries), (SELECT count(*) FROM game_sessions)"
        ).fetchone()
    seconds = time.perf_counter() - started
    assert dataset.row_count() >= 5_000
    assert stored == (dataset.counts()["summaries"], dataset.counts()["game_sessions"])
    print(f"wrote {dataset.row_count()} v1.0 rows in {seconds:.2f} s: {dataset.row_count() / seconds:,.0f} rows/s")
