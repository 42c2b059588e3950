"""Change capture on v1.0's database: a trigger on each migrated table logs every change
into `cutover_changes` (cutover/changes.py), which the sync reads in order.

One PL/pgSQL function per table, `cutover_capture_<table>()`, fired by the trigger
`cutover_capture` AFTER INSERT, UPDATE or DELETE of each row. What a logged row says
(the sync relies on it; docs/cutover.md):

- `operation`: insert, delete; soft_delete when `deleted_at` goes from NULL to a value;
  password when `users.password_hash` changes (whatever else changed with it); else
  update. An UPDATE that changes nothing logs nothing.
- `row_id`: the primary key as text (user_settings: its user_id).
- `user_id`: the owning v1.0 user. NULL only for a game_sessions or summaries row deleted
  by the cascade of its parent's delete (the parent is gone by then): the parent's own
  DELETE, in the same transaction, names the user.
- `old_row` / `new_row`: the row as `to_jsonb`, without transcript_text, transcript_raw,
  password_hash and the OAuth tokens (refresh_token, access_token, id_token): no secrets
  and no megabytes in the log. An update of only those columns logs old_row = new_row:
  the sync re-reads the row.

Nothing is logged while `cutover.origin` is 'mirror' (the mirror's `SET LOCAL`), so
this app's own writes do not come back. The functions are SECURITY DEFINER: v1.0's role
needs no privilege on the log, and a trigger can never make one of v1.0's writes fail
for want of one. Everything else here is plain SQL on a psycopg connection.
"""

from dataclasses import dataclass, field

import psycopg
from psycopg import sql
from psycopg.rows import namedtuple_row

from cutover.changes import (
    CHANGES_DDL,
    DELETE,
    INSERT,
    MIRROR_ORIGIN,
    MIRROR_SETTING,
    PASSWORD,
    SOFT_DELETE,
    UPDATE,
)
from cutover.ids import CAMPAIGN, IDS_DDL, SESSION, USER, remember_many
from v1.mapping import campaign_id_for, session_id_for
from v1.source import SourceUnavailable, first_line

TRIGGER = "cutover_capture"
LOCK_TIMEOUT = "5s"  # CREATE/DROP TRIGGER waits for v1.0's open transactions; v1.0's writes queue behind it


@dataclass(frozen=True)
class CapturedTable:
    name: str
    key: str  # the column row_id is made of
    owner: str  # SQL giving the owning user's id from the row `{row}` (OLD or NEW)
    hidden: tuple = ()  # columns never copied into the log
    soft_delete: bool = False  # has deleted_at

    @property
    def function(self):
        return f"cutover_capture_{self.name}"


CAPTURED = (
    CapturedTable("users", "id", "{row}.id", hidden=("password_hash",)),
    CapturedTable("user_settings", "user_id", "{row}.user_id"),
    CapturedTable("accounts", "id", '{row}."userId"', hidden=("refresh_token", "access_token", "id_token")),
    CapturedTable("campaigns", "id", "{row}.owner_id", soft_delete=True),
    CapturedTable(
        "game_sessions",
        "id",
        "coalesce((SELECT c.owner_id FROM {schema}.campaigns c WHERE c.id = {row}.campaign_id),"
        " {schema}.cutover_deleted_owner('campaigns', {row}.campaign_id::text))",
        hidden=("transcript_text", "transcript_raw"),
        soft_delete=True,
    ),
    CapturedTable(
        "summaries",
        "id",
        "coalesce((SELECT c.owner_id FROM {schema}.game_sessions g JOIN {schema}.campaigns c ON c.id = g.campaign_id"
        " WHERE g.id = {row}.session_id), {schema}.cutover_deleted_owner('game_sessions', {row}.session_id::text))",
    ),
)
CAPTURED_TABLES = tuple(table.name for table in CAPTURED)


