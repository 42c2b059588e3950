"""Search all of a user's sessions: one Query of their search items, filtered by DynamoDB.

The items (sessions/core/search_index.py) sit in the user's partition and in LSI1 under
`SEARCH#<date>#<number>#<sid>`. A search reads them newest first with Query pages on
LSI1: `begins_with(LSI1SK, "SEARCH#")`, or `LSI1SK BETWEEN` for a date range. The
FilterExpression asks, for every word, that one of the item's terms starts with it:

    (contains(session_terms, :w) OR contains(transcript_terms, :w) OR contains(speaker_terms, :w)
     OR contains(summary_<kind>, :w) … OR (campaign_id = :c AND contains(speaker_labels, :label)) …)

with `:w` = " " + word, so "drag" finds "dragon" but not "grandragon". The last clauses
are speaker names: the campaigns' SpeakerNames items (one more small Query) say which
raw labels are called, say, "Mira"; a session whose transcript has such a label in that
campaign matches. Names are therefore never copied into search items, and saving names
rewrites nothing.

Costs: DynamoDB reads (and bills) every item the key condition covers until it has
enough matches, whatever the filter drops: up to 1 MB a page. A word that only old
sessions have reads all of the user's items in range (`make bench-search`: 500 four-hour
sessions). The answer carries the matching items' transcript terms too (the bulk of an
item: they cost transfer and parsing, not reads), since the filter cannot say which part
matched: a result says every place each word is, the transcript included. Reads are
eventually consistent: half the cost; a session saved a second ago may be missing for that second.

Paging: DynamoDB applies Limit before the filter, so pages are read until `limit`
results or the end. The next page's cursor is the key of the last result shown (or the
page's LastEvaluatedKey), signed and bound to the user's partition and to this query
(campaigns_site/pagination.py): another query's or user's cursor is InvalidCursor. A
request reads at most MAX_PAGES pages; beyond, it returns what it found with a cursor to
go on ("searched so far").
"""

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date

from campaigns_site import dynamodb
from campaigns_site.pagination import decode_cursor, encode_cursor
from campaigns_site.table import user_pk
from sessions.core import search_index
from sessions.core.search_index import (
    SESSION_TERMS,
    SPEAKER_LABELS,
    SPEAKER_TERMS,
    TRANSCRIPT_TERMS,
    has_word_starting,
    summary_attribute,
    words,
)
from sessions.summaries.summarizers import KINDS
from sessions.transcripts.reader import word_pieces
from sessions.transcripts.speaker_display import speaker_display

MAX_WORDS = 8  # words of a query that count; the rest are ignored (and the page says so)
MIN_WORD_CHARS = 2  # one-letter words ("a", "I") would match nearly everything
PAGE_SIZE = 20  # results a page
MAX_PAGES = 25  # Query pages (up to 1 MB each) one request reads before it hands back a cursor
MAX_NAME_CLAUSES = 24  # (campaign, label) pairs the filter may name, all words together
MAX_EXPRESSION_CHARS = 4_000  # DynamoDB refuses expressions over 4 KB
MAX_EXPRESSION_OPERATORS = 300  # and over 300 operators and functions
SNIPPET_WINDOW = 160  # characters of a snippet shown around the first match
FIELDS = ("title", "notes", "summaries", "speakers", "transcript")  # what a result may say it matched, in order
_INDEX = "LSI1"
_SEARCH_FIELDS = [SESSION_TERMS, TRANSCRIPT_TERMS, SPEAKER_TERMS] + [summary_attribute(kind) for kind in KINDS]
_PROJECTED = [
    "PK",
    "SK",
    "LSI1SK",
    "session_id",
    "campaign_id",
    "title",
    "number",
    "played_on",
    SESSION_TERMS,
    "notes_snippet",
    "recap_snippet",
    "has_transcript",
    TRANSCRIPT_TERMS,
    "transcript_complete",
    SPEAKER_TERMS,
    SPEAKER_LABELS,
] + [summary_attribute(kind) for kind in KINDS]


class NoWords(ValueError):
    """The text has no word to search for (each needs MIN_WORD_CHARS letters or digits)."""


# --- the query's words -----------------------------------------------------------------------
def query_words(text):
    """The words a search looks for: normalised as the index normalises, at least
    MIN_WORD_CHARS long, each once, at most MAX_WORDS of them."""
    return _distinct_words(text)[:MAX_WORDS]


