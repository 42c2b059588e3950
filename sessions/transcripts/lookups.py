"""The owner-scoped lookup of a session with its campaign's speaker names, used by every
view of this package that shows a transcript's speakers (the reader, the speakers page)."""

from django.http import Http404

from campaigns_site.owners import sub
from sessions.transcripts import repository


def session_and_names_or_404(request, campaign_id, session_id):
    """(campaign, session, SpeakerNames item or None), or 404 when the session or its
    campaign is not the user's: one BatchGetItem."""
    campaign, session, names = repository.get_session_with_campaign_and_speaker_names(
        sub=sub(request), campaign_id=campaign_id, session_id=session_id
    )
    if session is None:
        raise Http404  # no detail: the 404 page must not tell whose or what it was
    return campaign, session, names
