"""The user directory: one small item per user in the partition `DIRECTORY`, so staff list
users by email (a Query of LSI1, prefix search) and open one by sub (a GetItem), never a
Scan (docs/data-model.md, "User directory").

The facts (email, created, last sign-in, origin, staff, sign-in disabled, deleting) are
written here, where accounts change; the counters (campaigns, sessions, transcript
bytes, summaries, share links, summary cost) by campaigns_site.usage with ADD, which may
reach an item before its facts do. So no write here replaces the item whole: each one
is an UpdateItem of its own attributes and keeps the counters it finds.

In campaigns_site, not accounts: accounts, campaigns, sessions and v1 all write it.
"""

from django.utils import timezone
from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import DeleteError, UpdateError

from campaigns_site import prefetch
from campaigns_site.pagination import query_page
from campaigns_site.table import TableModel
from campaigns_site.table_keys import (
    DIRECTORY_EMAIL_PREFIX,
    DIRECTORY_PK,
    USER_PREFIX,
    directory_email_key,
    directory_sk,
)

ORIGINS = ("v1", "new", "import")  # imported from v1.0, signed up here, or made by manage.py import_data
COUNTERS = ("campaigns", "sessions", "transcript_bytes", "summaries", "share_links", "summary_cost_usd")
PAGE_SIZE = 25
MAX_PREFIX = 254  # the longest email address: a longer search cannot match anything


class DirectoryEntry(TableModel, discriminator="DirectoryEntry"):
    """PK `DIRECTORY`, SK `USER#<sub>`, LSI1SK `EMAIL#<email, lower case>#<sub>`."""

    email = UnicodeAttribute(null=True)  # null: only counters ADDed so far (usage.py)
    created = UTCDateTimeAttribute(null=True)
    last_sign_in = UTCDateTimeAttribute(null=True)
    origin = UnicodeAttribute(null=True)  # one of ORIGINS; null: not known yet (rebuild_directory)
    is_staff = BooleanAttribute(default=False)
    sign_in_disabled = BooleanAttribute(default=False)
    deleting_since = UTCDateTimeAttribute(null=True)
    # The counters: written by campaigns_site.usage (ADD), never here.
    campaigns = NumberAttribute(default=0)
    sessions = NumberAttribute(default=0)
    transcript_bytes = NumberAttribute(default=0)
    summaries = NumberAttribute(default=0)
    share_links = NumberAttribute(default=0)
    summary_cost_usd = NumberAttribute(default=0)
    # The RECENT_ACTIONS newest audit entries on this user, newest first, as JSON (written by
    # campaigns_site.audit in the same transaction as each entry), so the staff's page of
    # the user reads them with the entry. `actions_listed` counts the writes of the list (a
    # version for the conditional writes); absent: the list is not kept yet (an entry older
    # than issue 17), and the page asks the audit log instead.
    recent_actions = UnicodeAttribute(null=True)
    actions_listed = NumberAttribute(null=True)


def sub_of(entry):
    """The user's Cognito sub, from the entry's SK `USER#<sub>`."""
    return entry.sk.removeprefix(USER_PREFIX)


def _entry(sub):
    return DirectoryEntry(DIRECTORY_PK, directory_sk(sub))


def _facts(*, sub, email):
    """The actions that put an entry in the directory under `email` (its type and its
    place on LSI1): every write of the facts sets them, so an item the counters made
    first becomes a listed entry."""
    email = email.strip().lower()
    return [
        DirectoryEntry.entity.set(DirectoryEntry),
        DirectoryEntry.email.set(email),
        DirectoryEntry.lsi1sk.set(directory_email_key(email=email, sub=sub)),
    ]


def entry_keys(viewer_sub, /, sub):
    """What the staff's page of the user `sub` reads first (campaigns_site.prefetch): their
    entry. `viewer_sub`, the staff member's, is positional: the URL names the user `sub`."""
    return [(DIRECTORY_PK, directory_sk(sub))]


def get_entry(*, sub):
    """The user's entry (one strongly consistent GetItem, none when the page's session check
    read it: campaigns_site.prefetch), or None if they are not in the directory."""
    entry = prefetch.get_item(DirectoryEntry, DIRECTORY_PK, directory_sk(sub))
    return entry if entry is not None and entry.email else None  # counters alone: not listed yet


def list_entries(*, email_prefix="", cursor=None, limit=PAGE_SIZE):
    """One page of the directory in email order, of the emails starting with
    `email_prefix` (lower-cased); returns (entries, next_cursor). One Query of LSI1;
    raises campaigns_site.pagination.InvalidCursor for a cursor it did not sign (for this
    search)."""
    prefix = DIRECTORY_EMAIL_PREFIX + email_prefix.strip().lower()[:MAX_PREFIX]
    page = query_page(
        DirectoryEntry,
        DIRECTORY_PK,
        DirectoryEntry.lsi1sk.startswith(prefix),
        index=DirectoryEntry.second_sort_order,
        newest_first=False,
        cursor=cursor,
        limit=limit,
    )
    return page.items, page.next_cursor


