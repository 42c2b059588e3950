"""Share links: one session, read-only, for whoever holds the link.

See docs/data-model.md, "Share link and its pointer". A link carries a token of 256 random
bits (`secrets.token_urlsafe(32)`, 43 characters). The table keeps only the token's
SHA-256, so whoever reads the table still has no working link, and the owner sees the
token once, on the page right after making the link. v1.0's links (22-character tokens)
are stored the same way, as the hash of their token, so one lookup serves both kinds.

Two items, always written and deleted together in one TransactWriteItems:
- ShareLink, `SHARE#<sha256>` / `SHARE`, in a partition of its own: what a visitor's
  request finds from the token it presents. It names the owner's key parts (owner_sub,
  campaign_id, session_id), so everything read after it comes from the owner's partition,
  that one session only, never from anything the request names.
- ShareLinkPointer, `USER#<sub>` / `SHARELINK#<sha256>`, in the owner's partition: how the
  owner lists and revokes a session's links, and how a session's delete and move and the
  campaign and account cascades find them (sessions.core.repository, accounts.deletion). Both
  items carry `campaign_id` and `session_id` (sessions.core.items.SHARED_CAMPAIGN_ID), which a
  move sets on both.

Opening a link (open_share_link) is ONE UpdateItem: `ADD views 1, SET last_viewed`,
conditioned on the link existing, not having expired and being under its view limit, and
returning the item. It reads the link and counts the view in one atomic step, so a limit
holds exactly under concurrent visitors, and a dead link (unknown, revoked, expired, used
up) costs that one request and nothing more, like a live one. Later pages of a visitor who
opened it (sessions/sharing/views.py: a signed grant) read it with one GetItem and do not
count again.

Reads check `expires` themselves (rule 5: DynamoDB's TTL deletes late, moto never); `ttl`
is only the clean-up, KEPT_AFTER_EXPIRY after the expiry, so the owner's list still shows
an expired link for a while.
"""

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pynamodb.attributes import BooleanAttribute, NumberAttribute, TTLAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import UpdateError

from campaigns.items import DELETING, Campaign
from campaigns_site.table import SHARE_SK, TableModel, campaign_sk, session_sk, share_pk, summary_sk, user_pk
from campaigns_site.table_keys import SHARE_POINTER_PREFIX, share_pointer_sk, speaker_names_sk
from campaigns_site.transactions import Transaction, TransactionCanceled
from sessions.core.items import PlaySession
from sessions.core.kinds import KINDS
from sessions.core.repository import SessionNotFound, get_session_with_campaign_and_speaker_names, record_child_write
from sessions.sharing.forms import LABEL_MAX_LENGTH, MAX_VIEW_LIMIT, SCOPES
from sessions.summaries.items import Summary
from sessions.transcripts.speaker_display import speaker_display
from sessions.transcripts.speaker_names import SpeakerNames, speaker_labels

TOKEN_BYTES = 32  # 256 bits
# What a token in a URL may look like: ours are 43 characters, v1.0's 22; both are
# URL-safe base64. Anything else cannot be a link, and is refused before any request.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{22,64}")
MAX_LINKS_PER_SESSION = 50
KEPT_AFTER_EXPIRY = timedelta(days=30)
# Which summaries each scope shows. "transcript" shows every summary and the transcript.
SCOPE_KINDS = {"recap": ("recap",), "summaries": tuple(KINDS), "transcript": tuple(KINDS)}

ACTIVE, EXPIRED, USED_UP, GONE = "active", "expired", "used up", "gone"


class TooManyShareLinks(Exception):
    """The session has MAX_LINKS_PER_SESSION links already; nothing was written."""


# --- tokens -------------------------------------------------------------------------------
def new_token():
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token):
    """What the table stores of a token, and looks it up by: SHA-256, hex."""
    return hashlib.sha256(token.encode()).hexdigest()


def is_well_formed(token):
    return bool(TOKEN_PATTERN.fullmatch(token or ""))