def ignored_words(text):
    """How many words past MAX_WORDS a text has (the page says they were left out)."""
    return max(0, len(_distinct_words(text)) - MAX_WORDS)


def _distinct_words(text):
    return list(dict.fromkeys(word for word in words(text) if len(word) >= MIN_WORD_CHARS))


# --- results --------------------------------------------------------------------------------
@dataclass
class Snippet:
    label: str  # "Notes", "Recap"
    pieces: list  # [(text, is_match)]: the template marks the matches, everything autoescaped
    field: str = "notes"  # of FIELDS: where on the session page it is
    kind: str | None = None  # the summary's kind, for a summary's snippet


@dataclass
class Place:
    """One place of a session where words of the query are: its title, its notes, one
    summary, one speaker, its transcript."""

    field: str  # of FIELDS
    label: str  # "Title", "Notes", a summary kind's label, a speaker's display name, "Transcript"
    words: list  # the query's words found there, in the query's order
    kind: str | None = None  # field "summaries": the summary's kind
    speaker: str | None = None  # field "speakers": the raw label (None: a label the item could not list)
    certain: bool = True  # False: "transcript" only, the words may be there (its terms are incomplete)


@dataclass
class SearchResult:
    session_id: str
    campaign_id: str
    campaign_name: str
    title: str
    title_pieces: list  # [(text, is_match)]
    number: int | None
    played_on: str | None  # ISO date
    fields: list  # what matched, in FIELDS order
    snippets: list  # [Snippet]
    summary_kinds: list  # labels of the summaries that hold a word
    speakers: list  # display names of matching speakers ("Mira (Ada)")
    has_transcript: bool
    places: list  # [Place]: every place each word is, in FIELDS order (summaries in KINDS order)
    words: list  # the query's words (what a landing in the transcript marks)
    said_in_transcript: bool  # a word is known to be in the transcript (whatever else has it too)

    @property
    def played_on_date(self):
        return date.fromisoformat(self.played_on) if self.played_on else None


@dataclass
class SearchPage:
    results: list = field(default_factory=list)
    next_cursor: str | None = None
    words: list = field(default_factory=list)
    pages_read: int = 0  # Query requests
    items_read: int = 0  # items DynamoDB read (ScannedCount): what the search costs
    capacity_units: float = 0.0  # as DynamoDB reported (ReturnConsumedCapacity)
    stopped_early: bool = False  # MAX_PAGES read with more to go: next_cursor goes on


# --- what a search needs besides the items -----------------------------------------------------------
def campaigns_for_search(*, sub):
    """{campaign_id: Campaign} of every campaign of the user's, active and archived (not
    those being deleted): one Query, `begins_with(SK, "CAMPAIGN#")`. A search shows their
    names (so renaming a campaign touches no search item) and offers them as a filter;
    a result whose campaign is not here (being deleted) is left out."""
    from campaigns.items import DELETING, Campaign

    found = Campaign.query(user_pk(sub), Campaign.sk.startswith("CAMPAIGN#"))
    return {campaign.campaign_id: campaign for campaign in found if campaign.state != DELETING}


def speaker_names_by_campaign(*, sub):
    """{campaign_id: {label: {"player", "character"}}}: one Query, `begins_with(SK, "SPEAKERS#")`."""
    from sessions.transcripts.speaker_names import SpeakerNames

    found = SpeakerNames.query(user_pk(sub), SpeakerNames.sk.startswith("SPEAKERS#"))
    return {item.sk.removeprefix("SPEAKERS#"): item.as_dict() for item in found}


# --- the search -----------------------------------------------------------------------------------
def cursor_scope(*, text, campaign_id=None, played_from=None, played_to=None):
    """What a cursor is bound to besides the partition: this very query. A view can check a
    cursor with it before reading anything (check_cursor)."""
    query = [query_words(text), campaign_id or "", str(played_from or ""), str(played_to or "")]
    digest = hashlib.sha256(json.dumps(query, ensure_ascii=False).encode()).hexdigest()[:24]
    return f"search|{digest}"


def check_cursor(*, sub, cursor, **query):
    """Raises InvalidCursor if `cursor` is not one of this query's, for this user. No request."""
    decode_cursor(cursor, partition=user_pk(sub), scope=cursor_scope(**query))


