"""Builders tests share that are not fixtures (the fixtures are in conftest.py)."""

from tests.transcript_uploads import store_transcript


def store_transcript_for(sub, session, data, filename):
    """The session once `data` is its transcript (stored as an upload would)."""
    stored = store_transcript(
        sub=sub, campaign_id=session.campaign_id, session_id=session.session_id, data=data, filename=filename
    )
    return stored.session