# --- items --------------------------------------------------------------------------------
class ShareLink(TableModel, discriminator="ShareLink"):
    """PK `SHARE#<sha256(token)>`, SK `SHARE`: the link a visitor's request finds."""

    owner_sub = UnicodeAttribute()
    campaign_id = UnicodeAttribute()  # set again by a move (sessions.core.repository.move_session)
    session_id = UnicodeAttribute()
    scope = UnicodeAttribute()  # a key of share_forms.SCOPES
    created = UTCDateTimeAttribute()
    expires = UTCDateTimeAttribute(null=True)  # the instant it stops working; None: never
    view_limit = NumberAttribute(null=True)  # None: no limit
    views = NumberAttribute(default=0)
    last_viewed = UTCDateTimeAttribute(null=True)
    ttl = TTLAttribute(null=True)  # clean-up only: expires + KEPT_AFTER_EXPIRY
    # Speakers go by character name only, in the transcript and the summaries alike: never
    # a player's name or a raw label (absent, as on links made before: "Character
    # (Player)", as the owner sees).
    characters_only = BooleanAttribute(null=True)

    @property
    def token_hash(self):
        return self.pk.removeprefix("SHARE#")

    def has_expired(self, now=None):
        return self.expires is not None and self.expires <= (now or _now())

    @property
    def is_used_up(self):
        return self.view_limit is not None and int(self.views or 0) >= int(self.view_limit)

    def opens_for_a_new_viewer(self, now=None):
        """What open_share_link's condition says, for a link already read."""
        return not self.has_expired(now) and not self.is_used_up

    @property
    def shows_transcript(self):
        return self.scope == "transcript"


class ShareLinkPointer(TableModel, discriminator="ShareLinkPointer"):
    """PK `USER#<sub>`, SK `SHARELINK#<sha256(token)>`: the owner's record of a link."""

    campaign_id = UnicodeAttribute()  # set again by a move
    session_id = UnicodeAttribute()
    token_hash = UnicodeAttribute()
    scope = UnicodeAttribute()
    created = UTCDateTimeAttribute()
    expires = UTCDateTimeAttribute(null=True)
    view_limit = NumberAttribute(null=True)
    label = UnicodeAttribute(default="")  # the owner's own words: never shown to visitors
    ttl = TTLAttribute(null=True)  # the link's
    characters_only = BooleanAttribute(null=True)  # the link's


@dataclass(frozen=True)
class NewShareLink:
    token: str  # shown once to the owner; never stored
    link: ShareLink
    pointer: ShareLinkPointer


@dataclass(frozen=True)
class ListedShareLink:
    """One row of the owner's list: the pointer's settings, the link's counts."""

    pointer: ShareLinkPointer
    views: int
    last_viewed: datetime | None
    status: str  # ACTIVE, EXPIRED, USED_UP, or GONE (the public item was cleaned up)

    @property
    def token_hash(self):
        return self.pointer.token_hash

    @property
    def created(self):
        return self.pointer.created

    @property
    def label(self):
        return self.pointer.label

    @property
    def scope_label(self):
        return SCOPES.get(self.pointer.scope, self.pointer.scope)

    @property
    def expires(self):
        return self.pointer.expires

    @property
    def last_day(self):
        return last_day_of(self.expires)

    @property
    def view_limit(self):
        return None if self.pointer.view_limit is None else int(self.pointer.view_limit)

    @property
    def characters_only(self):
        return bool(self.pointer.characters_only)

    @property
    def is_active(self):
        return self.status == ACTIVE


@dataclass(frozen=True)
class SharedSession:
    """What a link shows: the session, its campaign, and the summaries of the link's scope."""

    campaign: Campaign
    session: PlaySession
    summaries: list  # of sessions.summaries.items.Summary, in KINDS order
    # {what a summary may say: what the link shows instead} (summary_replacements): empty
    # unless the link shows character names only.
    replacements: dict

    def summary_text(self, summary):
        """The summary's text as the link shows it (replace_names)."""
        return replace_names(summary.text, self.replacements)


