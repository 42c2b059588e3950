"""exports/writer.py: the zip of an account or a campaign, every line valid against the
schema, transcripts byte for byte, into a stream that cannot seek; never another user's."""

import hashlib
import io
import json
from datetime import UTC

import pytest

from exports import format as export_format
from exports.schema import problems
from exports.writer import NothingToExport, write_export
from tests.export_accounts import HOSTILE_TITLE, SAMPLES, UnseekableStream, build_account, lines_of, read_zip

pytestmark = pytest.mark.usefixtures("empty_transcript_cache")


@pytest.fixture
def full_account(make_user):
    return build_account(make_user("ada@example.com", display_name="Ada the Bard"))


def exported(sub, **options):
    stream = io.BytesIO()
    counts = write_export(stream, sub=sub, **options)
    return counts, read_zip(stream.getvalue())


def test_the_account_zip_holds_every_kind_of_item_and_every_line_matches_the_schema(full_account):
    counts, entries = exported(full_account.sub)

    manifest = json.loads(entries["manifest.json"])
    assert problems("manifest", manifest) == []
    assert manifest["account"]["email"] == "ada@example.com"
    assert manifest["account"]["display_name"] == "Ada the Bard"
    assert manifest["scope"] == "account" and manifest["share_link_hashes"] is False
    assert (
        counts
        == manifest["counts"]
        == {
            "campaigns": 2,
            "sessions": 6,
            "speaker_names": 1,
            "summaries": 4,
            "share_links": 2,
            "transcripts": 4,
        }
    )
    for kind in export_format.KINDS:
        records = lines_of(entries, kind)
        assert len(records) == counts[kind]
        for record in records:
            assert problems(kind, record) == [], (kind, record)
    assert {c["id"] for c in lines_of(entries, "campaigns")} == set(
        full_account.campaign_ids
    )  # not the one being deleted
    assert {s["id"] for s in lines_of(entries, "sessions")} == set(full_account.session_ids)
    assert full_account.sub not in b"".join(entries.values()).decode("utf-8", "replace")  # the sub is never written


def test_transcripts_are_in_the_zip_byte_for_byte_with_their_normalized_form(full_account):
    _, entries = exported(full_account.sub)

    transcribed = [s for s in lines_of(entries, "sessions") if s["transcript"]]
    assert len(transcribed) == 4
    for session in transcribed:
        transcript = session["transcript"]
        original = entries[transcript["original"]]
        assert original == (SAMPLES / transcript["filename"]).read_bytes()
        assert hashlib.sha256(original).hexdigest() == transcript["sha256"]
        normalized = json.loads(entries[transcript["normalized"]])
        assert normalized["segment_count"] == transcript["segment_count"]


def test_summaries_keep_their_metadata_and_the_story_has_no_session(full_account):
    _, entries = exported(full_account.sub)

    summaries = {(s["session_id"] is None, s["kind"]): s for s in lines_of(entries, "summaries")}
    recap = summaries[(False, "recap")]
    assert (recap["provider"], recap["model"], recap["input_tokens"], recap["estimated_cost_usd"]) == (
        "offline",
        "offline-extractive-1",
        1200,
        "0.000123",
    )
    assert recap["tokens_estimated"] is True and recap["edited"] is False
    assert summaries[(False, "loot")]["edited"] is True
    assert summaries[(True, "story_so_far")]["source_count"] == 1
    assert summaries[(False, "session_mood")]["text_format"] == "markdown"


def test_share_links_carry_no_token_and_their_hash_only_when_asked(full_account):
    _, entries = exported(full_account.sub)
    links = lines_of(entries, "share_links")
    everything = b"".join(entries.values())
    for token in full_account.tokens:
        assert token.encode() not in everything
        assert export_format.link_id(hashlib.sha256(token.encode()).hexdigest()) in {link["id"] for link in links}
        assert hashlib.sha256(token.encode()).hexdigest().encode() not in everything
    assert {link["label"] for link in links} == {"", "For Ana"}

    _, entries = exported(full_account.sub, with_token_hashes=True)
    hashes = {link["token_hash"] for link in lines_of(entries, "share_links")}
    assert hashes == {hashlib.sha256(token.encode()).hexdigest() for token in full_account.tokens}
    assert json.loads(entries["manifest.json"])["share_link_hashes"] is True