def connect(dsn):
    """A connection to v1.0's database that can write (install, uninstall); a bad DSN or a
    database without v1.0's tables raises SourceUnavailable with one line, as import_v1."""
    try:
        conn = psycopg.connect(dsn, connect_timeout=10, autocommit=True)
    except psycopg.Error as error:
        raise SourceUnavailable(f"cannot connect to v1.0's database: {first_line(error)}") from None
    missing = [name for name in CAPTURED_TABLES if not _exists(conn, name)]
    if missing:
        conn.close()
        raise SourceUnavailable(f"this database does not look like v1.0's: no table {', '.join(missing)}")
    return conn


def _exists(conn, relation):
    return conn.execute("SELECT to_regclass(%s) IS NOT NULL", [relation]).fetchone()[0]


OWNER_OF_DELETED = "cutover_deleted_owner"


def owner_of_deleted_body(schema):
    """SQL of cutover_deleted_owner(table, row_id): the user of a row deleted earlier in this
    transaction, from its DELETE in the log. A cascade deletes the parent first and logs it
    before the children (PostgreSQL fires the cascade's triggers after the parent's)."""
    return f"""
SELECT l.user_id FROM "{schema}".cutover_changes l
WHERE l.operation = '{DELETE}' AND l.row_id = $2 AND l.xid = pg_current_xact_id() AND l.table_name = $1
ORDER BY l.id DESC LIMIT 1
"""


def function_body(table, schema):
    """The PL/pgSQL of one table's trigger function (install compares it with what is there)."""
    quoted = f'"{schema}"'
    hidden = ", ".join(f"'{column}'" for column in table.hidden)
    blank = "".join(f"\n    {copy}.{column} := NULL;" for copy in ("old_copy", "new_copy") for column in table.hidden)
    hidden_changed = "".join(f"\n     OR OLD.{column} IS DISTINCT FROM NEW.{column}" for column in table.hidden)
    rules = ""
    if "password_hash" in table.hidden:
        rules += (
            "\n  IF TG_OP = 'UPDATE' AND OLD.password_hash IS DISTINCT FROM NEW.password_hash"
            f" THEN op := '{PASSWORD}'; END IF;"
        )
    if table.soft_delete:
        rules += (
            "\n  IF TG_OP = 'UPDATE' AND OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL"
            f" THEN op := '{SOFT_DELETE}'; END IF;"
        )
    owner_old = table.owner.format(row="OLD", schema=quoted)
    owner_new = table.owner.format(row="NEW", schema=quoted)
    return f"""
DECLARE
  old_copy {quoted}.{table.name}%ROWTYPE;
  new_copy {quoted}.{table.name}%ROWTYPE;
  op text;
BEGIN
  IF current_setting('{MIRROR_SETTING}', true) = '{MIRROR_ORIGIN}' THEN
    RETURN NULL;  -- the mirror's own write: logging it would echo it back
  END IF;
  IF TG_OP <> 'INSERT' THEN old_copy := OLD; END IF;
  IF TG_OP <> 'DELETE' THEN new_copy := NEW; END IF;
  -- big and secret columns are blanked before the copies are compared or made JSON,
  -- so a multi-megabyte transcript is never turned into JSON{blank}
  IF TG_OP = 'UPDATE' AND NOT (old_copy IS DISTINCT FROM new_copy{hidden_changed}) THEN
    RETURN NULL;  -- nothing changed
  END IF;
  op := CASE TG_OP WHEN 'INSERT' THEN '{INSERT}' WHEN 'DELETE' THEN '{DELETE}' ELSE '{UPDATE}' END;{rules}
  INSERT INTO {quoted}.cutover_changes (table_name, operation, row_id, user_id, old_row, new_row)
  VALUES (
    '{table.name}',
    op,
    CASE WHEN TG_OP = 'DELETE' THEN OLD.{table.key}::text ELSE NEW.{table.key}::text END,
    CASE WHEN TG_OP = 'DELETE' THEN {owner_old} ELSE {owner_new} END,
    CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE to_jsonb(old_copy) - ARRAY[{hidden}]::text[] END,
    CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE to_jsonb(new_copy) - ARRAY[{hidden}]::text[] END
  );
  RETURN NULL;
END
"""


