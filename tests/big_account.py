"""An account of many sessions, each with a transcript, six summaries and notes, written
fast (BatchWriteItem and plain PutObject, one parse for all): what the export's memory and
request tests and scripts/bench_export.py measure against. The items are as the app writes
them; only the search items and counters the export never reads are left out."""

import hashlib
from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone

from campaigns.repository import create_campaign
from campaigns_site import aws
from campaigns_site.table_keys import new_id, play_order_key, session_sk, summary_sk, user_pk
from sessions.core import storage_keys
from sessions.core.items import PlaySession
from sessions.core.kinds import KINDS
from sessions.summaries.items import Summary
from sessions.transcripts.parsing import parse_transcript_bytes
from sessions.transcripts.segments_json import dump_segments
from tests.transcript_samples import sample_bytes

CAMPAIGNS = 5


def transcript_of(*, hours, original=None, filename="night.vtt"):
    """(original bytes, normalized bytes, parsed) of a generated VTT transcript of `hours`,
    or of `original` (a file's bytes, named `filename`)."""
    original = original if original is not None else sample_bytes("vtt", hours=hours)
    parsed = parse_transcript_bytes(original, filename=filename, max_bytes=len(original))
    return original, dump_segments(parsed.segments), parsed


def build_big_account(
    sub, *, sessions=500, hours=0.25, summary_words=300, kinds=tuple(KINDS), original=None, filename="night.vtt"
):
    """Returns (campaign ids, the bytes of the transcripts stored: originals + normalized)."""
    original, normalized, parsed = transcript_of(hours=hours, original=original, filename=filename)
    sha256 = hashlib.sha256(original).hexdigest()
    campaigns = [create_campaign(sub=sub, name=f"Campaign {number}").campaign_id for number in range(CAMPAIGNS)]
    summary_text = "\n".join(f"- The party met a stranger number {n} at the inn." for n in range(summary_words // 10))
    s3 = aws.client("s3")
    now, first_day = timezone.now(), date(2020, 1, 1)
    with PlaySession.batch_write() as sessions_batch, Summary.batch_write() as summaries_batch:
        for number in range(sessions):
            campaign_id, session_id, upload_id = campaigns[number % CAMPAIGNS], new_id(), new_id()
            played_on = (first_day + timedelta(days=7 * number)).isoformat()
            for key, body in (
                (storage_keys.original_key(sub=sub, session_id=session_id, upload_id=upload_id), original),
                (storage_keys.segments_key(sub=sub, session_id=session_id, upload_id=upload_id), normalized),
            ):
                s3.put_object(Bucket=settings.TRANSCRIPT_BUCKET, Key=key, Body=body)
            sessions_batch.save(
                PlaySession(
                    user_pk(sub),
                    session_sk(campaign_id, session_id),
                    lsi1sk=play_order_key(
                        campaign_id=campaign_id, played_on=played_on, number=number, session_id=session_id
                    ),
                    title=f"Session {number}: the road to somewhere",
                    number=number,
                    played_on=played_on,
                    notes="Notes of the night. " * 40,
                    created=now,
                    updated=now,
                    version=1,
                    transcript_upload_id=upload_id,
                    transcript_filename=filename,
                    transcript_format=parsed.format,
                    transcript_encoding=parsed.encoding,
                    transcript_sha256=sha256,
                    transcript_segment_count=parsed.segment_count,
                    transcript_duration=parsed.duration,
                    transcript_speaker_count=len(parsed.speakers),
                    transcript_speakers=list(parsed.speakers),
                    transcript_uploaded=now,
                    transcript_bytes=len(original),
                )
            )
            for kind in kinds:
                summaries_batch.save(
                    Summary(
                        user_pk(sub),
                        summary_sk(campaign_id, session_id, kind),
                        kind=kind,
                        text=summary_text,
                        provider="offline",
                        created=now,
                        updated=now,
                        version=1,
                    )
                )
    return campaigns, sessions * (len(original) + len(normalized))