def test_a_campaign_export_holds_that_campaign_only(full_account):
    strahd, kell = full_account.campaign_ids
    counts, entries = exported(full_account.sub, campaign_id=kell)

    manifest = json.loads(entries["manifest.json"])
    assert (manifest["scope"], manifest["campaign_id"]) == ("campaign", kell)
    assert [c["name"] for c in lines_of(entries, "campaigns")] == [HOSTILE_TITLE]
    assert {s["campaign_id"] for s in lines_of(entries, "sessions")} == {kell}
    assert counts["summaries"] == counts["share_links"] == counts["transcripts"] == 0
    assert not [name for name in entries if name.startswith("transcripts/")]


def test_another_users_or_a_deleted_campaign_is_nothing_to_export(full_account, make_user):
    bob = make_user("bob@example.com")
    with pytest.raises(NothingToExport):
        write_export(io.BytesIO(), sub=bob, campaign_id=full_account.campaign_ids[0])
    with pytest.raises(NothingToExport):
        write_export(io.BytesIO(), sub=full_account.sub, campaign_id=full_account.deleting_campaign_id)
    with pytest.raises(NothingToExport):
        write_export(io.BytesIO(), sub="no-such-user")


def test_a_stream_that_cannot_seek_gets_the_same_zip(full_account):
    stream = UnseekableStream()
    write_export(stream, sub=full_account.sub)
    _, entries = exported(full_account.sub)

    streamed = read_zip(bytes(stream.buffer))
    assert set(streamed) == set(entries)
    assert streamed["data/sessions.jsonl"] == entries["data/sessions.jsonl"]


def test_a_transcript_missing_from_storage_is_named_in_the_manifest(full_account, aws):
    from django.conf import settings

    from campaigns_site import aws as aws_clients

    s3 = aws_clients.client("s3")
    gone = full_account.transcribed_ids[1]
    for found in s3.list_objects_v2(
        Bucket=settings.TRANSCRIPT_BUCKET, Prefix=f"transcripts/{full_account.sub}/{gone}/"
    )["Contents"]:
        s3.delete_object(Bucket=settings.TRANSCRIPT_BUCKET, Key=found["Key"])

    counts, entries = exported(full_account.sub)

    assert json.loads(entries["manifest.json"])["missing_transcripts"] == [gone]
    assert counts["transcripts"] == 3
    assert not [name for name in entries if name.startswith(f"transcripts/{gone}/")]


def test_progress_is_reported_for_every_step(full_account):
    seen = []
    write_export(
        io.BytesIO(), sub=full_account.sub, progress=lambda step, done, total: seen.append((step, done, total))
    )
    assert ("data", 6, 6) in seen and ("transcripts", 4, 4) in seen and ("notes", 6, 6) in seen


def test_what_the_move_from_v1_brought_exports_valid_lines_too(make_user):
    from campaigns.repository import create_campaign
    from sessions.core.repository import create_session

    sub = make_user("old@example.com")
    campaign = create_campaign(sub=sub, name="", description="d" * 90_000, game_system="g" * 9_000)
    create_session(sub=sub, campaign_id=campaign.campaign_id, title="", notes="n" * 150_000)

    _, entries = exported(sub)

    for kind in ("campaigns", "sessions"):
        assert [problems(kind, record) for record in lines_of(entries, kind)] == [[]]
    assert [name for name in entries if name.startswith("markdown/") and name.endswith(".md")]


def test_every_entry_is_dated_by_the_export_and_a_readme_says_how_to_open_it(full_account):
    import zipfile
    from datetime import datetime

    import time_machine

    stream = io.BytesIO()
    with time_machine.travel(datetime(2026, 12, 5, 17, 30, 12, tzinfo=UTC), tick=False):
        write_export(stream, sub=full_account.sub)

    with zipfile.ZipFile(stream) as archive:
        assert {entry.date_time for entry in archive.infolist()} == {(2026, 12, 5, 17, 30, 12)}
        assert {entry.external_attr >> 16 for entry in archive.infolist()} == {0o644}
        readme = archive.read("README.md").decode()
    assert "Open folder as vault" in readme and "markdown/Campaigns.md" in readme