@dataclass
class Installed:
    triggers_added: list = field(default_factory=list)  # tables that got the trigger now
    functions_written: list = field(default_factory=list)  # functions created or replaced now
    remembered: dict = field(default_factory=dict)  # kind -> id pairs added now

    @property
    def changed(self):
        return bool(self.triggers_added or self.functions_written or any(self.remembered.values()))


def install(conn, *, user_pairs):
    """Create the log, the id pairs and the triggers, in one transaction; what is already
    there is left as it is. `user_pairs`: [(v1.0 user id, sub)] of the imported accounts,
    the account's own user first (cutover_ids keeps one v1.0 user per sub: a later pair of
    the same sub is skipped). The campaigns and sessions of all those users are paired by
    the import's derived ids."""
    result = Installed()
    with conn.transaction():
        schema = _schema(conn)
        conn.execute(CHANGES_DDL)
        conn.execute(IDS_DDL)
        result.remembered = _remember_imported(conn, user_pairs=user_pairs)
        # Last, so that the tables are locked against v1.0's writes only for a moment.
        conn.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
        existing = _our_functions(conn, schema)
        tables_with_trigger = _tables_with_trigger(conn, schema)
        if existing.get(OWNER_OF_DELETED) != owner_of_deleted_body(schema):
            _write_function(
                conn,
                schema,
                OWNER_OF_DELETED,
                "text, text",
                "integer LANGUAGE sql STABLE",
                owner_of_deleted_body(schema),
            )
            result.functions_written.append(OWNER_OF_DELETED)
        for table in CAPTURED:
            body = function_body(table, schema)
            if existing.get(table.function) != body:
                _write_function(conn, schema, table.function, "", "trigger LANGUAGE plpgsql", body)
                result.functions_written.append(table.function)
            if table.name not in tables_with_trigger:
                _create_trigger(conn, schema, table)
                result.triggers_added.append(table.name)
    return result


def _schema(conn):
    """Where v1.0's tables are (the search_path's first schema): the functions name it."""
    return conn.execute("SELECT current_schema()").fetchone()[0]


def _write_function(conn, schema, name, arguments, returns, body):
    # SECURITY DEFINER runs as whoever installed: v1.0's role needs no right on the log.
    # A fixed search_path (and schema-qualified names in the body) is what makes that safe.
    function = sql.SQL("{}.{}({})").format(sql.Identifier(schema), sql.Identifier(name), sql.SQL(arguments))
    conn.execute(
        sql.SQL(
            "CREATE OR REPLACE FUNCTION {} RETURNS {} SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS {}"
        ).format(function, sql.SQL(returns), sql.Literal(body))
    )
    conn.execute(sql.SQL("REVOKE ALL ON FUNCTION {} FROM PUBLIC").format(function))


def _create_trigger(conn, schema, table):
    conn.execute(
        sql.SQL(
            "CREATE OR REPLACE TRIGGER {} AFTER INSERT OR UPDATE OR DELETE ON {}.{}"
            " FOR EACH ROW EXECUTE FUNCTION {}.{}()"
        ).format(
            sql.Identifier(TRIGGER),
            sql.Identifier(schema),
            sql.Identifier(table.name),
            sql.Identifier(schema),
            sql.Identifier(table.function),
        )
    )


def _our_functions(conn, schema):
    rows = conn.execute(
        "SELECT p.proname, p.prosrc FROM pg_proc p WHERE p.pronamespace = %s::regnamespace AND p.proname = ANY(%s)",
        [schema, [table.function for table in CAPTURED] + [OWNER_OF_DELETED]],
    ).fetchall()
    return dict(rows)


def _tables_with_trigger(conn, schema):
    rows = conn.execute(
        """
        SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
        WHERE c.relnamespace = %s::regnamespace AND t.tgname = %s AND NOT t.tgisinternal
        """,
        [schema, TRIGGER],
    ).fetchall()
    return {row[0] for row in rows}


