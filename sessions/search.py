"""Search all of a user's sessions: one Query of their search items, filtered by DynamoDB.

The items (sessions/search_index.py) sit in the user's partition and in LSI1 under
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
sessions). A ProjectionExpression leaves the transcript terms (the bulk of an item) out of
the answer, which spares the network and the parse, not the read. Reads are eventually
consistent: half the cost; a session saved a second ago may be missing for that second.

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
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings

from campaigns_site import aws
from campaigns_site.pagination import decode_cursor, encode_cursor
from campaigns_site.table import user_pk
from sessions import search_index
from sessions.reader import fold
from sessions.search_index import (
    SESSION_TERMS,
    SPEAKER_LABELS,
    SPEAKER_TERMS,
    TRANSCRIPT_TERMS,
    has_word_starting,
    summary_attribute,
    words,
)
from sessions.speaker_display import speaker_display
from sessions.summarizers import KINDS

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
    "PK", "SK", "LSI1SK", "session_id", "campaign_id", "title", "number", "played_on", SESSION_TERMS,
    "notes_snippet", "recap_snippet", "has_transcript", "transcript_complete", SPEAKER_TERMS, SPEAKER_LABELS,
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
    transcript_word: str | None  # a word to find in the transcript (the reader's ?q=), if it may be there
    said_in_transcript: bool  # a word is known to be in the transcript (in nothing else of the session)

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
    from sessions.speaker_names import SpeakerNames

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


def search_sessions(*, sub, text, campaign_id=None, played_from=None, played_to=None, cursor=None,
                    limit=PAGE_SIZE, campaigns=None, page_size=None):
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
    dynamodb = aws.client("dynamodb")
    next_key = None
    while True:
        if start_key:
            query["ExclusiveStartKey"] = start_key
        response = dynamodb.query(**query)
        page.pages_read += 1
        page.items_read += response.get("ScannedCount", 0)
        page.capacity_units += float(response.get("ConsumedCapacity", {}).get("CapacityUnits", 0) or 0)
        items = response.get("Items", [])
        last_evaluated = response.get("LastEvaluatedKey")
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
    values = {":pk": {"S": partition}}
    if played_from or played_to:
        key_condition = "#pk = :pk AND #order BETWEEN :from AND :to"
        # Undated sessions (0000-00-00) sort below every date, so any range leaves them out.
        values[":from"] = {"S": f"{search_index.SEARCH_PREFIX}{played_from or '0001-01-01'}"}
        values[":to"] = {"S": f"{search_index.SEARCH_PREFIX}{played_to}~" if played_to
                         else f"{search_index.SEARCH_PREFIX}~"}
    else:
        key_condition = "#pk = :pk AND begins_with(#order, :prefix)"
        values[":prefix"] = {"S": search_index.SEARCH_PREFIX}
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
        "TableName": settings.DYNAMODB_TABLE,
        "IndexName": _INDEX,
        "KeyConditionExpression": key_condition,
        "FilterExpression": filter_expression,
        "ProjectionExpression": ", ".join(projection),
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": values,
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
        values[f":w{position}"] = {"S": f" {word}"}
        tests = [f"contains(#f{field}, :w{position})" for field in range(len(_SEARCH_FIELDS))]
        named = []
        for campaign, label in name_matches.get(word, []):
            if campaign not in campaigns:
                campaigns[campaign] = f":c{len(campaigns)}"
                values[campaigns[campaign]] = {"S": campaign}
            placeholder = f":l{position}_{len(named)}"
            values[placeholder] = {"S": label}
            named.append(f"(#cid = {campaigns[campaign]} AND contains(#labels, {placeholder}))")
        clauses_by_word.append((tests, named))

    def expression():
        parts = [f"({' OR '.join(tests + named)})" for tests, named in clauses_by_word]
        if campaign_id:
            parts.append("#cid = :campaign")
        return " AND ".join(parts)

    if campaign_id:
        values[":campaign"] = {"S": campaign_id}
    while _too_big(expression()):
        for tests, named in reversed(clauses_by_word):
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
    return {name: item[name] for name in ("PK", "SK", "LSI1SK")}


# --- one result -------------------------------------------------------------------------------------
def _text(item, name):
    value = item.get(name)
    return value.get("S", "") if value else ""


def _result(item, found_words, campaigns, names, name_matches):
    campaign_id = _text(item, "campaign_id")
    campaign = campaigns.get(campaign_id)
    if campaign is None:
        return None
    title = _text(item, "title")
    notes_snippet = _text(item, "notes_snippet")
    recap_snippet = _text(item, "recap_snippet")
    session_terms = _text(item, SESSION_TERMS)
    speaker_terms = _text(item, SPEAKER_TERMS)
    labels = set(item.get(SPEAKER_LABELS, {}).get("SS", []))
    has_transcript = bool(item.get("has_transcript", {}).get("BOOL"))
    title_terms = f" {' '.join(words(title))} "
    by_label = names.get(campaign_id, {})

    fields, kinds, speakers = [], [], []
    transcript_words, elsewhere_words = [], []
    for word in found_words:
        found = False
        if has_word_starting(title_terms, word):
            _add(fields, "title")
            found = True
        elif has_word_starting(session_terms, word):
            _add(fields, "notes")
            found = True
        for kind, label in KINDS.items():
            if has_word_starting(_text(item, summary_attribute(kind)), word):
                _add(fields, "summaries")
                _add(kinds, label)
                found = True
        speaking = [label for label in sorted(labels) if has_word_starting(f" {' '.join(words(label))} ", word)]
        speaking += [label for campaign, label in name_matches.get(word, [])
                     if campaign == campaign_id and label in labels]
        for label in speaking:
            _add(speakers, speaker_display(by_label, label))
        if speaking or has_word_starting(speaker_terms, word):
            _add(fields, "speakers")
            found = True
        if found:
            elsewhere_words.append(word)
        else:
            transcript_words.append(word)  # the filter let it through: it can only be the transcript
    if transcript_words:
        _add(fields, "transcript")
    fields.sort(key=FIELDS.index)

    snippets = []
    for label, text in (("Notes", notes_snippet), ("Recap", recap_snippet)):
        pieces = snippet_pieces(text, found_words)
        if pieces:
            snippets.append(Snippet(label=label, pieces=pieces))
    # The word to find in the reader: one known to be in the transcript, else (when there is
    # a transcript) the longest word, which may be there too.
    candidates = transcript_words or (elsewhere_words if has_transcript else [])
    transcript_word = max(candidates, key=len) if candidates and has_transcript else None
    number = item.get("number", {}).get("N")
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
        summary_kinds=kinds,
        speakers=speakers,
        has_transcript=has_transcript,
        transcript_word=transcript_word,
        said_in_transcript=bool(transcript_words) and has_transcript,
    )


def _add(values, value):
    if value not in values:
        values.append(value)


# --- highlighting --------------------------------------------------------------------------------------
def highlight(text, found_words):
    """`text` as [(part, is_match)], every word that starts with one of `found_words` marked
    (its matching start only: "drag" marks "Drag" in "Dragon"). Matching folds case and
    accents as the index does; the parts are the original characters."""
    if not text:
        return []
    folded, origin = _folded_with_origin(text)
    spans = []
    for match in search_index.WORD.finditer(folded):
        word = match.group()
        best = max((found for found in found_words if word.startswith(found)), key=len, default=None)
        if best:
            start = match.start()
            spans.append((origin[start], origin[start + len(best) - 1] + 1))
    pieces, done = [], 0
    for start, end in spans:
        while end < len(text) and _is_combining(text[end]):
            end += 1  # an accent written as its own character stays with its letter
        if start < done:
            start = done
        if start >= end:
            continue
        if start > done:
            pieces.append((text[done:start], False))
        pieces.append((text[start:end], True))
        done = end
    if done < len(text):
        pieces.append((text[done:], False))
    return pieces


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


def _folded_with_origin(text):
    """(the folded text, for each of its characters the index of the original one)."""
    if text.isascii():
        return text.lower(), list(range(len(text)))
    folded, origin = [], []
    for index, character in enumerate(text):
        part = fold(character)
        folded.append(part)
        origin.extend([index] * len(part))
    return "".join(folded), origin


def _is_combining(character):
    return bool(unicodedata.combining(character))
