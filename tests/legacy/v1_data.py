"""A deterministic v1.0 data set: every awkward case issue 13 lists, plus ordinary users
to reach a size (`make bench-import` asks for 100,000 rows, about 500 users).

    dataset = build_v1_dataset(seed=13, target_rows=5_000)
    with psycopg.connect(url) as conn:
        create_v1_schema(conn)
        write_v1_dataset(conn, dataset)
    dataset.case("email_case_duplicates")   # -> [older user id, newer user id]
    dataset.objects                         # v1.0 bucket: key -> body, for moto

Rows are written with COPY, one table after another, parents first; the SERIAL
sequences are then moved past the ids written, as v1.0's own would be.
"""

from pathlib import Path

import v1_transcripts as bodies
from psycopg import sql
from v1_cases import CASES, V1_KINDS, add_awkward_cases
from v1_rows import SERIAL_TABLES, TABLE_COLUMNS, V1Builder, V1Dataset

__all__ = ["CASES", "V1Dataset", "build_v1_dataset", "create_v1_schema", "put_v1_objects", "write_v1_dataset"]

SCHEMA_FILE = Path(__file__).with_name("v1_schema.sql")
# Ordinary users share a few passwords, so their bcrypt hashes are made once per process.
BULK_PASSWORDS = 4
ZONES = [None, "UTC", "Europe/Berlin", "America/Los_Angeles", "Asia/Tokyo", "Australia/Sydney"]
THEMES = ["light", "dark", "system", None]
SYSTEMS = ["D&D 5e", "Pathfinder 2e", "Call of Cthulhu", "Blades in the Dark", None]


def create_v1_schema(conn):
    conn.execute(SCHEMA_FILE.read_text())


def build_v1_dataset(*, seed=13, target_rows=0, big_transcript_bytes=3 * 1024 * 1024):
    """Every awkward case, then ordinary users until the tables hold `target_rows` rows."""
    builder = V1Builder(seed)
    add_awkward_cases(builder, big_transcript_bytes=big_transcript_bytes)
    number = 0
    while builder.data.row_count() < target_rows:
        _add_ordinary_user(builder, number)
        number += 1
    return builder.data


def _add_ordinary_user(b, number):
    """About 200 rows: settings, 2-6 campaigns of 6-18 sessions, ~3 summaries a session."""
    rng = b.rng
    pool = number % BULK_PASSWORDS
    user_id = b.user(
        email=f"player{number:05d}@example.net",
        name=f"Player {number}",
        password=f"ordinary-password-{pool}",
        prefix=("2a", "2b")[pool % 2],
        salt_seed=-1 - pool,
    )
    b.settings(user_id, time_zone=rng.choice(ZONES), theme=rng.choice(THEMES))
    if number % 10 == 0:
        b.account(user_id, provider=rng.choice(["discord", "google"]))
    for campaign_number in range(rng.randint(2, 6)):
        campaign = b.campaign(user_id, name=f"Campaign {campaign_number}", game_system=rng.choice(SYSTEMS))
        for session_number in range(1, rng.randint(6, 18) + 1):
            session = b.session(campaign, number=session_number, title=f"Session {session_number}", **_transcript(b))
            for kind in rng.sample(V1_KINDS, rng.randint(0, 6)):
                b.summary(
                    session, kind=kind, content=f"Session {session_number}: the party {rng.choice(bodies.WORDS)}."
                )


def _transcript(b):
    """Fields of an ordinary session: a small transcript inline or in the bucket, or none; some shared."""
    rng = b.rng
    fields = {"share": rng.random() < 0.1}
    source = rng.random()
    if source < 0.4:
        fields["transcript_text"] = bodies.plain_text(bodies.spoken_lines(rng, rng.randint(5, 20)))
    elif source < 0.8:
        extension, render = rng.choice(bodies.OBJECT_FORMATS)
        key = f"transcripts/{b.uuid()}/upload.{extension}"
        fields["transcript_key"] = b.stored_object(key, render(bodies.spoken_lines(rng, rng.randint(5, 20))).encode())
        fields["transcript_filename"] = f"upload.{extension}"
    return fields


def write_v1_dataset(conn, dataset):
    """COPY every table, then set the SERIAL sequences past the ids written; commits."""
    with conn.cursor() as cursor:
        for table, columns in TABLE_COLUMNS.items():
            statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
                sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
            )
            with cursor.copy(statement) as copy:
                for row in dataset.rows[table]:
                    copy.write_row([row[column] for column in columns])
        for table in SERIAL_TABLES:
            cursor.execute(
                sql.SQL(
                    "SELECT setval(pg_get_serial_sequence({}, 'id'), coalesce(max(id), 0) + 1, false) FROM {}"
                ).format(sql.Literal(table), sql.Identifier(table))
            )
    conn.commit()


def put_v1_objects(s3, *, bucket, dataset):
    """Create v1.0's bucket (moto's, or the benchmark's local AWS) and put every object the
    data set names, except `missing_object_keys`."""
    s3.create_bucket(Bucket=bucket)
    for key, body in dataset.objects.items():
        s3.put_object(Bucket=bucket, Key=key, Body=body)
