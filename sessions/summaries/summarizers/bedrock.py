"""Summaries by Amazon Bedrock, through the Converse API.

One Converse call when the transcript fits BEDROCK_CHUNK_TOKENS (an estimate: words x
1.3); otherwise map-reduce: notes per part, then one call merging the notes (in rounds,
if even the notes are too long). A part the model still finds too long is halved once.
Throttling and short outages are retried with exponential backoff and jitter; botocore's
own retries are off for this client (campaigns_site.aws), so BEDROCK_MAX_ATTEMPTS is the
only count. Token usage comes from each response's `usage`, summed; the cost estimate
uses BEDROCK_PRICE_INPUT_PER_1K / BEDROCK_PRICE_OUTPUT_PER_1K.

Every failure surfaces as SummaryProviderError with a message for people.
"""

import logging
import random
import re
import time
from decimal import Decimal

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings

from campaigns_site import aws
from sessions.core.kinds import STORY_SO_FAR
from sessions.core.segments import format_time
from sessions.summaries.summarizers import prompts
from sessions.summaries.summarizers.base import (
    SummaryProviderError,
    SummaryResult,
    estimate_tokens,
    round_cost,
)

logger = logging.getLogger(__name__)

# Worth another try after a pause; AWS documents these as transient.
RETRYABLE_ERRORS = frozenset(
    {"ThrottlingException", "ServiceUnavailableException", "ModelNotReadyException", "InternalServerException"}
)
# How Bedrock's models word "the input does not fit" (it varies by model family).
_TOO_LONG = re.compile(
    r"too long|too many (input )?tokens|context (length|window)|maximum context|exceeds? the (maximum|context)",
    re.IGNORECASE,
)
# Why the offline summarizer wrote a summary instead (SummaryProviderError.fallback_reason),
# as the page completes it: "Written by the offline summarizer because <reason>."
BUSY = "Amazon Bedrock was too busy to answer"
UNREACHABLE = "Amazon Bedrock could not be reached"
NO_ACCESS = "this site has not been given access to its Bedrock model yet"
NO_MODEL = "the Bedrock model this site is set up with is not available in its region"
_BAD_MODEL_ID = re.compile(r"model identifier is invalid|model .*(not found|does not exist|isn't supported)", re.I)
# Room kept in each part for the system prompt and the header above the transcript.
PROMPT_ALLOWANCE = 1_000
MERGE_ROUNDS = 3


class InputTooLong(SummaryProviderError):
    """The model refused an input as too long for its context."""


def runtime_client(region=None):
    # Without a region this is the very client aws.client("bedrock-runtime") caches (tests stub it).
    return aws.client("bedrock-runtime", region=region) if region else aws.client("bedrock-runtime")


class _Usage:
    def __init__(self):
        self.input_tokens = 0
        self.output_tokens = 0
        self.calls = 0

    def add(self, usage):
        self.input_tokens += int(usage.get("inputTokens", 0))
        self.output_tokens += int(usage.get("outputTokens", 0))
        self.calls += 1