def all_entries():
    """Every item of the directory's partition, those with counters only too: a Query, page
    after page (manage.py rebuild_directory; never a request path, which pages)."""
    return DirectoryEntry.query(DIRECTORY_PK, consistent_read=True)


def record_sign_up(*, sub, email, created, origin, is_staff=False):
    """A new account (sign-up, the v1.0 import, the demo): one UpdateItem, which makes the
    entry or completes one the counters made first. Keeps an earlier `created` and
    `origin` (a re-run of the import, a sign-up retried) and every counter."""
    if origin not in ORIGINS:
        raise ValueError(f"Unknown origin {origin!r}: one of {', '.join(ORIGINS)}.")
    # A new sign-up is a new sub, which no audit entry can name yet: its list of recent
    # actions is known (empty). Not so for an imported account: the list is made by the
    # first action on it or by manage.py list_recent_actions.
    known_empty = (
        [
            DirectoryEntry.recent_actions.set(DirectoryEntry.recent_actions | "[]"),
            DirectoryEntry.actions_listed.set(DirectoryEntry.actions_listed | 0),
        ]
        if origin == "new"
        else []
    )
    _entry(sub).update(
        actions=[
            *_facts(sub=sub, email=email),
            DirectoryEntry.created.set(DirectoryEntry.created | created),
            DirectoryEntry.origin.set(DirectoryEntry.origin | origin),
            DirectoryEntry.is_staff.set(is_staff),
            *known_empty,
        ]
    )


def record_sign_in(*, sub, email, at, is_staff=None, created=None):
    """A sign-in: one UpdateItem of the last sign-in and the email (and its LSI1 key: the
    email may have changed in Cognito), and the staff flag if given (Cognito's group).
    An account older than the directory gets its entry here, with `created` if given
    (its profile's) and no origin until `manage.py rebuild_directory` says which."""
    actions = [*_facts(sub=sub, email=email), DirectoryEntry.last_sign_in.set(at)]
    if is_staff is not None:
        actions.append(DirectoryEntry.is_staff.set(is_staff))
    if created is not None:
        actions.append(DirectoryEntry.created.set(DirectoryEntry.created | created))
    _entry(sub).update(actions=actions)


def write_entry(*, sub, email, created, origin, is_staff, sign_in_disabled, deleting_since=None):
    """Set every fact of the entry as given (manage.py rebuild_directory corrects the
    directory from the profiles and Cognito); keeps the counters and the last sign-in."""
    if origin not in ORIGINS:
        raise ValueError(f"Unknown origin {origin!r}: one of {', '.join(ORIGINS)}.")
    deleting = (
        DirectoryEntry.deleting_since.set(deleting_since)
        if deleting_since is not None
        else DirectoryEntry.deleting_since.remove()
    )
    _entry(sub).update(
        actions=[
            *_facts(sub=sub, email=email),
            DirectoryEntry.created.set(created),
            DirectoryEntry.origin.set(origin),
            DirectoryEntry.is_staff.set(is_staff),
            DirectoryEntry.sign_in_disabled.set(sign_in_disabled),
            deleting,
        ]
    )


def set_sign_in_disabled(*, sub, disabled):
    """Record that sign-in is disabled (or enabled again) in Cognito; False if the user has
    no entry (nothing is created: rebuild_directory adds it)."""
    return _update_listed(sub, [DirectoryEntry.sign_in_disabled.set(bool(disabled))])


def set_staff_flag(*, sub, is_staff):
    """Record the staff flag (the Cognito group and the profile changed with it, in
    accounts.staff); False if the user has no entry."""
    return _update_listed(sub, [DirectoryEntry.is_staff.set(bool(is_staff))])


def mark_deleting(*, sub):
    """The account's deletion started (accounts.deletion): keeps the first run's time, like
    the profile's mark; False if the user has no entry."""
    now = timezone.now()
    return _update_listed(sub, [DirectoryEntry.deleting_since.set(DirectoryEntry.deleting_since | now)])


def remove_entry(*, sub):
    """The account is gone: one DeleteItem. Returns False when there was nothing to delete
    (a re-run), which is fine."""
    try:
        _entry(sub).delete(condition=DirectoryEntry.sk.exists())
    except DeleteError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def _update_listed(sub, actions):
    """One UpdateItem of an entry that is listed (has an email), never making a bare one."""
    try:
        _entry(sub).update(actions=actions, condition=DirectoryEntry.email.exists())
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True
