"""A user's usage counters, written with each change (docs/data-model.md, "Usage counters").

Two items count what a user holds, both by atomic ADDs in the same transaction as the
change itself, so a count never misses a change nor counts one that failed:
- their entry in the user directory (PK `DIRECTORY`, SK `USER#<sub>`: the item of
  campaigns_site.directory), whose counters are the totals staff list;
- their usage item of the month (PK `USER#<sub>`, SK `USAGE#<yyyy-mm>`), which holds
  the same deltas, so that the usage over time is one Query and the months add up to
  the totals.

The counters (plain numbers, a missing one is 0): campaigns, sessions, transcript_bytes,
summaries (the story so far is one), share_links (their pointers), summary_cost_usd (the
estimated model cost of the summaries the user holds: a replaced or deleted summary's
cost goes with it). The updates have no condition: a user whose directory entry is not
written yet still gets counted (the entry is then made of counters alone, and the
directory's own writes keep them).

A counter that drifted (a race of two deletes of the same items, a share link pointer
gone by its TTL, a change made before the counters existed) is put right by recount()
and repair_counters() (`manage.py recount_usage`).
"""

import weakref
from decimal import Decimal

from django.utils import timezone
from pynamodb.attributes import NumberAttribute
from pynamodb.expressions.operand import Path

from campaigns_site import dynamodb
from campaigns_site.table import TableModel
from campaigns_site.table_keys import (
    CAMPAIGN_PREFIX,
    DIRECTORY_PK,
    SESSION_PREFIX,
    SHARE_POINTER_PREFIX,
    USAGE_PREFIX,
    USER_PREFIX,
    directory_sk,
    usage_month_sk,
    user_pk,
)
from campaigns_site.transactions import Transaction

COUNTERS = ("campaigns", "sessions", "transcript_bytes", "summaries", "share_links", "summary_cost_usd")
SUMMARY_PREFIX = "SUMMARY#"
# The actions add_usage adds to a transaction: a transaction that fills itself to the
# limit (a cascade's batch of deletes) leaves this much room.
USAGE_ACTIONS = 2
ROOM_FOR_USAGE = Transaction.MAX_ACTIONS - USAGE_ACTIONS

DIRECTORY_ENTITY = "DirectoryEntry"  # campaigns_site.directory's item class


class UsageMonth(TableModel, discriminator="UsageMonth"):
    """PK `USER#<sub>`, SK `USAGE#<yyyy-mm>`: the change of each counter in that month.
    Written by add_usage's raw ADDs; this class only names the item type (`entity`)."""

    campaigns = NumberAttribute(default=0)
    sessions = NumberAttribute(default=0)
    transcript_bytes = NumberAttribute(default=0)
    summaries = NumberAttribute(default=0)
    share_links = NumberAttribute(default=0)
    summary_cost_usd = NumberAttribute(default=0)


# The usage already added to a transaction, per user: one transaction may update an item
# only once, so a second add_usage for the same user merges into the first.
_added = weakref.WeakKeyDictionary()


def add_usage(transaction, *, sub, **deltas):
    """Add to `transaction` the ADDs of `deltas` (counter name -> number, see COUNTERS) to
    the user's directory entry and to their usage item of this month. Zero deltas are left
    out, and nothing is added when all are zero. Adding twice for one user merges."""
    deltas = _checked(deltas)
    added = _added.setdefault(transaction, {})
    if sub in added:
        indexes, earlier = added[sub]
        deltas = _sum(earlier, deltas)
        for index, (key, adds) in zip(indexes, _usage_updates(sub, deltas), strict=True):
            transaction.actions[index] = dynamodb.transaction_action("Update", key=key, actions=adds)
        added[sub] = (indexes, deltas)
        return
    if not deltas:
        return
    indexes = [transaction.update(*key, actions=adds) for key, adds in _usage_updates(sub, deltas)]
    added[sub] = (indexes, deltas)


def record_usage(*, sub, **deltas):
    """add_usage for a change made outside a transaction: one TransactWriteItems of the two
    updates (none at all when every delta is zero)."""
    transaction = Transaction()
    add_usage(transaction, sub=sub, **deltas)
    transaction.commit()