class BedrockSummarizer:
    provider = "bedrock"

    def __init__(
        self,
        *,
        model_id,
        region=None,
        chunk_tokens=100_000,
        max_attempts=6,
        price_input_per_1k=Decimal(0),
        price_output_per_1k=Decimal(0),
        sleep=time.sleep,
        jitter=random.random,
        backoff_base=2.0,
        backoff_cap=60.0,
    ):
        self.model_id = model_id
        self.region = region
        self.chunk_tokens = chunk_tokens
        self.max_attempts = max(1, max_attempts)
        self.price_input_per_1k = Decimal(price_input_per_1k)
        self.price_output_per_1k = Decimal(price_output_per_1k)
        self.sleep = sleep  # injectable, so tests never wait
        self.jitter = jitter  # returns a float in [0, 1)
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap

    @classmethod
    def from_settings(cls, **overrides):
        options = {
            "model_id": settings.BEDROCK_MODEL_ID,
            "region": settings.BEDROCK_REGION,
            "chunk_tokens": settings.BEDROCK_CHUNK_TOKENS,
            "max_attempts": settings.BEDROCK_MAX_ATTEMPTS,
            "price_input_per_1k": settings.BEDROCK_PRICE_INPUT_PER_1K,
            "price_output_per_1k": settings.BEDROCK_PRICE_OUTPUT_PER_1K,
        }
        return cls(**{**options, **overrides})

    # --- The interface ---------------------------------------------------------------------

    def summarize(self, request):
        request.require_text()
        blocks = transcript_lines(request)
        header = transcript_header(request)
        return self._summarize(
            kind=request.kind, length=request.length, campaign=request.campaign_name, header=header, blocks=blocks
        )

    def summarize_story(self, request):
        # One block per session, so a part boundary never falls inside a session's summary.
        blocks = [
            f"## {title or f'Session {number}'}\n{text}"
            for number, (title, text) in enumerate(request.session_summaries, start=1)
        ]
        header = f"Campaign: {request.campaign_name}\nSession summaries, oldest first:\n"
        return self._summarize(
            kind=STORY_SO_FAR, length=request.length, campaign=request.campaign_name, header=header, blocks=blocks
        )

    def parts_for(self, request):
        """The transcript lines of each Converse call's part: one part means a single call."""
        return split_into_parts(transcript_lines(request), budget=self._part_budget(transcript_header(request)))

    # --- Map and reduce ----------------------------------------------------------------------

    def _summarize(self, *, kind, length, campaign, header, blocks):
        usage = _Usage()
        budget = self._part_budget(header)
        parts = split_into_parts(blocks, budget=budget)
        context = {"kind": kind, "length": length, "campaign": campaign}
        if len(parts) == 1:
            try:
                text = self._converse(
                    system=prompts.system_prompt(**context),
                    text=header + "\n".join(parts[0]),
                    max_tokens=prompts.MAX_OUTPUT_TOKENS[length],
                    usage=usage,
                )
            except InputTooLong:
                # Our estimate undercounted for this model: the same input in two parts.
                text = self._map_reduce(halve(parts[0]), context=context, header=header, usage=usage, may_halve=False)
        else:
            text = self._map_reduce(parts, context=context, header=header, usage=usage, may_halve=True)
        cost = (
            Decimal(usage.input_tokens) / 1000 * self.price_input_per_1k
            + Decimal(usage.output_tokens) / 1000 * self.price_output_per_1k
        )
        return SummaryResult(
            text=text,
            kind=kind,
            length=length,
            provider=self.provider,
            model=self.model_id,
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            estimated_cost_usd=round_cost(cost),
        )

    def _part_budget(self, header):
        return max(self.chunk_tokens - PROMPT_ALLOWANCE - estimate_tokens(header), 200)

    def _map_reduce(self, parts, *, context, header, usage, may_halve):
        notes = []
        for number, part in enumerate(parts, start=1):
            common = {"count": len(parts), "context": context, "header": header, "usage": usage}
            try:
                notes.append(self._notes(part, label=str(number), **common))
            except InputTooLong:
                if not may_halve:
                    raise self._too_long_error() from None
                # Smaller parts, once: the model counts tokens differently from our estimate.
                for suffix, half in zip("ab", halve(part), strict=False):
                    try:
                        notes.append(self._notes(half, label=f"{number}{suffix}", **common))
                    except InputTooLong:
                        raise self._too_long_error() from None
        return self._merge(notes, context=context, header=header, usage=usage)

    def _notes(self, blocks, *, label, count, context, header, usage):
        return self._converse(
            system=prompts.part_prompt(**context, part=label, parts=count),
            text=header + "\n".join(blocks),
            max_tokens=prompts.NOTES_MAX_TOKENS,
            usage=usage,
        )

    def _merge(self, notes, *, context, header, usage):
        budget = self._part_budget(header)
        for _ in range(MERGE_ROUNDS):
            labelled = [f"Notes {index}:\n{note}" for index, note in enumerate(notes, start=1)]
            groups = split_into_parts(labelled, budget=budget)
            if len(groups) == 1:
                try:
                    return self._converse(
                        system=prompts.merge_prompt(**context),
                        text="\n\n".join(groups[0]),
                        max_tokens=prompts.MAX_OUTPUT_TOKENS[context["length"]],
                        usage=usage,
                    )
                except InputTooLong:
                    raise self._too_long_error() from None
            # Too many notes for one call: condense them group by group, then try again.
            notes = [
                self._notes(group, label=str(number), count=len(groups), context=context, header="", usage=usage)
                for number, group in enumerate(groups, start=1)
            ]
        raise self._too_long_error()

    def _too_long_error(self):
        return SummaryProviderError(
            f"The transcript is too long for the model {self.model_id}, even split into parts. "
            "Lower BEDROCK_CHUNK_TOKENS to split it into smaller parts."
        )

    # --- One call --------------------------------------------------------------------------

    def _converse(self, *, system, text, max_tokens, usage):
        params = {
            "modelId": self.model_id,
            "system": [{"text": system}],
            "messages": [{"role": "user", "content": [{"text": text}]}],
            "inferenceConfig": {"maxTokens": max_tokens, "temperature": 0.2},
        }
        for attempt in range(1, self.max_attempts + 1):
            try:
                response = runtime_client(self.region).converse(**params)
            except ClientError as error:
                code = error.response.get("Error", {}).get("Code", "")
                if code in RETRYABLE_ERRORS and attempt < self.max_attempts:
                    self._pause(attempt, reason=code)
                    continue
                raise self._error(code, error.response.get("Error", {}).get("Message", ""), attempt) from error
            except BotoCoreError as error:  # no connection, read timeout: the network, not the request
                if attempt < self.max_attempts:
                    self._pause(attempt, reason=type(error).__name__)
                    continue
                raise SummaryProviderError(
                    f"Could not reach Amazon Bedrock after {attempt} attempts ({error}). Try again later.",
                    retryable=True,
                    fallback_reason=UNREACHABLE,
                ) from error
            usage.add(response.get("usage") or {})
            return self._text_of(response)
        raise AssertionError("unreachable: the loop returns or raises")

    def _pause(self, attempt, *, reason):
        ceiling = min(self.backoff_cap, self.backoff_base * 2 ** (attempt - 1))
        # "Equal jitter": at least half the ceiling, so retries never hammer, and spread so
        # that parallel jobs throttled together do not come back together.
        delay = ceiling / 2 + self.jitter() * ceiling / 2
        logger.info("Bedrock %s, attempt %d of %d; retrying in %.1f s", reason, attempt, self.max_attempts, delay)
        self.sleep(delay)

    def _error(self, code, message, attempts):
        if code in RETRYABLE_ERRORS:
            return SummaryProviderError(
                f"Amazon Bedrock is busy ({code}) and still refused after {attempts} attempts. "
                "Try again in a few minutes.",
                retryable=True,
                fallback_reason=BUSY,
            )
        if code == "ValidationException" and _TOO_LONG.search(message):
            return InputTooLong(message)
        if code == "ResourceNotFoundException" or (code == "ValidationException" and _BAD_MODEL_ID.search(message)):
            return SummaryProviderError(
                f"Amazon Bedrock has no model {self.model_id!r} in {self._region_name()}: check BEDROCK_MODEL_ID "
                "and BEDROCK_REGION (some models need an inference profile id such as 'us.<model id>').",
                fallback_reason=NO_MODEL,
            )
        if code == "AccessDeniedException":
            return SummaryProviderError(
                f"Amazon Bedrock refused access to the model {self.model_id!r}: enable it under Model access in "
                f"the Bedrock console ({self._region_name()}) and allow bedrock:InvokeModel on it to the app's role.",
                fallback_reason=NO_ACCESS,
            )
        if code == "ValidationException":
            return SummaryProviderError(f"Amazon Bedrock rejected the request: {message}")
        return SummaryProviderError(
            f"Amazon Bedrock failed ({code or 'unknown error'}): {message}",
            retryable=code in ("ModelTimeoutException", "ModelErrorException"),
        )

    def _region_name(self):
        return self.region or settings.AWS_REGION

    def _text_of(self, response):
        stop = response.get("stopReason")
        if stop == "model_context_window_exceeded":
            raise InputTooLong(stop)
        if stop in ("guardrail_intervened", "content_filtered"):
            raise SummaryProviderError(
                "The model's content filter stopped this summary. The offline provider can still summarize it."
            )
        content = response.get("output", {}).get("message", {}).get("content", [])
        text = "\n".join(block["text"] for block in content if "text" in block).strip()
        if not text:
            raise SummaryProviderError("Amazon Bedrock returned an empty summary. Try again.", retryable=True)
        if stop == "max_tokens":
            logger.warning("Bedrock summary reached its output limit and may be cut short")
        return text


