"""import_v1: what a v1.0 session brings along lands as if made in the app: transcripts of
every source, summaries of every kind, share links; what cannot is reported by name."""

import json

import pytest
from import_runs import lines_for, partition, run_import_v1, sub_of, whole_table
from v1_transcripts import ACCENTED_LINES

from campaigns_site import aws as aws_module
from campaigns_site.table_keys import SESSION_PREFIX
from sessions.core.items import PlaySession
from sessions.sharing.repository import open_share_link
from sessions.transcripts.storage import load_stored_segments
from v1 import mapping

pytestmark = pytest.mark.django_db

KEEPER = "Keeper@Example.com"


def row(dataset, table, row_id):
    return next(found for found in dataset.rows[table] if found["id"] == row_id)


def stored_session(dataset, session_id):
    v1_session = row(dataset, "game_sessions", session_id)
    campaign = row(dataset, "campaigns", v1_session["campaign_id"])
    owner = row(dataset, "users", campaign["owner_id"])
    return PlaySession.get(
        f"USER#{sub_of(owner['email'])}",
        f"{SESSION_PREFIX}{mapping.derived_id('campaign', campaign['id'], campaign['created_at'])}"
        f"#{mapping.derived_id('session', session_id, v1_session['created_at'])}",
    )


def original_bytes(session):
    from django.conf import settings

    key = session.transcript_segments_key.rsplit("/", 1)[0] + "/original"
    return aws_module.client("s3").get_object(Bucket=settings.TRANSCRIPT_BUCKET, Key=key)["Body"].read()


def test_every_transcript_source_lands_as_if_uploaded(v1_filled_database, v1_bucket, v1_dataset, tmp_path):
    run_import_v1(v1_filled_database, v1_bucket, tmp_path)  # the multi-megabyte transcript: the full data set
    for case in ("transcript_text", "transcript_text_multi_megabyte"):
        (session_id,) = v1_dataset.case(case)
        session = stored_session(v1_dataset, session_id)
        assert original_bytes(session) == row(v1_dataset, "game_sessions", session_id)["transcript_text"].encode()
        assert session.transcript_segment_count > 0
    for case in ("transcript_raw_utf16_bom", "transcript_raw_cp1252", "transcript_raw_utf8_bom"):
        (session_id,) = v1_dataset.case(case)
        session = stored_session(v1_dataset, session_id)
        assert original_bytes(session) == row(v1_dataset, "game_sessions", session_id)["transcript_raw"]
        segments = json.loads(load_stored_segments(session))
        assert ACCENTED_LINES[0].split(": ", 1)[-1] in json.dumps(segments, ensure_ascii=False)
    for session_id in v1_dataset.case("transcript_key"):
        session = stored_session(v1_dataset, session_id)
        key = row(v1_dataset, "game_sessions", session_id)["transcript_key"]
        assert original_bytes(session) == v1_dataset.objects[key]
        assert session.transcript_filename == key.rsplit("/", 1)[-1]


def test_a_missing_object_or_unparseable_transcript_is_reported_and_the_session_kept(imported_v1, v1_small_dataset):
    for case, reason in (
        ("transcript_key_missing_object", "transcript_object_missing"),
        ("transcript_unparseable", "transcript_unparseable"),
    ):
        (session_id,) = v1_small_dataset.case(case)
        assert [line["id"] for line in lines_for(imported_v1[0], reason)] == [str(session_id)]
        assert not stored_session(v1_small_dataset, session_id).has_transcript


def test_no_object_is_left_without_its_session(imported_v1, v1_small_dataset):
    from django.conf import settings

    named = {item["transcript_upload_id"] for item in whole_table() if item.get("transcript_upload_id")}
    s3 = aws_module.client("s3")
    keys = [entry["Key"] for entry in s3.list_objects_v2(Bucket=settings.TRANSCRIPT_BUCKET).get("Contents", [])]
    assert keys and all(key.split("/")[3] in named for key in keys)


def test_summaries_keep_their_kind_model_and_tokens(imported_v1, v1_small_dataset):
    summaries = {item["kind"]: item for item in partition(KEEPER) if item.get("entity") == "Summary"}
    for v1_kind, kind in (
        ("recap", "recap"),
        ("highlights", "key_events"),
        ("quests", "open_threads"),
        ("npcs", "npcs"),
        ("locations", "locations"),
        ("loot", "loot"),
        ("cliffhangers", "cliffhangers"),
    ):
        assert kind in summaries, v1_kind
    (summary_id,) = v1_small_dataset.case("summary_highlights")
    v1_summary = row(v1_small_dataset, "summaries", summary_id)
    stored = summaries["key_events"]
    assert stored["text"] == v1_summary["content"]
    assert (stored["model"], stored["input_tokens"], stored["output_tokens"]) == (
        v1_summary["model"],
        v1_summary["prompt_tokens"],
        v1_summary["completion_tokens"],
    )


def test_old_share_links_open_until_their_expiry(imported_v1, v1_small_dataset):
    for case in ("share_token_no_expiry", "share_token_future_expiry", "share_token_dash_underscore"):
        (token,) = v1_small_dataset.case(case)
        assert open_share_link(token=token) is not None, case
    (expired,) = v1_small_dataset.case("share_token_expired")
    assert open_share_link(token=expired) is None
    assert len(lines_for(imported_v1[0], "share_token_expired")) == 1
    tokens = [item for item in whole_table() if item.get("entity") == "ShareLink"]
    assert all(expired not in repr(item) for item in tokens)  # stored hashed


def test_an_old_share_link_is_listed_on_its_session_and_revocable(imported_v1, v1_small_dataset):
    from sessions.sharing.items import hash_token
    from sessions.sharing.repository import list_share_links_for_session, revoke_share_link

    (token,) = v1_small_dataset.case("share_token_no_expiry")
    (v1_session,) = [found for found in v1_small_dataset.rows["game_sessions"] if found["share_token"] == token]
    session = stored_session(v1_small_dataset, v1_session["id"])
    (listed,) = list_share_links_for_session(sub=session.owner_sub, session_id=session.session_id)
    assert listed.token_hash == hash_token(token) and listed.pointer.label == "v1.0 link"
    revoke_share_link(
        sub=session.owner_sub,
        campaign_id=session.campaign_id,
        session_id=session.session_id,
        token_hash=hash_token(token),
    )
    assert open_share_link(token=token) is None