def _remember_imported(conn, *, user_pairs):
    """Pairs for the imported users and their campaigns and sessions: {kind: pairs added}."""
    before = _pair_counts(conn)
    remember_many(conn, kind=USER, pairs=user_pairs)
    owners = sorted({int(v1_id) for v1_id, _ in user_pairs})
    with conn.cursor(row_factory=namedtuple_row) as cursor:
        campaigns = cursor.execute("SELECT id, created_at FROM campaigns WHERE owner_id = ANY(%s)", [owners]).fetchall()
        remember_many(conn, kind=CAMPAIGN, pairs=[(row.id, campaign_id_for(row)) for row in campaigns])
        sessions = cursor.execute(
            "SELECT g.id, g.created_at FROM game_sessions g JOIN campaigns c ON c.id = g.campaign_id"
            " WHERE c.owner_id = ANY(%s)",
            [owners],
        ).fetchall()
        remember_many(conn, kind=SESSION, pairs=[(row.id, session_id_for(row)) for row in sessions])
    after = _pair_counts(conn)
    return {kind: after.get(kind, 0) - before.get(kind, 0) for kind in (USER, CAMPAIGN, SESSION)}


def _pair_counts(conn):
    return dict(conn.execute("SELECT kind, count(*) FROM cutover_ids GROUP BY kind").fetchall())


@dataclass
class Uninstalled:
    triggers_dropped: list
    log_dropped: bool


def uninstall(conn, *, drop_log=False):
    """Drop our triggers and functions, nothing else of v1.0's. The log and the id pairs
    stay (the sync may still be reading, the mirror still pairs ids) unless `drop_log`,
    which drops the log; cutover_ids always stays."""
    with conn.transaction():
        schema = _schema(conn)
        conn.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
        had_trigger = _tables_with_trigger(conn, schema)
        for table in CAPTURED:
            if table.name in had_trigger:
                conn.execute(
                    sql.SQL("DROP TRIGGER {} ON {}.{}").format(
                        sql.Identifier(TRIGGER), sql.Identifier(schema), sql.Identifier(table.name)
                    )
                )
            conn.execute(
                sql.SQL("DROP FUNCTION IF EXISTS {}.{}()").format(
                    sql.Identifier(schema), sql.Identifier(table.function)
                )
            )
        conn.execute(
            sql.SQL("DROP FUNCTION IF EXISTS {}.{}(text, text)").format(
                sql.Identifier(schema), sql.Identifier(OWNER_OF_DELETED)
            )
        )
        log_dropped = drop_log and _exists(conn, "cutover_changes")
        if log_dropped:
            conn.execute("DROP TABLE cutover_changes")
    return Uninstalled(
        triggers_dropped=[name for name in CAPTURED_TABLES if name in had_trigger], log_dropped=log_dropped
    )


@dataclass
class CaptureStatus:
    tables_with_trigger: list
    tables_without_trigger: list
    logged: int | None  # rows in cutover_changes; None: no log table
    unread: int | None  # rows after `after`
    oldest_unread: object  # datetime or None


def status(conn, *, after):
    """Which tables have the trigger, how many changes are logged and how many (and since
    when) lie after the position `after` (the sync's watermark)."""
    schema = _schema(conn)
    with_trigger = _tables_with_trigger(conn, schema)
    logged = unread = oldest = None
    if _exists(conn, "cutover_changes"):
        logged = conn.execute("SELECT count(*) FROM cutover_changes").fetchone()[0]
        unread, oldest = conn.execute(
            "SELECT count(*), min(changed_at) FROM cutover_changes WHERE (xid, id) > (%s::text::xid8, %s)",
            [str(after[0]), after[1]],
        ).fetchone()
    return CaptureStatus(
        tables_with_trigger=[name for name in CAPTURED_TABLES if name in with_trigger],
        tables_without_trigger=[name for name in CAPTURED_TABLES if name not in with_trigger],
        logged=logged,
        unread=unread,
        oldest_unread=oldest,
    )