# --- the owner's side ------------------------------------------------------------------------
def create_share_link(
    *,
    sub,
    campaign_id,
    session_id,
    scope,
    expires=None,
    view_limit=None,
    label="",
    characters_only=False,
    token=None,
    now=None,
):
    """Make a link to the session; returns NewShareLink, whose token is shown once.

    One Query (the session's links, for the cap), then one TransactWriteItems: both items
    (`attribute_not_exists`) and the session's child write (sessions.core.repository.
    record_child_write: the session must exist, and a delete or move that read its links
    meanwhile reads them again). `expires` is the instant it stops working (None: never).
    `token`: an existing link's token (v1.0's, when importing); a new one otherwise.
    `characters_only`: its transcript names speakers by character only (shared_speaker_names).

    Raises TooManyShareLinks past MAX_LINKS_PER_SESSION (the count is read first, so two
    makers at the very same moment may pass it by one: a soft cap against runaway lists,
    not a security limit), SessionNotFound when the session is not the user's.
    """
    if scope not in SCOPES:
        raise ValueError(f"unknown share scope {scope!r}; expected one of {', '.join(SCOPES)}")
    if view_limit is not None and not 1 <= int(view_limit) <= MAX_VIEW_LIMIT:
        raise ValueError(f"a view limit runs from 1 to {MAX_VIEW_LIMIT}, not {view_limit!r}")
    label = (label or "").strip()
    if len(label) > LABEL_MAX_LENGTH:
        raise ValueError(f"a label has at most {LABEL_MAX_LENGTH} characters")
    if token is not None and not is_well_formed(token):
        raise ValueError("not a share link token")
    session_sk(campaign_id, session_id)  # refuses a bad id before anything is read
    now = now or _now()
    if len(_pointers_of_session(sub, session_id, now=now)) >= MAX_LINKS_PER_SESSION:
        raise TooManyShareLinks(f"{MAX_LINKS_PER_SESSION} share links already")

    token = token or new_token()
    token_hash = hash_token(token)
    view_limit = None if view_limit is None else int(view_limit)
    removal = expires + KEPT_AFTER_EXPIRY if expires is not None else None
    link = ShareLink(
        share_pk(token_hash),
        SHARE_SK,
        owner_sub=sub,
        campaign_id=campaign_id,
        session_id=session_id,
        scope=scope,
        created=now,
        expires=expires,
        view_limit=view_limit,
        views=0,
        ttl=removal,
        characters_only=characters_only or None,
    )
    pointer = ShareLinkPointer(
        user_pk(sub),
        share_pointer_sk(token_hash),
        campaign_id=campaign_id,
        session_id=session_id,
        token_hash=token_hash,
        scope=scope,
        created=now,
        expires=expires,
        view_limit=view_limit,
        label=label,
        ttl=removal,
        characters_only=characters_only or None,
    )
    transaction = Transaction()
    transaction.put(link, condition=ShareLink.pk.does_not_exist())
    transaction.put(pointer, condition=ShareLinkPointer.sk.does_not_exist())
    session_check = len(transaction)
    record_child_write(
        transaction,
        sub=sub,
        campaign_id=campaign_id,
        session_id=session_id,
        also=[PlaySession.share_links_made.add(1)],
    )
    try:
        transaction.commit()
    except TransactionCanceled as canceled:
        if canceled.failed(session_check):
            raise SessionNotFound(session_id) from None
        raise  # the token's hash is taken: 256 random bits never collide; an imported token may
    return NewShareLink(token=token, link=link, pointer=pointer)


def list_share_links_for_session(*, sub, session_id, now=None):
    """The session's links, newest first, as ListedShareLink rows.

    One strongly consistent Query, `begins_with(SK, "SHARELINK#")` filtered on session_id
    (a user has few links), and, when there are any, one BatchGetItem of the links
    themselves for their views and last view. Pointers past their `ttl` count as gone.
    """
    now = now or _now()
    pointers = _pointers_of_session(sub, session_id, now=now)
    if not pointers:
        return []
    keys = [(share_pk(pointer.token_hash), SHARE_SK) for pointer in pointers]
    links = {link.token_hash: link for link in ShareLink.batch_get(keys, consistent_read=True)}
    rows = [_listed(pointer, links.get(pointer.token_hash), now) for pointer in pointers]
    return sorted(rows, key=lambda row: (row.created, row.token_hash), reverse=True)


def _listed(pointer, link, now):
    """The owner's row of a link: the pointer's settings, the link's counts and status."""
    if link is None:
        status = GONE
    elif link.has_expired(now):
        status = EXPIRED
    elif link.is_used_up:
        status = USED_UP
    else:
        status = ACTIVE
    return ListedShareLink(
        pointer=pointer,
        views=int(link.views or 0) if link else 0,
        last_viewed=link.last_viewed if link else None,
        status=status,
    )


@dataclass(frozen=True)
class LinkToRevoke:
    """What the page that asks to confirm a revoke shows, or why it cannot."""

    campaign: Campaign
    session: PlaySession
    row: ListedShareLink | None  # None: the user has no such link on this session
    elsewhere: bool  # the hash names a link, but not the user's on this session


