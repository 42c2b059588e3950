"""One search result: what a matching search item says, read into a SearchResult.

The search (sessions/search/services.py) hands each item DynamoDB returned to result_of:
its title with the words marked, snippets of its notes and recap around the first word
found, and every place of the session each word is (its title, notes, summaries,
speakers, transcript), for the page to link to (sessions/search/views.py).
"""

from dataclasses import dataclass
from datetime import date

from sessions.core.kinds import KINDS
from sessions.core.search_index import (
    OTHER_SUMMARY_TERMS,
    SESSION_TERMS,
    SPEAKER_LABELS,
    SPEAKER_TERMS,
    TRANSCRIPT_TERMS,
    summary_attribute,
)
from sessions.core.search_terms import has_word_starting
from sessions.core.text import terms_of, word_pieces
from sessions.transcripts.speaker_display import speaker_display

SNIPPET_WINDOW = 160  # characters of a snippet shown around the first match
OTHER_SUMMARIES_LABEL = "Other summaries"  # those of kinds kept from v1.0 under their own names
FIELDS = ("title", "notes", "summaries", "speakers", "transcript")  # what a result may say it matched, in order


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


def _text(item, name):
    return item.get(name) or ""


def result_of(item, found_words, campaigns, names, name_matches):
    """The SearchResult of a search item (plain values, campaigns_site.dynamodb), or None when its
    campaign is not among `campaigns` (it is being deleted)."""
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
        title_pieces=word_pieces(title, found_words),
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
    title_terms = terms_of(_text(item, "title"))
    notes_terms = terms_of(_text(item, "notes_snippet"))
    session_terms = _text(item, SESSION_TERMS)
    speaker_terms = _text(item, SPEAKER_TERMS)
    transcript_terms = _text(item, TRANSCRIPT_TERMS)
    transcript_incomplete = has_transcript and item.get("transcript_complete") is False
    labels = sorted(item.get(SPEAKER_LABELS, set()))
    summaries = {kind: _text(item, summary_attribute(kind)) for kind in KINDS}
    other_summaries = _text(item, OTHER_SUMMARY_TERMS)  # v1.0's own kinds: which one is not known

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
        if has_word_starting(other_summaries, word):
            add("summaries", OTHER_SUMMARY_TERMS, word, label=OTHER_SUMMARIES_LABEL)
        speaking = {label for label in labels if has_word_starting(terms_of(label), word)}
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
    places.sort(key=lambda place: (FIELDS.index(place.field), order.get(place.kind, len(order))))
    return places


def snippet_pieces(text, found_words, *, window=SNIPPET_WINDOW):
    """A highlighted window of `text` around its first match, or [] when nothing matches."""
    first, position = None, 0
    for part, is_match in word_pieces(text, found_words):
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
    shown = word_pieces(text[start:end], found_words)
    if start:
        shown.insert(0, ("…", False))
    if end < len(text):
        shown.append(("…", False))
    return shown