def usage_by_month(*, sub):
    """[(month "yyyy-mm", {counter: delta})] oldest first: the change of each counter in
    each month the user changed something. One Query of the user's USAGE# items."""
    return [
        (item["SK"].removeprefix(USAGE_PREFIX), counters_of(item))
        for item in dynamodb.query(user_pk(sub), sk_prefix=USAGE_PREFIX)
    ]


def counters_of(item):
    """{counter: value} of a plain item (a directory entry or a usage item): 0 when absent."""
    return {name: item.get(name) or 0 for name in COUNTERS}


def stored_counters(*, sub):
    """The counters of the user's directory entry as stored (all 0 when it has none): one GetItem."""
    return counters_of(dynamodb.read_plain_item(DIRECTORY_PK, directory_sk(sub), attributes=list(COUNTERS)) or {})


def recount(*, sub):
    """The user's true counters, from what their partition holds: four Queries by prefix
    (campaigns, sessions with their transcript bytes, summaries with their estimated
    cost, share link pointers), keys and the counted attributes only."""
    pk = user_pk(sub)

    def items(prefix, *names):
        return dynamodb.query(pk, sk_prefix=prefix, attributes=["PK", "SK", *names])

    sessions = items(SESSION_PREFIX, "transcript_bytes")
    summaries = items(SUMMARY_PREFIX, "estimated_cost_usd")
    return {
        "campaigns": len(items(CAMPAIGN_PREFIX)),
        "sessions": len(sessions),
        "transcript_bytes": sum(int(session.get("transcript_bytes") or 0) for session in sessions),
        "summaries": len(summaries),
        "share_links": len(items(SHARE_POINTER_PREFIX)),
        "summary_cost_usd": sum((summary_cost(summary) for summary in summaries), Decimal(0)),
    }


def summary_cost(summary):
    """A summary's estimated cost as a Decimal, from a plain item or a Summary (stored as text)."""
    text = summary.get("estimated_cost_usd") if isinstance(summary, dict) else summary.estimated_cost_text
    try:
        return Decimal(str(text or "0"))
    except ArithmeticError:
        return Decimal(0)


def repair_counters(*, sub):
    """Put the user's counters right: recount(), compared with the stored counters, and
    the differences added (to the entry and to this month's usage item, so the months
    still add up to the totals). Returns {counter: difference added} ({} when all were
    right); running it again finds nothing to add."""
    true = recount(sub=sub)
    stored = stored_counters(sub=sub)
    differences = {name: true[name] - stored[name] for name in COUNTERS if true[name] != stored[name]}
    if differences:
        record_usage(sub=sub, **differences)
    return differences


def directory_subs():
    """The subs of every user in the directory: one Query of the DIRECTORY partition, keys only."""
    return [
        item["SK"].removeprefix(USER_PREFIX)
        for item in dynamodb.query(DIRECTORY_PK, sk_prefix=USER_PREFIX, attributes=["PK", "SK"])
    ]


# --- the actions ---------------------------------------------------------------------------------
def _checked(deltas):
    unknown = sorted(set(deltas) - set(COUNTERS))
    if unknown:
        raise ValueError(f"unknown usage counters {unknown}; expected some of {', '.join(COUNTERS)}")
    return {name: value for name, value in deltas.items() if value}


def _sum(first, second):
    total = {name: first.get(name, 0) + second.get(name, 0) for name in COUNTERS}
    return {name: value for name, value in total.items() if value}


def _usage_updates(sub, deltas):
    """The keys and ADD actions of add_usage's two updates (merged deltas that cancel out
    still ADD a zero: an update needs an action, and the indexes stay valid)."""
    deltas = deltas or {COUNTERS[0]: 0}
    adds = [dynamodb.add_number(name, value) for name, value in deltas.items()]
    month = timezone.now().strftime("%Y-%m")
    entity = Path(TableModel.entity.attr_name)
    return [
        # An entry the directory has not written yet is one of its own (the directory's
        # class), whose writes keep these counters.
        ((DIRECTORY_PK, directory_sk(sub)), [entity.set(entity | DIRECTORY_ENTITY), *adds]),
        ((user_pk(sub), usage_month_sk(month)), [entity.set(UsageMonth.__name__), *adds]),
    ]
