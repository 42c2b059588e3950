"""An account with one of everything an export carries, built through the repositories
(tests of the writer, the importer and the round trip share it), and a reader of zips."""

import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.utils import timezone

from campaigns.repository import create_campaign, mark_campaign_deleting
from campaigns_site.table import story_summary_sk, summary_sk, user_pk
from sessions.core.repository import create_session
from sessions.sharing.repository import create_share_link
from sessions.summaries.imported import imported_summary, save_imported_summary
from sessions.summaries.items import Summary
from sessions.transcripts.repository import save_speaker_names
from tests.factories import store_transcript_for

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
HOSTILE_TITLE = 'CON: <script>alert(1)</script> / "---" [[x]] # ünïcödé 🐉'


@dataclass
class BuiltAccount:
    sub: str
    campaign_ids: list = field(default_factory=list)
    session_ids: list = field(default_factory=list)
    transcribed_ids: list = field(default_factory=list)
    tokens: list = field(default_factory=list)
    deleting_campaign_id: str = ""


def build_account(sub, *, deleting_campaign=True):
    """Two live campaigns (one archived) and, if asked, one being deleted; sessions with and
    without transcripts (VTT, SRT, plain text, Whisper JSON), numbers and dates or none;
    generated, edited and v1.0 summaries, a story so far; speaker names; share links."""
    built = BuiltAccount(sub=sub)
    strahd = create_campaign(sub=sub, name="Curse of Strahd", description="Mists & *dread*", game_system="D&D 5e")
    kell = create_campaign(sub=sub, name=HOSTILE_TITLE, archived=True)
    built.campaign_ids = [strahd.campaign_id, kell.campaign_id]
    sessions = []
    for index, (sample, number, played_on) in enumerate(
        [
            ("the-skewered-dragon.vtt", 1, "2024-05-31"),
            ("the-warehouse.srt", 2, "2024-06-07"),
            ("volos-offer.txt", None, None),
            ("renaer.json", 3, "2024-06-21"),
        ]
    ):
        session = create_session(
            sub=sub,
            campaign_id=strahd.campaign_id,
            title=f"Session {index}: {sample}",
            number=number,
            played_on=played_on,
            notes=f"Notes {index}\n---\n# not a heading",
        )
        session = store_transcript_for(sub, session, (SAMPLES / sample).read_bytes(), sample)
        sessions.append(session)
        built.transcribed_ids.append(session.session_id)
    bare = create_session(sub=sub, campaign_id=kell.campaign_id, title=HOSTILE_TITLE, notes="")
    same_title = create_session(sub=sub, campaign_id=kell.campaign_id, title=HOSTILE_TITLE.upper(), number=7)
    sessions += [bare, same_title]
    built.session_ids = [session.session_id for session in sessions]
    _summaries(sub, sessions[0], strahd.campaign_id)
    save_speaker_names(
        sub=sub,
        campaign_id=strahd.campaign_id,
        expected_version=0,
        names={"Speaker 1": {"player": "Ana", "character": "Mira"}, "Narrator": {"player": "Bo", "character": ""}},
    )
    expires = (timezone.now() + timedelta(days=30)).replace(microsecond=0)
    for scope, options in [("recap", {}), ("transcript", {"expires": expires, "view_limit": 5, "label": "For Ana"})]:
        made = create_share_link(
            sub=sub, campaign_id=strahd.campaign_id, session_id=sessions[0].session_id, scope=scope, **options
        )
        built.tokens.append(made.token)
    if deleting_campaign:
        gone = create_campaign(sub=sub, name="Being deleted")
        create_session(sub=sub, campaign_id=gone.campaign_id, title="Gone with it")
        mark_campaign_deleting(sub=sub, campaign_id=gone.campaign_id)
        built.deleting_campaign_id = gone.campaign_id
    return built


def _summaries(sub, session, campaign_id):
    now = timezone.now()
    generated = {
        "kind": "recap",
        "length": "standard",
        "text": "Previously: the mists closed in.\n\n- A door\n- A key",
        "provider": "offline",
        "model": "offline-extractive-1",
        "input_tokens": 1200,
        "output_tokens": 80,
        "tokens_estimated": True,
        "estimated_cost_text": "0.000123",
        "created": now,
        "updated": now,
        "source_sha256": session.transcript_sha256,
        "speaker_names_sha": "none",
    }
    Summary(user_pk(sub), summary_sk(campaign_id, session.session_id, "recap"), **generated).save()
    edited = {**generated, "kind": "loot", "text": "- A silver key\n- 30 gp", "edited": True}
    Summary(user_pk(sub), summary_sk(campaign_id, session.session_id, "loot"), **edited).save()
    story = {**generated, "kind": "story_so_far", "source_count": 1, "source_sha256": "ab" * 32}
    Summary(user_pk(sub), story_summary_sk(campaign_id), **story).save()
    old = imported_summary(
        sub=sub,
        campaign_id=campaign_id,
        session_id=session.session_id,
        kind="session_mood",
        text="**Tense**, then _triumphant_.  \nA [link](https://example.com).",
        model="gpt-4o",
        input_tokens=10,
        output_tokens=5,
        created=now,
    )
    save_imported_summary(summary=old)


# --- reading a zip back -----------------------------------------------------------------------
def read_zip(data):
    """{name: bytes} of every entry of a zip given as bytes."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def lines_of(entries, kind):
    text = entries[f"data/{kind}.jsonl"].decode("utf-8")
    return [json.loads(line) for line in text.splitlines()]


class UnseekableStream(io.RawIOBase):
    """A write-only stream that cannot seek or tell: as a socket or an S3 multipart upload."""

    def __init__(self):
        self.buffer = bytearray()

    def writable(self):
        return True

    def write(self, data):
        self.buffer += data
        return len(data)