def read_link_to_revoke(*, sub, campaign_id, session_id, token_hash, now=None):
    """The link the owner is about to revoke, for the page that asks them to confirm, or
    None when the campaign or session is not the user's. One strongly consistent
    BatchGetItem: the campaign, the session, the link's pointer in the user's partition
    and the link itself (its views). The pointer makes it the user's; it must name this
    campaign and session (every id in the URL must match)."""
    now = now or _now()
    keys = [
        (user_pk(sub), campaign_sk(campaign_id)),
        (user_pk(sub), session_sk(campaign_id, session_id)),
        (user_pk(sub), share_pointer_sk(token_hash)),
        (share_pk(token_hash), SHARE_SK),
    ]
    found = list(TableModel.batch_get(keys, consistent_read=True))
    campaign = next((item for item in found if isinstance(item, Campaign) and item.state != DELETING), None)
    session = next((item for item in found if isinstance(item, PlaySession)), None)
    if campaign is None or session is None:
        return None
    pointer = next((item for item in found if isinstance(item, ShareLinkPointer)), None)
    link = next((item for item in found if isinstance(item, ShareLink)), None)
    if pointer is None:
        return LinkToRevoke(campaign=campaign, session=session, row=None, elsewhere=link is not None)
    if (pointer.campaign_id, pointer.session_id) != (campaign_id, session_id):
        return LinkToRevoke(campaign=campaign, session=session, row=None, elsewhere=True)
    return LinkToRevoke(campaign=campaign, session=session, row=_listed(pointer, link, now), elsewhere=False)


def revoke_share_link(*, sub, campaign_id, session_id, token_hash):
    """Delete the link and its pointer in one TransactWriteItems: the link is dead from the
    next request on. Returns False when the user has no such link on that session of that
    campaign (already revoked, never theirs, or named under another campaign or session):
    nothing was deleted.

    The pointer's condition (it exists in the user's partition, for that campaign and
    session) is what makes the link theirs to revoke; the link's own condition repeats it
    (its owner, campaign and session), and lets a link already cleaned up by its TTL go
    with its pointer.
    """
    transaction = Transaction()
    transaction.delete(
        user_pk(sub),
        share_pointer_sk(token_hash),
        condition=ShareLinkPointer.sk.exists()
        & (ShareLinkPointer.campaign_id == campaign_id)
        & (ShareLinkPointer.session_id == session_id),
    )
    transaction.delete(
        share_pk(token_hash),
        SHARE_SK,
        condition=ShareLink.pk.does_not_exist()
        | (
            (ShareLink.owner_sub == sub) & (ShareLink.campaign_id == campaign_id) & (ShareLink.session_id == session_id)
        ),
    )
    try:
        transaction.commit()
    except TransactionCanceled as canceled:
        if canceled.failed(0):
            return False
        raise
    return True


def get_share_link_for_owner(*, sub, campaign_id, session_id, token_hash):
    """The link if it is the user's and shares that session (for the owner's preview), else
    None: one GetItem. The key is the link's own partition, named by the URL's hash, but
    nothing of it is returned unless its owner_sub is the signed-in user's."""
    link = get_share_link(token_hash=token_hash)
    if link is None or link.owner_sub != sub or (link.campaign_id, link.session_id) != (campaign_id, session_id):
        return None
    return link


# --- the visitor's side -----------------------------------------------------------------------
def open_share_link(*, token, now=None):
    """The link, with this view counted, or None when it is dead: unknown, revoked, expired
    or at its view limit (which of them is never told).

    ONE UpdateItem, `ADD views :1 SET last_viewed = :now`, conditioned on
    `attribute_exists(PK) AND (attribute_not_exists(expires) OR expires > :now) AND
    (attribute_not_exists(view_limit) OR attribute_not_exists(views) OR views < view_limit)`,
    returning ALL_NEW. The read
    and the count are one atomic step: the limit holds exactly under concurrent visitors,
    and an unknown token creates nothing. A dead link costs this one request, as a live
    one does before its scope's reads.
    """
    now = now or _now()
    link = ShareLink(share_pk(hash_token(token)), SHARE_SK)
    try:
        link.update(
            actions=[ShareLink.views.add(1), ShareLink.last_viewed.set(now)],
            condition=(
                ShareLink.pk.exists()
                & (ShareLink.expires.does_not_exist() | (ShareLink.expires > now))
                & (
                    ShareLink.view_limit.does_not_exist()
                    | ShareLink.views.does_not_exist()  # an imported link never opened yet
                    | (ShareLink.views < ShareLink.view_limit)
                )
            ),
        )
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return None
        raise
    return link