def search_sessions(
    *,
    sub,
    text,
    campaign_id=None,
    played_from=None,
    played_to=None,
    cursor=None,
    limit=PAGE_SIZE,
    campaigns=None,
    page_size=None,
):
    """The user's sessions matching every word of `text`, newest first (date played, then
    number, then created): a SearchPage of up to `limit` results and a cursor for more.

    campaign_id: only that campaign's sessions. played_from / played_to: dates (or ISO
    strings), both ends included; either set leaves undated sessions out. campaigns: the
    result of campaigns_for_search, when the caller has it already (else it is read).
    page_size: DynamoDB's Limit per Query page (tests; None = 1 MB pages).

    Raises NoWords when the text has none to search for, InvalidCursor for a cursor that
    is not this query's (before any request).
    """
    found_words = query_words(text)
    if not found_words:
        raise NoWords(text)
    played_from = str(played_from) if played_from else None
    played_to = str(played_to) if played_to else None
    partition = user_pk(sub)
    scope = cursor_scope(text=text, campaign_id=campaign_id, played_from=played_from, played_to=played_to)
    start_key = decode_cursor(cursor, partition=partition, scope=scope)

    if campaigns is None:
        campaigns = campaigns_for_search(sub=sub)
    names = speaker_names_by_campaign(sub=sub)
    name_matches = _labels_named(found_words, names, campaigns, campaign_id)
    query = _query(partition, found_words, name_matches, campaign_id, played_from, played_to, page_size)

    page = SearchPage(words=found_words)
    next_key = None
    while True:
        response = dynamodb.query_expression(query, start_key=start_key)
        page.pages_read += 1
        page.items_read += response.scanned
        page.capacity_units += response.capacity_units
        items = response.items
        last_evaluated = response.last_key
        for position, item in enumerate(items):
            result = _result(item, found_words, campaigns, names, name_matches)
            if result is None:
                continue  # its campaign is being deleted
            page.results.append(result)
            if len(page.results) >= limit:
                more_here = position < len(items) - 1
                next_key = _key_of(item) if (more_here or last_evaluated) else None
                break
        if len(page.results) >= limit:
            break
        if not last_evaluated:
            break
        start_key = last_evaluated
        if page.pages_read >= MAX_PAGES:
            next_key, page.stopped_early = last_evaluated, True
            break
    page.next_cursor = encode_cursor(next_key, partition=partition, scope=scope)
    return page


def _query(partition, found_words, name_matches, campaign_id, played_from, played_to, page_size):
    names = {"#pk": "PK", "#order": "LSI1SK", "#cid": "campaign_id", "#labels": SPEAKER_LABELS}
    values = {":pk": partition}
    if played_from or played_to:
        key_condition = "#pk = :pk AND #order BETWEEN :from AND :to"
        # Undated sessions (0000-00-00) sort below every date, so any range leaves them out.
        values[":from"] = f"{search_index.SEARCH_PREFIX}{played_from or '0001-01-01'}"
        values[":to"] = f"{search_index.SEARCH_PREFIX}{played_to}~" if played_to else f"{search_index.SEARCH_PREFIX}~"
    else:
        key_condition = "#pk = :pk AND begins_with(#order, :prefix)"
        values[":prefix"] = search_index.SEARCH_PREFIX
    for position, attribute in enumerate(_SEARCH_FIELDS):
        names[f"#f{position}"] = attribute
    filter_expression = _filter(found_words, name_matches, values, campaign_id)
    projection = []
    for position, attribute in enumerate(_PROJECTED):
        placeholder = next((key for key, value in names.items() if value == attribute), None)
        if placeholder is None:
            placeholder = f"#p{position}"
            names[placeholder] = attribute
        projection.append(placeholder)
    query = {
        "IndexName": _INDEX,
        "KeyConditionExpression": key_condition,
        "FilterExpression": filter_expression,
        "ProjectionExpression": ", ".join(projection),
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": values,  # plain values: campaigns_site.dynamodb types them
        "ScanIndexForward": False,  # newest first
        "ReturnConsumedCapacity": "TOTAL",
    }
    if page_size:
        query["Limit"] = page_size
    return query


