"""What every summarizer shares: the request and result types, the errors, and the
helpers the providers use alike (token estimates, costs, times, character names).
Nothing here reads or writes the table, or calls a provider.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple, Protocol

from sessions.core.kinds import KINDS, LENGTHS
from sessions.core.segments import Segment


class SummaryError(Exception):
    """A summary could not be made. The message is written for the person who asked."""


class SummaryInputError(SummaryError):
    """Nothing (or nothing usable) to summarize: no transcript, no text, too little text."""


class SummaryProviderError(SummaryError):
    """The provider failed. `retryable` says whether trying again later may help.

    `fallback_reason`, in words for the page ("Amazon Bedrock was too busy"), is set when
    the provider refused the service itself (no access to the model, no such model in the
    region, throttled past every retry, unreachable) rather than this input: a job then
    has the offline summarizer write in its place (sessions.summaries.jobs)."""

    def __init__(self, message, *, retryable=False, fallback_reason=None):
        super().__init__(message)
        self.retryable = retryable
        self.fallback_reason = fallback_reason


@dataclass(frozen=True, kw_only=True)
class SummaryRequest:
    kind: str
    length: str = "standard"
    segments: Sequence[Segment] = ()
    # Raw label -> display name: "Mira (Ana)" (character and player) or just "Mira".
    speaker_names: Mapping[str, str] = field(default_factory=dict)
    session_title: str = ""
    campaign_name: str = ""

    def __post_init__(self):
        # A wrong kind or length is the caller's bug, not the user's input.
        if self.kind not in KINDS:
            raise ValueError(f"unknown summary kind {self.kind!r}; expected one of {', '.join(KINDS)}")
        if self.length not in LENGTHS:
            raise ValueError(f"unknown summary length {self.length!r}; expected one of {', '.join(LENGTHS)}")

    def display_name(self, label):
        """The name to show for a raw speaker label: the campaign's name for it, else the label."""
        if not label:
            return ""
        return (self.speaker_names.get(label) or "").strip() or label

    def character_name(self, label):
        """The in-story name: "Mira (Ana)" -> "Mira". Summaries talk about characters, not players."""
        return character_part(self.display_name(label))

    def require_text(self):
        """Raise SummaryInputError unless some segment has text."""
        if not self.segments:
            raise SummaryInputError("There is no transcript to summarize yet: upload one first.")
        if not any(segment.text and segment.text.strip() for segment in self.segments):
            raise SummaryInputError("The transcript has no spoken text to summarize.")


class SessionSummary(NamedTuple):
    """One session's summary (usually its recap), for the story so far."""

    title: str
    text: str


@dataclass(frozen=True, kw_only=True)
class StoryRequest:
    campaign_name: str
    length: str = "standard"
    session_summaries: Sequence[SessionSummary] = ()  # oldest session first

    def __post_init__(self):
        if self.length not in LENGTHS:
            raise ValueError(f"unknown summary length {self.length!r}; expected one of {', '.join(LENGTHS)}")


@dataclass(frozen=True, kw_only=True)
class SummaryResult:
    text: str  # plain text; lists are "- " bullets, one a line
    kind: str  # one of KINDS, or STORY_SO_FAR
    length: str
    provider: str
    model: str
    input_tokens: int
    output_tokens: int
    estimated_cost_usd: Decimal
    # True when the token counts are estimates (offline: words x 1.3), not a provider's count.
    tokens_estimated: bool = False


class Summarizer(Protocol):
    provider: str

    def summarize(self, request: SummaryRequest) -> SummaryResult: ...

    def summarize_story(self, request: StoryRequest) -> SummaryResult: ...


# --- Helpers the providers share -------------------------------------------------------

_PARENTHETICAL = re.compile(r"\s*\([^)]*\)\s*$")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def character_part(name):
    """ "Mira (Ana)" -> "Mira"; a name without a parenthetical stays as it is."""
    stripped = _PARENTHETICAL.sub("", name or "").strip()
    return stripped or (name or "").strip()


def estimate_tokens(text):
    """An approximate token count: words x 1.3, and one per CJK character (written without spaces).

    Only an estimate: real tokenizers differ by model. Good enough for budgets and for
    the offline provider's figures, which are labelled as estimates.
    """
    if not text:
        return 0
    cjk = len(_CJK.findall(text))
    words = len(text.split())
    return round(words * 1.3) + cjk


def round_cost(value):
    """US dollars to six places: small calls cost fractions of a cent."""
    return Decimal(value).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)