def get_share_link(*, token_hash):
    """The link as stored, or None: one strongly consistent GetItem, nothing counted. The
    caller applies the rules (has_expired, opens_for_a_new_viewer)."""
    try:
        return ShareLink.get(share_pk(token_hash), SHARE_SK, consistent_read=True)
    except ShareLink.DoesNotExist:
        return None


def read_shared_session(link):
    """What the link shows, or None when its session or campaign is gone (or the campaign
    is being deleted). One strongly consistent BatchGetItem in the owner's partition, keys
    from the link: the campaign, the session and the summaries of the link's scope (the
    recap alone, or every kind; the ones never written are simply not found), and, for a
    link that shows character names only, the campaign's speaker names, to take players'
    names and raw labels out of the summaries (summary_replacements). The labels come from
    the session item (speaker_names.speaker_labels: S3 only for a transcript with more
    speakers than the item lists)."""
    sub, campaign_id, session_id = link.owner_sub, link.campaign_id, link.session_id
    kinds = SCOPE_KINDS.get(link.scope, ())
    keys = [(user_pk(sub), campaign_sk(campaign_id)), (user_pk(sub), session_sk(campaign_id, session_id))]
    keys += [(user_pk(sub), summary_sk(campaign_id, session_id, kind)) for kind in kinds]
    if link.characters_only:
        keys.append((user_pk(sub), speaker_names_sk(campaign_id)))
    found = list(TableModel.batch_get(keys, consistent_read=True))  # PynamoDB retries unprocessed keys
    campaign = next((item for item in found if isinstance(item, Campaign) and item.state != DELETING), None)
    session = next((item for item in found if isinstance(item, PlaySession)), None)
    if campaign is None or session is None:
        return None
    order = {kind: index for index, kind in enumerate(kinds)}
    summaries = sorted(
        (item for item in found if isinstance(item, Summary) and item.kind in order),
        key=lambda summary: order[summary.kind],
    )
    replacements = {}
    if link.characters_only and summaries:
        names = next((item for item in found if isinstance(item, SpeakerNames)), None)
        replacements = summary_replacements(names.as_dict() if names else {}, speaker_labels(session))
    return SharedSession(campaign=campaign, session=session, summaries=summaries, replacements=replacements)


def read_shared_transcript(link):
    """(campaign, session, {label: names}) for the link's transcript pages, or None when the
    session is gone: the reader's one BatchGetItem (sessions.core.repository), in the owner's
    partition, keys from the link."""
    campaign, session, names = get_session_with_campaign_and_speaker_names(
        sub=link.owner_sub, campaign_id=link.campaign_id, session_id=link.session_id
    )
    if session is None:
        return None
    return campaign, session, (names.as_dict() if names else {})


def shared_speaker_names(link, names, labels):
    """The speaker names a link's transcript shows ({label: {"player", "character"}}), for
    the transcript's labels in order: the owner's names, or character_names_only."""
    if not link.characters_only:
        return names
    return character_names_only(names, labels)


def character_names_only(names, labels):
    """What a characters-only link shows for each of `labels` (the transcript's, in order):
    its character name, or "Speaker n" (its place in the transcript) when it has none, so
    neither a player's name nor a recorded label (often somebody's own handle) reaches the
    visitor."""
    return {
        label: {"player": "", "character": (names.get(label) or {}).get("character") or f"Speaker {number}"}
        for number, label in enumerate(labels, 1)
    }


def summary_replacements(names, labels):
    """{what a summary may say: what a characters-only link's transcript shows instead},
    for the transcript's `labels` in order.

    Summaries are written with the names the owner sees ("Grunk (Dev)", "Dev", or the raw
    label "SPEAKER_03" when unnamed); each of these becomes the name character_names_only
    gives that speaker on the shared transcript ("Grunk", or "Speaker 4"). The transcript's
    labels come first, in its order (so "Speaker n" is the same number on both pages); then
    the campaign's other named labels, numbered after them, since a summary written before a
    transcript was replaced, or a hand edit, may name a player of another session. When two
    speakers share a name (one player, two voices), the first speaker's wins."""
    labels = list(labels)
    labels += [label for label in names if label not in set(labels)]
    shown = character_names_only(names, labels)
    replacements = {}
    for label in labels:
        instead = speaker_display(shown, label)
        player = ((names.get(label) or {}).get("player") or "").strip()
        for said in (speaker_display(names, label), player, label):
            if said and said != instead:
                replacements.setdefault(said, instead)
    return replacements