def _filter(found_words, name_matches, values, campaign_id):
    """The FilterExpression; name clauses are dropped (last words first) if the expression
    would pass DynamoDB's limits. Adds its values to `values`."""
    campaigns = {}
    clauses_by_word = []
    for position, word in enumerate(found_words):
        values[f":w{position}"] = f" {word}"
        tests = [f"contains(#f{field}, :w{position})" for field in range(len(_SEARCH_FIELDS))]
        named = []
        for campaign, label in name_matches.get(word, []):
            if campaign not in campaigns:
                campaigns[campaign] = f":c{len(campaigns)}"
                values[campaigns[campaign]] = campaign
            placeholder = f":l{position}_{len(named)}"
            values[placeholder] = label
            named.append(f"(#cid = {campaigns[campaign]} AND contains(#labels, {placeholder}))")
        clauses_by_word.append((tests, named))

    def expression():
        parts = [f"({' OR '.join(tests + named)})" for tests, named in clauses_by_word]
        if campaign_id:
            parts.append("#cid = :campaign")
        return " AND ".join(parts)

    if campaign_id:
        values[":campaign"] = campaign_id
    while _too_big(expression()):
        for _tests, named in reversed(clauses_by_word):
            if named:
                named.pop()
                break
        else:
            break
    used = expression()
    for placeholder in [key for key in values if key.startswith((":l", ":c"))]:
        if not re.search(re.escape(placeholder) + r"\b", used):
            del values[placeholder]  # DynamoDB refuses values the expressions do not use
    return used


def _too_big(expression):
    operators = sum(expression.count(token) for token in (" OR ", " AND ", "contains(", " = "))
    return len(expression) > MAX_EXPRESSION_CHARS or operators > MAX_EXPRESSION_OPERATORS


