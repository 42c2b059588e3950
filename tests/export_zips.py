"""Export zips for import_data's tests: an account made through the repositories (campaigns,
sessions with transcripts, speaker names, summaries of every sort, share links), its
records as exports.format makes them, and a zip of them that a test may spoil first.
Not the app's writer (exports/writer.py): a small one, enough to feed the importer."""

import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.utils import timezone
from moto import mock_aws

from accounts.profiles import set_preferences
from campaigns_site import aws as aws_module
from campaigns_site.provision import provision
from campaigns_site.table_keys import story_summary_sk, summary_sk, user_pk
from exports import format as export_format
from exports.writer import write_export
from sessions.core.repository import create_session, get_session, update_session
from sessions.sharing.repository import create_share_link, open_share_link
from sessions.summaries.imported import save_imported_story, save_imported_summary
from sessions.summaries.items import MARKDOWN, Summary
from sessions.transcripts.repository import save_speaker_names
from tests.transcript_uploads import store_transcript

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
EMAIL = "ada@example.com"


@dataclass
class Export:
    """What a zip holds, before it is written: tests spoil any part of it."""

    manifest: dict
    lines: dict  # {kind: [a record (dict) or a raw line (str)]}
    files: dict = field(default_factory=dict)  # {path in the zip: bytes}

    def write(self, path):
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for kind in export_format.KINDS:
                text = "".join(
                    (line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)) + "\n"
                    for line in self.lines.get(kind, [])
                )
                archive.writestr(export_format.data_path(kind), text)
            for name, data in self.files.items():
                archive.writestr(name, data)
            if self.manifest is not None:
                archive.writestr(export_format.MANIFEST, json.dumps(self.manifest))
        return path

    def session(self, title):
        return next(line for line in self.lines["sessions"] if line["title"] == title)


def fresh_deployment(settings_fixture):
    """Forget the whole moto world and provision an empty one (table, bucket, pool)."""
    mock_aws().reset()
    aws_module.reset()
    settings_fixture.COGNITO_USER_POOL_ID = settings_fixture.COGNITO_APP_CLIENT_ID = ""
    report = provision()
    settings_fixture.COGNITO_USER_POOL_ID = report.user_pool_id
    settings_fixture.COGNITO_APP_CLIENT_ID = report.app_client_id
    settings_fixture.COGNITO_APP_CLIENT_SECRET = report.app_client_secret
    return report


def summary_of(sub, campaign_id, session_id, kind, text, **fields):
    sk = story_summary_sk(campaign_id) if session_id is None else summary_sk(campaign_id, session_id, kind)
    now = timezone.now()
    values = {"length": "standard", "provider": "offline", "model": "offline-1", "created": now, "updated": now}
    return Summary(user_pk(sub), sk, kind=kind, text=text, version=1, **{**values, **fields})


def make_account(make_user, make_campaign):
    """A rich account: two campaigns (one archived), four sessions (three with transcripts, one
    edited after its upload), speaker names, summaries (generated-like, edited, v1.0's Markdown
    of its own kind, the story so far) and two share links (one opened). Returns the sub."""
    sub = make_user(EMAIL, display_name="Ada the Bard")
    set_preferences(sub=sub, theme="dark", time_zone="Europe/Paris")
    strahd = make_campaign(sub=sub, name="Curse of Strahd", description="Barovia", game_system="D&D 5e")
    waterdeep = make_campaign(sub=sub, name="Dragon Heist", archived=True)
    first = _session_with(sub, strahd, "Death House", "the-skewered-dragon.vtt", number=1, played_on="2024-05-31")
    second = _session_with(sub, strahd, "The Warehouse", "the-warehouse.srt", number=2, notes="Loot: a key")
    create_session(sub=sub, campaign_id=strahd.campaign_id, title="Session zero")
    _session_with(sub, waterdeep, "Volo's offer", "volos-offer.txt")
    current = get_session(sub=sub, campaign_id=strahd.campaign_id, session_id=first.session_id)
    update_session(  # edited after its upload: `updated` is not the upload's time
        sub=sub,
        campaign_id=strahd.campaign_id,
        session_id=first.session_id,
        expected_version=current.version,
        title="The Death House",
        number=1,
        played_on="2024-05-31",
        notes="Rose and Thorn",
    )
    labels = list(current.transcript_speakers or ["GM"])
    names = {labels[0]: {"player": "Ada", "character": "Ireena"}}
    save_speaker_names(sub=sub, campaign_id=strahd.campaign_id, expected_version=0, names=names)
    cid, sid = strahd.campaign_id, first.session_id
    for item in (
        summary_of(
            sub,
            cid,
            sid,
            "recap",
            "- The party met Rose and Thorn.",
            input_tokens=120,
            output_tokens=40,
            tokens_estimated=True,
            estimated_cost_text="0.000123",
            source_sha256=current.transcript_sha256,
            speaker_names_sha="none",
            fallback_reason="Bedrock was throttled",
        ),
        summary_of(sub, cid, sid, "key_events", "- The house moved.\n- Edited by hand.", edited=True),
        summary_of(
            sub,
            cid,
            sid,
            "session_mood",
            "**Tense**, then *grim*.",
            length="",
            provider="v1.0",
            model="gpt-4",
            text_format=MARKDOWN,
        ),
        summary_of(sub, cid, second.session_id, "recap", "- A warehouse full of crates.", length="brief"),
    ):
        save_imported_summary(summary=item)
    story = summary_of(
        sub, cid, None, "story_so_far", "So far: a house, a warehouse.", source_count=2, source_sha256="ab" * 32
    )
    save_imported_story(summary=story)
    opened = create_share_link(
        sub=sub,
        campaign_id=cid,
        session_id=sid,
        scope="summaries",
        label="players",
        view_limit=10,
        expires=timezone.now() + timedelta(days=30),
    )
    open_share_link(token=opened.token)
    create_share_link(sub=sub, campaign_id=cid, session_id=sid, scope="transcript", characters_only=True)
    return sub


def _session_with(sub, campaign, title, sample, **fields):
    session = create_session(sub=sub, campaign_id=campaign.campaign_id, title=title, **fields)
    data = (SAMPLES / sample).read_bytes()
    return store_transcript(
        sub=sub, campaign_id=campaign.campaign_id, session_id=session.session_id, data=data, filename=sample
    ).session


def export_of(sub, *, with_token_hashes=False):
    """The account's Export, as the app's writer (exports/writer.py) writes it."""
    buffer = io.BytesIO()
    write_export(buffer, sub=sub, with_token_hashes=with_token_hashes)
    with zipfile.ZipFile(buffer) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    manifest = json.loads(files.pop(export_format.MANIFEST))
    lines = {}
    for kind in export_format.KINDS:
        text = files.pop(export_format.data_path(kind)).decode()
        lines[kind] = [json.loads(line) for line in text.splitlines()]
    return Export(manifest=manifest, lines=lines, files=files)