def names_pattern(names):
    """A pattern matching any of `names` as whole words, case as written, the longest first
    (so "Sam (GM)" wins over "Sam"), or None for no names."""
    if not names:
        return None
    alternatives = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def replace_names(text, replacements):
    """`text` with every name of `replacements` (summary_replacements) replaced, in one pass
    (a name put in is never replaced again). Plain text in, plain text out: the template
    escapes it."""
    pattern = names_pattern(replacements)
    if pattern is None or not text:
        return text
    return pattern.sub(lambda match: replacements[match.group(0)], text)


@dataclass(frozen=True)
class NamesShown:
    """What a link with full names would show of who the players are, for each scope."""

    by_scope: dict  # scope -> [name as shown, ...], in the order the link shows them
    unnamed: list  # raw labels the transcript shows as recorded (naming them hides them)

    def __bool__(self):
        return any(self.by_scope.values())


def names_shown_by_a_link(session, names, summaries):
    """What the share form warns about: for each scope, the names a link without
    "character names only" would show that a characters-only link hides, exactly as shown.

    The transcript shows each speaker as the owner's reader does (speaker_display): listed
    when that includes a player's name or is the recorded label. Summaries show what their
    texts say: any of summary_replacements' names found in the texts of the scope's kinds.
    Labels from the session item (no request; a transcript with more speakers than it lists
    is judged on those it lists); `summaries` as read with the session."""
    labels = list(session.transcript_speakers or []) if session.has_transcript else []
    in_transcript = []
    for label in labels:
        entry = names.get(label) or {}
        if (entry.get("player") or "").strip() or not any((value or "").strip() for value in entry.values()):
            in_transcript.append(speaker_display(names, label))
    unnamed = [
        label
        for label in labels
        if not any(((names.get(label) or {}).get(key) or "").strip() for key in ("player", "character"))
    ]
    pattern = names_pattern(summary_replacements(names, labels))
    texts = {summary.kind: summary.text or "" for summary in summaries}
    by_scope = {}
    for scope, kinds in SCOPE_KINDS.items():
        found = [name for kind in kinds if pattern for name in pattern.findall(texts.get(kind, ""))]
        if scope == "transcript":
            found = in_transcript + found
        by_scope[scope] = list(dict.fromkeys(found))
    return NamesShown(by_scope=by_scope, unnamed=unnamed)


def read_session_to_share(*, sub, campaign_id, session_id):
    """(campaign, session, {label: names}, summaries) for the share form, in one strongly
    consistent BatchGetItem: the campaign, the session, the campaign's speaker names and
    every kind of summary (its warning says who each scope would show). (None, None, {}, [])
    when the campaign or session is not the user's (or the campaign is being deleted)."""
    keys = [
        (user_pk(sub), campaign_sk(campaign_id)),
        (user_pk(sub), session_sk(campaign_id, session_id)),
        (user_pk(sub), speaker_names_sk(campaign_id)),
    ]
    keys += [(user_pk(sub), summary_sk(campaign_id, session_id, kind)) for kind in KINDS]
    found = list(TableModel.batch_get(keys, consistent_read=True))
    campaign = next((item for item in found if isinstance(item, Campaign) and item.state != DELETING), None)
    session = next((item for item in found if isinstance(item, PlaySession)), None)
    if campaign is None or session is None:
        return None, None, {}, []
    names = next((item for item in found if isinstance(item, SpeakerNames)), None)
    summaries = [item for item in found if isinstance(item, Summary) and item.kind in KINDS]
    return campaign, session, (names.as_dict() if names else {}), summaries


# --- helpers ---------------------------------------------------------------------------------
def last_day_of(expires):
    """The last day (UTC) a link expiring at `expires` works: the form's "works until"."""
    return None if expires is None else (expires - timedelta(microseconds=1)).date()


def _pointers_of_session(sub, session_id, *, now):
    """The pointers of the session's links, every page of one strongly consistent Query;
    those past their ttl count as gone."""
    found = ShareLinkPointer.query(
        user_pk(sub),
        ShareLinkPointer.sk.startswith(SHARE_POINTER_PREFIX),
        filter_condition=ShareLinkPointer.session_id == session_id,
        consistent_read=True,
    )
    return [pointer for pointer in found if pointer.ttl is None or pointer.ttl > now]


def _now():
    return datetime.now(UTC)