def _labels_named(found_words, names, campaigns, campaign_id):
    """{word: [(campaign_id, label)]}: the speaker labels whose player's or character's name
    has a word starting with it, in the campaigns searched. At most MAX_NAME_CLAUSES in
    all, shared out between the words (a word that names more speakers than its share
    finds the sessions of the first ones only)."""
    share = max(1, MAX_NAME_CLAUSES // max(1, len(found_words)))
    searched = [  # (campaign, label, the terms of its player's and character's names), read once for all words
        (campaign, label, _name_terms(entry))
        for campaign, by_label in sorted(names.items())
        if campaign in campaigns and not (campaign_id and campaign != campaign_id)
        for label, entry in sorted(by_label.items())
    ]
    matches = {}
    for word in found_words:
        for campaign, label, name_terms in searched:
            if has_word_starting(name_terms, word) and len(matches.get(word, [])) < share:
                matches.setdefault(word, []).append((campaign, label))
    return matches


def _name_terms(entry):
    named = " ".join(words(f"{entry.get('player') or ''} {entry.get('character') or ''}"))
    return f" {named} "


def _key_of(item):
    return dynamodb.start_key_of(item, ("PK", "SK", "LSI1SK"))


# --- one result -------------------------------------------------------------------------------------
def _text(item, name):
    return item.get(name) or ""


def _result(item, found_words, campaigns, names, name_matches):
    campaign_id = _text(item, "campaign_id")
    campaign = campaigns.get(campaign_id)
    if campaign is None:
        return None
    title = _text(item, "title")
    notes_snippet = _text(item, "notes_snippet")
    recap_snippet = _text(item, "recap_snippet")
    has_transcript = bool(item.get("has_transcript"))
    places = _places(item, found_words, names.get(campaign_id, {}), name_matches, campaign_id, has_transcript)
    fields = sorted({place.field for place in places if place.certain}, key=FIELDS.index)

    snippets = []
    for label, text, field_name, kind in (
        ("Notes", notes_snippet, "notes", None),
        ("Recap", recap_snippet, "summaries", "recap"),
    ):
        pieces = snippet_pieces(text, found_words)
        if pieces:
            snippets.append(Snippet(label=label, pieces=pieces, field=field_name, kind=kind))
    number = item.get("number")
    return SearchResult(
        session_id=_text(item, "session_id"),
        campaign_id=campaign_id,
        campaign_name=campaign.name,
        title=title,
        title_pieces=highlight(title, found_words),
        number=int(number) if number is not None else None,
        played_on=_text(item, "played_on") or None,
        fields=fields,
        snippets=snippets,
        summary_kinds=[place.label for place in places if place.field == "summaries"],
        speakers=[place.label for place in places if place.field == "speakers"],
        has_transcript=has_transcript,
        places=places,
        words=list(found_words),
        said_in_transcript=any(place.field == "transcript" and place.certain for place in places),
    )


def _places(item, found_words, by_label, name_matches, campaign_id, has_transcript):
    """Every place of the item each word is: [Place] in FIELDS order.

    The title is there whole. Notes: a word in the notes' snippet, or in the title and
    notes' terms but not in the title. Summaries, speakers' labels and the transcript: their
    terms; speakers also by the names the campaign gives them (name_matches). A transcript
    whose terms are incomplete (more distinct words than fit) may hold any word they lack."""
    title_terms = _terms_of(_text(item, "title"))
    notes_terms = _terms_of(_text(item, "notes_snippet"))
    session_terms = _text(item, SESSION_TERMS)
    speaker_terms = _text(item, SPEAKER_TERMS)
    transcript_terms = _text(item, TRANSCRIPT_TERMS)
    transcript_incomplete = has_transcript and item.get("transcript_complete") is False
    labels = sorted(item.get(SPEAKER_LABELS, set()))
    summaries = {kind: _text(item, summary_attribute(kind)) for kind in KINDS}

    found = {}  # (field, key): Place, in the order first found

    def add(field_name, key, word, **place):
        found.setdefault((field_name, key), Place(field=field_name, words=[], **place)).words.append(word)

    for word in found_words:
        if has_word_starting(title_terms, word):
            add("title", None, word, label="Title")
        if has_word_starting(notes_terms, word) or (
            has_word_starting(session_terms, word) and not has_word_starting(title_terms, word)
        ):
            add("notes", None, word, label="Notes")
        for kind, kind_label in KINDS.items():
            if has_word_starting(summaries[kind], word):
                add("summaries", kind, word, label=kind_label, kind=kind)
        speaking = {label for label in labels if has_word_starting(_terms_of(label), word)}
        speaking |= {
            label for campaign, label in name_matches.get(word, []) if campaign == campaign_id and label in labels
        }
        for label in sorted(speaking):
            add("speakers", label, word, label=speaker_display(by_label, label), speaker=label)
        if not speaking and has_word_starting(speaker_terms, word):
            add("speakers", None, word, label="Speakers")  # a label past what the item lists
        if has_transcript and has_word_starting(transcript_terms, word):
            add("transcript", True, word, label="Transcript")
        elif transcript_incomplete:
            add("transcript", False, word, label="Transcript", certain=False)

    places = list(found.values())
    if any(place.field == "transcript" and place.certain for place in places):
        # Some words are known to be in the transcript: its place lists those, without a second,
        # uncertain one (the landing marks every word of the search anyway).
        places = [place for place in places if place.certain]
    order = {kind: position for position, kind in enumerate(KINDS)}
    places.sort(key=lambda place: (FIELDS.index(place.field), order.get(place.kind, 0)))
    return places


def _terms_of(text):
    return f" {' '.join(words(text))} "


# --- highlighting --------------------------------------------------------------------------------------
def highlight(text, found_words):
    """`text` as [(part, is_match)], every word that starts with one of `found_words` marked
    (its matching start only: "drag" marks "Drag" in "Dragon"). Matching folds case and
    accents as the index does; the parts are the original characters. The reader marks a
    search's words on the page it lands on the same way (sessions.transcripts.reader.word_pieces)."""
    return word_pieces(text, found_words)


def snippet_pieces(text, found_words, *, window=SNIPPET_WINDOW):
    """A highlighted window of `text` around its first match, or [] when nothing matches."""
    first, position = None, 0
    for part, is_match in highlight(text, found_words):
        if is_match:
            first = position
            break
        position += len(part)
    if first is None:
        return []
    start = max(0, first - window // 3)
    if start:  # begin at a word
        space = text.find(" ", start, first)
        start = space + 1 if space != -1 else start
    end = min(len(text), start + window)
    if end < len(text):  # end at a word
        space = text.rfind(" ", first, end)
        end = space if space > first else end
    shown = highlight(text[start:end], found_words)
    if start:
        shown.insert(0, ("…", False))
    if end < len(text):
        shown.append(("…", False))
    return shown
