"""Summaries of a play session's transcript, behind one interface.

A provider turns a SummaryRequest (one kind, one length, the transcript's segments and
the campaign's speaker names) into a SummaryResult (sessions.summaries.summarizers.base,
with the errors every provider raises). Two providers exist:

- "offline" (sessions.summaries.summarizers.offline): extractive and heuristic, standard library
  only, no network, no model. The default for local runs and tests, and the stand-in
  when Bedrock refuses a job (SummaryProviderError.fallback_reason).
- "bedrock" (sessions.summaries.summarizers.bedrock): Amazon Bedrock's Converse API. The default
  in production (APP_ENV=production).

settings.SUMMARY_PROVIDER picks one (get_summarizer). Jobs, storage and views live
elsewhere: nothing here reads or writes the table.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from sessions.summaries.summarizers.base import SessionSummary, StoryRequest, SummaryInputError
from sessions.summaries.summarizers.bedrock import BedrockSummarizer
from sessions.summaries.summarizers.offline import OfflineSummarizer

PROVIDERS = ("offline", "bedrock")


def get_summarizer():
    """The provider settings.SUMMARY_PROVIDER names."""
    provider = settings.SUMMARY_PROVIDER
    if provider == "offline":
        return OfflineSummarizer()
    if provider == "bedrock":
        return BedrockSummarizer.from_settings()
    raise ImproperlyConfigured(f"SUMMARY_PROVIDER must be one of {', '.join(PROVIDERS)}, not {provider!r}")


def summarize(request, *, summarizer=None):
    """One summary of one session with the configured provider (or `summarizer`)."""
    return (summarizer or get_summarizer()).summarize(request)


def summarize_story_so_far(*, session_summaries, campaign_name, length="standard", summarizer=None):
    """A campaign-level recap from its sessions' summaries, oldest session first.

    session_summaries: SessionSummary items or (title, text) pairs. Sessions without
    a summary text are skipped; none at all is a SummaryInputError.
    """
    usable = [
        SessionSummary(title=(title or "").strip(), text=text.strip())
        for title, text in session_summaries
        if text and text.strip()
    ]
    if not usable:
        raise SummaryInputError("No session of this campaign has a summary yet: summarize a session first.")
    request = StoryRequest(campaign_name=campaign_name, length=length, session_summaries=usable)
    return (summarizer or get_summarizer()).summarize_story(request)