# --- Rendering and splitting ---------------------------------------------------------------------


def transcript_lines(request):
    """The transcript as "[hh:mm:ss] Name: text" lines, with the campaign's speaker names."""
    lines = []
    for segment in request.segments:
        text = " ".join((segment.text or "").split())
        if not text:
            continue
        stamp = format_time(segment.start, fixed_width=True)
        who = request.display_name(segment.speaker)
        prefix = f"[{stamp}] " if stamp else ""
        lines.append(f"{prefix}{who}: {text}" if who else f"{prefix}{text}")
    return lines


def transcript_header(request):
    speakers = []
    for segment in request.segments:
        name = request.display_name(segment.speaker)
        if name and name not in speakers:
            speakers.append(name)
    header = []
    if request.campaign_name:
        header.append(f"Campaign: {request.campaign_name}")
    if request.session_title:
        header.append(f"Session: {request.session_title}")
    if speakers:
        header.append(f"Speakers (the player characters and the game master): {', '.join(speakers)}")
    header.append("Transcript:")
    return "\n".join(header) + "\n"


def split_into_parts(blocks, *, budget):
    """Consecutive blocks grouped so each group's estimated tokens stay within budget.

    A single block over budget is cut into pieces first (a long monologue, or a transcript
    with no line breaks). Order is kept; every block lands in exactly one part.
    """
    parts = []
    current = []
    used = 0
    for block in blocks:
        for piece in _pieces(block, budget=budget):
            cost = estimate_tokens(piece) + 1
            if current and used + cost > budget:
                parts.append(current)
                current, used = [], 0
            current.append(piece)
            used += cost
    if current:
        parts.append(current)
    return parts or [[]]


def _pieces(block, *, budget):
    if estimate_tokens(block) <= budget:
        return [block]
    words = block.split(" ")
    if len(words) > 1:
        per_piece = max(int(budget / 1.3), 1)
        return [" ".join(words[i : i + per_piece]) for i in range(0, len(words), per_piece)]
    return [block[i : i + budget] for i in range(0, len(block), budget)]  # no spaces: about a token a character


def halve(blocks):
    """Two halves of a part: by blocks when it has several, else by the one block's text."""
    if len(blocks) > 1:
        middle = len(blocks) // 2
        return [blocks[:middle], blocks[middle:]]
    text = blocks[0] if blocks else ""
    middle = len(text) // 2
    cut = text.rfind(" ", 0, middle) + 1 or middle
    return [[text[:cut]], [text[cut:]]]
