"""Retiring v1.0's PostgreSQL once 100 % of the traffic has held here (retire_v1,
docs/cutover.md): the gate, stopping the Lambda's mirror and sync, and the record.

The record is one item, PK `CUTOVER`, SK `RETIRED`: the backup's key, size and SHA-256,
the row counts the restore check matched, and the date after which the database may be
deleted. Once it is there, retire_v1 says so and does nothing more.
"""

import json
import shlex
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone
from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute

from campaigns_site import aws
from campaigns_site.provision import BACKUP_RETENTION_DAYS, BACKUPS_PREFIX
from campaigns_site.table import TableModel
from campaigns_site.table_keys import CUTOVER_PK
from cutover.state import list_shifts

RETIRED_SK = "RETIRED"
# What makes the deployed app mirror its writes into v1.0 and sync v1.0's into it.
MIRROR_VARIABLES = ("V1_MIRROR_DSN", "V1_SOURCE_DSN")


class NotYetHeld(Exception):
    """100 % has not held long enough, or was never reached: the message says why."""


class Retirement(TableModel, discriminator="CutoverRetired"):
    """PK `CUTOVER`, SK `RETIRED`."""

    at = UTCDateTimeAttribute()
    by = UnicodeAttribute()
    source = UnicodeAttribute()  # the database, as describe_dsn says it (no password)
    bucket = UnicodeAttribute()
    backup_key = UnicodeAttribute()
    backup_bytes = NumberAttribute()
    backup_sha256 = UnicodeAttribute()
    encryption = UnicodeAttribute()
    counts = UnicodeAttribute()  # JSON {table: rows}: the dump's and the restored copy's, equal
    delete_after = UTCDateTimeAttribute()
    forced = BooleanAttribute(default=False)

    @property
    def row_counts(self):
        return json.loads(self.counts)


def get_retirement():
    try:
        return Retirement.get(CUTOVER_PK, RETIRED_SK, consistent_read=True)
    except Retirement.DoesNotExist:
        return None


def record_retirement(*, by, source, backup, delete_after, forced):
    retirement = Retirement(
        CUTOVER_PK,
        RETIRED_SK,
        at=timezone.now(),
        by=by,
        source=source,
        bucket=backup.bucket,
        backup_key=backup.key,
        backup_bytes=backup.size,
        backup_sha256=backup.sha256,
        encryption=backup.encryption,
        counts=json.dumps(backup.counts, sort_keys=True),
        delete_after=delete_after,
        forced=forced,
    )
    retirement.save()
    return retirement


# --- the gate ------------------------------------------------------------------------------
@dataclass
class Held:
    since: object  # when the shift to 100 % was made
    days: float


def check_full_traffic_held(*, held_days):
    """The latest shift is to 100 % (not a rollback) and at least `held_days` old; returns
    Held, or raises NotYetHeld saying why."""
    shifts = list_shifts(limit=1)
    if not shifts:
        raise NotYetHeld("no traffic shift is recorded: move everyone here first (shift_traffic --percent 100)")
    latest = shifts[0]
    if latest.to_percent != 100 or latest.rollback:
        kind = "a rollback" if latest.rollback else "a shift"
        raise NotYetHeld(
            f"the latest traffic shift ({kind} on {latest.at:%Y-%m-%d %H:%M} UTC) is to {latest.to_percent:g} %, "
            "not 100 %"
        )
    held = Held(since=latest.at, days=(timezone.now() - latest.at) / timedelta(days=1))
    if held.days < held_days:
        until = latest.at + timedelta(days=held_days)
        raise NotYetHeld(
            f"100 % since {latest.at:%Y-%m-%d %H:%M} UTC, {held.days:.1f} days: it must hold {held_days} days, "
            f"until {until:%Y-%m-%d %H:%M} UTC"
        )
    return held


# --- the Lambda's environment --------------------------------------------------------------
def mirror_variables_on(function):
    """Which of MIRROR_VARIABLES the Lambda function has set."""
    configuration = aws.client("lambda").get_function_configuration(FunctionName=function)
    variables = configuration.get("Environment", {}).get("Variables", {})
    return [name for name in MIRROR_VARIABLES if name in variables]


def stop_mirror_on(function):
    """Remove MIRROR_VARIABLES from the function's environment, keeping every other
    variable (the request replaces the whole set); returns the names removed."""
    client = aws.client("lambda")
    variables = client.get_function_configuration(FunctionName=function).get("Environment", {}).get("Variables", {})
    removed = [name for name in MIRROR_VARIABLES if name in variables]
    if removed:
        kept = {name: value for name, value in variables.items() if name not in MIRROR_VARIABLES}
        client.update_function_configuration(FunctionName=function, Environment={"Variables": kept})
    return removed


def manual_stop_commands(function="campaign-sessions-production"):
    """The shell lines an operator runs to do what stop_mirror_on does."""
    name = shlex.quote(function)
    deletions = ", ".join(f".{variable}" for variable in MIRROR_VARIABLES)
    return [
        f"aws lambda get-function-configuration --function-name {name} --query Environment.Variables --output json"
        f" | jq '{{Variables: del({deletions})}}' > /tmp/env.json",
        f"aws lambda update-function-configuration --function-name {name} --environment file:///tmp/env.json",
        "rm /tmp/env.json",
    ]


# --- the backup's name and lifetime --------------------------------------------------------
def backup_key(now):
    return f"{BACKUPS_PREFIX}v1-final-{now:%Y%m%dT%H%M%SZ}.dump"


def delete_after(now):
    """The day after which the database may be deleted: the backup's lifetime, the bucket's
    lifecycle rule (provision), from now."""
    return now + timedelta(days=BACKUP_RETENTION_DAYS)
