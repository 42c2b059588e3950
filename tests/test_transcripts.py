"""The transcript service (sessions/transcripts/services.py, storage.py, repository.py):
attaching an upload, what the session item records, replacing and deleting, refused
uploads, races, the item's size, the presigned upload form and download URL, and the
per-process cache of segments.

Under in-process moto: S3 does not enforce a POST policy there, so the checks the app
makes again after an upload are what these tests pin."""

import base64
import hashlib
import json
import time
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.conf import settings

from campaigns.repository import get_campaign
from campaigns_site import aws as aws_clients
from campaigns_site.errors import StillChanging
from campaigns_site.transactions import TransactionCanceled
from devtools import dynamodb_sizes
from sessions.core import storage_keys
from sessions.core.repository import SessionNotFound, create_session, delete_session, get_session
from sessions.transcripts import services as transcripts
from sessions.transcripts import signed_upload
from sessions.transcripts.parsing import parse_transcript_bytes
from sessions.transcripts.segments_json import dump_segments, load_segments
from sessions.transcripts.services import UploadRefused
from sessions.transcripts.signed_upload import UPLOAD_CONTENT_TYPE
from sessions.transcripts.storage import clear_cache, download_url, load_stored_segments
from tests.transcript_samples import SEGMENTS_PER_HOUR, sample_bytes, sample_segments, sample_text
from tests.transcript_uploads import store_transcript

OWNER = "11111111-aaaa-4bbb-8ccc-000000000001"
TENTH = SEGMENTS_PER_HOUR // 10  # segments in a sample of hours=0.1
VTT = sample_bytes("vtt", hours=0.1)
SRT = sample_bytes("srt", hours=0.1, seed=1)


pytestmark = [
    pytest.mark.campaign(sub=OWNER, name="Curse of Strahd"),
    pytest.mark.session(title="The Death House", number=1, played_on="2024-05-31", notes="The mimic was a door."),
    pytest.mark.usefixtures("empty_transcript_cache"),
]


# --- helpers ----------------------------------------------------------------------------------
def s3():
    return aws_clients.client("s3")


def store(session, data, filename="night.vtt", **options):
    return store_transcript(
        sub=OWNER,
        campaign_id=session.campaign_id,
        session_id=session.session_id,
        data=data,
        filename=filename,
        **options,
    )


def put_upload(session, data, *, filename="night.vtt", format="", content_type=UPLOAD_CONTENT_TYPE):
    """Put an object where the browser's form would, as S3 stores a form POST; returns the upload id."""
    upload_id = signed_upload.new_upload_id()
    s3().put_object(
        Bucket=settings.TRANSCRIPT_BUCKET,
        Key=storage_keys.original_key(sub=OWNER, session_id=session.session_id, upload_id=upload_id),
        Body=data,
        ContentType=content_type,
        Metadata={"filename": filename, "format": format},
    )
    return upload_id


def attach(session, upload_id, **options):
    return transcripts.attach_uploaded_transcript(
        sub=OWNER, campaign_id=session.campaign_id, session_id=session.session_id, upload_id=upload_id, **options
    )


def stored(session):
    return get_session(sub=OWNER, campaign_id=session.campaign_id, session_id=session.session_id)


def campaign_bytes(session):
    return get_campaign(sub=OWNER, campaign_id=session.campaign_id).transcript_bytes


def keys_under(prefix):
    found = s3().list_objects_v2(Bucket=settings.TRANSCRIPT_BUCKET, Prefix=prefix).get("Contents", [])
    return sorted(item["Key"] for item in found)


def upload_keys(session, upload_id):
    """The names of the objects under the upload's prefix: [] or ["original", "segments.json"]."""
    prefix = storage_keys.upload_prefix(sub=OWNER, session_id=session.session_id, upload_id=upload_id)
    return [key.removeprefix(prefix) for key in keys_under(prefix)]


def session_keys(session):
    return keys_under(storage_keys.session_transcripts_prefix(sub=OWNER, session_id=session.session_id))


def read_object(key):
    return s3().get_object(Bucket=settings.TRANSCRIPT_BUCKET, Key=key)["Body"].read()


TRANSCRIPT_FIELDS = [
    "transcript_upload_id",
    "transcript_filename",
    "transcript_format",
    "transcript_encoding",
    "transcript_sha256",
    "transcript_segment_count",
    "transcript_duration",
    "transcript_speaker_count",
    "transcript_speakers",
    "transcript_uploaded",
]


def transcript_fields(session):
    return {name: getattr(session, name) for name in TRANSCRIPT_FIELDS + ["transcript_bytes"]}


def assert_no_transcript(session):
    """Nothing of any upload is recorded or kept: no fields, no objects, no bytes counted."""
    now = stored(session)
    assert not now.has_transcript
    assert all(getattr(now, name) is None for name in TRANSCRIPT_FIELDS)
    assert now.transcript_bytes == 0
    assert session_keys(session) == []
    assert campaign_bytes(session) == 0


# --- attaching: what the item records -----------------------------------------------------------
def test_storing_records_what_the_file_is(session):
    before = datetime.now(UTC)
    attached = store(session, VTT, filename="night one.vtt")
    parsed = parse_transcript_bytes(VTT)
    now = stored(session)
    assert attached.session.transcript_upload_id == now.transcript_upload_id
    assert (attached.note, attached.already_attached) == (None, False)
    assert now.has_transcript
    assert now.transcript_format == "vtt"
    assert now.transcript_encoding == "utf-8"
    assert now.transcript_filename == "night one.vtt"
    assert now.transcript_bytes == len(VTT)
    assert now.transcript_sha256 == hashlib.sha256(VTT).hexdigest()
    assert now.transcript_segment_count == TENTH == parsed.segment_count
    assert now.transcript_duration == pytest.approx(sample_segments(hours=0.1)[-1].end)
    assert now.transcript_speaker_count == len(parsed.speakers) == 4
    assert now.transcript_speakers == parsed.speakers
    assert before <= now.transcript_uploaded <= datetime.now(UTC)
    assert now.updated == now.transcript_uploaded
    assert now.children_version == 1
    assert (now.title, now.notes, now.version) == ("The Death House", "The mimic was a door.", 1)  # not an edit
    assert campaign_bytes(session) == len(VTT)


def test_storing_keeps_the_original_and_its_segments_under_the_uploads_prefix(session):
    now = store(session, VTT).session
    assert upload_keys(session, now.transcript_upload_id) == ["original", "segments.json"]
    assert session_keys(session) == sorted([now.transcript_original_key, now.transcript_segments_key])
    assert now.transcript_original_key == (
        f"transcripts/{OWNER}/{session.session_id}/{now.transcript_upload_id}/original"
    )
    assert read_object(now.transcript_original_key) == VTT
    assert read_object(now.transcript_segments_key) == dump_segments(parse_transcript_bytes(VTT).segments)
    stored_object = s3().head_object(Bucket=settings.TRANSCRIPT_BUCKET, Key=now.transcript_original_key)
    assert stored_object["ContentType"] == UPLOAD_CONTENT_TYPE  # never served as HTML or script


def test_an_uploaded_file_is_attached_with_its_name_and_chosen_format(session):
    upload_id = put_upload(session, SRT, filename="C:\\Users\\ada\\night.srt", format="srt")
    attached = attach(session, upload_id)
    now = stored(session)
    assert now.transcript_upload_id == upload_id
    assert now.transcript_filename == "night.srt"  # the last path part only
    assert (now.transcript_format, now.transcript_bytes) == ("srt", len(SRT))
    assert now.transcript_sha256 == hashlib.sha256(SRT).hexdigest()
    assert attached.note is None
    assert upload_keys(session, upload_id) == ["original", "segments.json"]
    assert campaign_bytes(session) == len(SRT)


def test_the_browsers_post_to_s3_is_attached(session):
    """What the browser does: the presigned form, the file posted to the bucket, then attach."""
    form = signed_upload.upload_form(sub=OWNER, session_id=session.session_id, redirect_url="http://testserver/back/")
    response = requests.post(
        form.url,
        data={**form.fields, "x-amz-meta-filename": "night.vtt", "x-amz-meta-format": ""},
        files={"file": ("night.vtt", VTT)},
        allow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["Location"].startswith("http://testserver/back/?")
    attach(session, form.upload_id)
    now = stored(session)
    assert (now.transcript_upload_id, now.transcript_filename, now.transcript_format) == (
        form.upload_id,
        "night.vtt",
        "vtt",
    )
    assert read_object(now.transcript_original_key) == VTT


def test_a_format_that_is_not_a_choice_is_ignored_and_detected(session):
    attach(session, put_upload(session, SRT, filename="", format="docx"))
    assert stored(session).transcript_format == "srt"


def test_a_name_that_disagrees_with_the_content_gives_a_note(session):
    attached = attach(session, put_upload(session, SRT, filename="night.vtt"))
    assert attached.session.transcript_format == "srt"
    assert attached.note == ("The file's name says WebVTT, but its content is SRT: we read it as SRT.")


def test_control_characters_and_long_names_are_cleaned(session):
    store(session, VTT, filename="../../night\x00\x1b[31m one" + "x" * 300 + ".vtt")
    name = stored(session).transcript_filename
    assert name.startswith("night[31m one")
    assert name.isprintable() and len(name) == transcripts.FILENAME_MAX_LENGTH


def test_storing_on_a_missing_session_raises_and_stores_nothing(campaign):
    with pytest.raises(SessionNotFound):
        store_transcript(sub=OWNER, campaign_id=campaign.campaign_id, session_id="01NOSUCHSESSION", data=VTT)
    assert keys_under(storage_keys.user_transcripts_prefix(sub=OWNER)) == []
    assert get_campaign(sub=OWNER, campaign_id=campaign.campaign_id).transcript_bytes == 0


# --- every format and encoding ---------------------------------------------------------------------
@pytest.mark.parametrize("format", ["text", "vtt", "srt", "whisper_json"])
def test_every_format_is_read(session, format):
    data = sample_bytes(format, hours=0.1)
    store(session, data, filename="")
    now = stored(session)
    assert (now.transcript_format, now.transcript_encoding) == (format, "utf-8")
    assert now.transcript_segment_count == TENTH
    assert now.transcript_speakers == ["SPEAKER_03", "SPEAKER_02", "SPEAKER_00", "SPEAKER_01"]
    assert now.transcript_duration == pytest.approx(parse_transcript_bytes(data).duration)
    texts = [segment.text for segment in load_segments(load_stored_segments(now))]
    assert texts == [segment.text for segment in sample_segments(hours=0.1)]


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        pytest.param(b"\xef\xbb\xbf" + VTT, "utf-8", id="utf-8 with BOM"),
        pytest.param(sample_text("srt", hours=0.1).encode("utf-16"), "utf-16-le", id="utf-16"),
        pytest.param(sample_text("srt", hours=0.1).encode("utf-16-be"), "utf-16-be", id="utf-16-be without BOM"),
        pytest.param(sample_text("vtt", hours=0.1).replace("\n", "\r\n").encode(), "utf-8", id="CRLF"),
        pytest.param(sample_text("whisper_json", hours=0.1).encode("utf-16"), "utf-16-le", id="utf-16 json"),
    ],
)
def test_encodings_and_line_ends_give_the_same_transcript(session, data, encoding):
    store(session, data, filename="")
    now = stored(session)
    assert now.transcript_encoding == encoding
    assert now.transcript_bytes == len(data)
    assert now.transcript_sha256 == hashlib.sha256(data).hexdigest()  # of the bytes as uploaded
    assert now.transcript_segment_count == TENTH
    texts = [segment.text for segment in load_segments(load_stored_segments(now))]
    assert texts == [segment.text for segment in sample_segments(hours=0.1)]


def test_windows_1252_is_read(session):
    data = "[00:00:01] Mira: Le café est fermé.\r\n[00:00:05] Zoë: Déjà vu… “encore”.\r\n".encode("cp1252")
    store(session, data, filename="notes.txt")
    now = stored(session)
    assert (now.transcript_format, now.transcript_encoding) == ("text", "cp1252")
    assert now.transcript_speakers == ["Mira", "Zoë"]
    segments = load_segments(load_stored_segments(now))
    assert [(s.speaker, s.text, s.start) for s in segments] == [
        ("Mira", "Le café est fermé.", 1.0),
        ("Zoë", "Déjà vu… “encore”.", 5.0),
    ]


# --- the item stays small --------------------------------------------------------------------------
def item_size(session):
    """The item's size as DynamoDB counts it (devtools/dynamodb_sizes.py: an upper bound)."""
    return dynamodb_sizes.item_size(session.serialize())


WORST_FILENAME = ("Ærøskøbing 🐉 " * 40)[: transcripts.FILENAME_MAX_LENGTH - 5] + ".json"  # 4-byte characters


def many_speakers_json(count=200, length=100):
    """Whisper JSON with `count` speakers whose labels are `length` characters, multi-byte ones."""
    names = [(f"{number:03d} " + "Ærøskøbing 🐉 " * 10)[:length] for number in range(count)]
    rows = [{"start": float(n), "end": n + 0.5, "text": "I roll.", "speaker": name} for n, name in enumerate(names)]
    return json.dumps({"segments": rows}, ensure_ascii=False).encode(), names


@pytest.mark.parametrize("hours", [1, 4, 8])
def test_the_item_stays_under_4_kb_whatever_the_length(session, hours):
    data = sample_bytes("whisper_json", hours=hours)
    store(session, data, filename=WORST_FILENAME)
    now = stored(session)
    assert now.transcript_segment_count == hours * SEGMENTS_PER_HOUR
    assert item_size(now) < 4096
    # A cruder upper bound too: the serialized item as JSON, type tags, quotes and all.
    assert len(json.dumps(now.serialize(), ensure_ascii=False).encode()) < 4096


def test_the_item_stays_under_4_kb_with_200_long_speaker_names(session):
    data, names = many_speakers_json()
    assert all(len(name) == 100 for name in names) and len(set(names)) == 200
    store(session, data, filename=WORST_FILENAME)
    now = stored(session)
    assert now.transcript_speaker_count == 200
    # The first speakers that fit the budget, in order; the rest are in the segments object.
    assert now.transcript_speakers == names[: len(now.transcript_speakers)]
    assert 0 < len(now.transcript_speakers) < 200
    assert sum(len(name.encode()) + 3 for name in now.transcript_speakers) <= transcripts.TRANSCRIPT_SPEAKERS_BUDGET
    assert now.more_speakers == 200 - len(now.transcript_speakers)
    assert item_size(now) < 4096
    assert len(json.dumps(now.serialize(), ensure_ascii=False).encode()) < 4096
    header = json.loads(load_stored_segments(now).split(b"\n", 1)[0] + b"]}")
    assert header["speakers"] == names


# --- refused uploads: a message, and nothing kept ---------------------------------------------------
REFUSED = [
    pytest.param(b"", "", "This file is empty.", id="empty"),
    pytest.param(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "", "This file looks binary (a PNG image)", id="png"),
    pytest.param(
        b"WEBVTT\n\n00:00:01.000 --> 00:00:99.000\nHello.\n",
        "",
        "Line 3: '00:00:99.000' is not a valid time: seconds go up to 59.",
        id="bad time",
    ),
    pytest.param(b"<html><body>Hello</body></html>", "", "We could not recognise this format.", id="unknown format"),
    pytest.param(VTT, "srt", "It looks like WebVTT: choose that format, or let us detect it.", id="wrong choice"),
    pytest.param(b'{"text": "hello"}', "", 'This JSON has no "segments" list', id="not whisper json"),
]


@pytest.mark.parametrize(("data", "format", "message"), REFUSED)
def test_a_refused_upload_says_why_and_is_deleted(session, data, format, message):
    upload_id = put_upload(session, data, filename="night.vtt", format=format)
    with pytest.raises(UploadRefused) as refused:
        attach(session, upload_id)
    assert message in str(refused.value)
    assert_no_transcript(session)


def test_a_file_over_the_limit_is_refused_and_deleted(session, settings):
    settings.TRANSCRIPT_MAX_BYTES = 1024 * 1024
    upload_id = put_upload(session, b"x" * (1024 * 1024 * 3 // 2))
    with pytest.raises(UploadRefused, match=r"^This file is 1\.5\xa0MB; transcripts can be up to 1\.0\xa0MB\.$"):
        attach(session, upload_id)
    assert_no_transcript(session)


def test_a_file_of_another_content_type_is_refused_and_deleted(session):
    upload_id = put_upload(session, VTT, content_type="text/html")
    with pytest.raises(UploadRefused, match="did not come from our upload form"):
        attach(session, upload_id)
    assert_no_transcript(session)


def test_a_file_that_never_arrived_is_refused(session):
    with pytest.raises(UploadRefused, match="Your file did not reach us. Upload it again."):
        attach(session, signed_upload.new_upload_id())
    assert_no_transcript(session)


def test_a_refused_replacement_keeps_the_current_transcript(session):
    current = store(session, VTT).session
    upload_id = put_upload(session, b"\x89PNG\r\n\x1a\n" + bytes(100))
    with pytest.raises(UploadRefused):
        attach(session, upload_id)
    assert transcript_fields(stored(session)) == transcript_fields(current)
    assert upload_keys(session, upload_id) == []
    assert upload_keys(session, current.transcript_upload_id) == ["original", "segments.json"]
    assert campaign_bytes(session) == len(VTT)


def test_storing_too_much_is_refused_before_anything_is_written(session, settings, aws_calls):
    settings.TRANSCRIPT_MAX_BYTES = 1000
    with aws_calls() as calls, pytest.raises(UploadRefused, match="transcripts can be up to"):
        store(session, VTT)
    assert calls.operations() == ["dynamodb.GetItem"]
    assert_no_transcript(session)


def test_too_many_speakers_is_refused(session):
    data, _ = many_speakers_json(count=201, length=10)
    with pytest.raises(UploadRefused, match="names 201 different speakers; we accept up to 200"):
        store(session, data)
    assert_no_transcript(session)


# --- replacing --------------------------------------------------------------------------------------
def test_replacing_counts_the_new_size_and_deletes_the_old_objects(session):
    first = store(session, VTT).session
    second = store(session, SRT, filename="night.srt").session
    assert second.transcript_upload_id != first.transcript_upload_id
    now = stored(session)
    assert (now.transcript_format, now.transcript_filename, now.transcript_bytes) == ("srt", "night.srt", len(SRT))
    assert now.transcript_sha256 == hashlib.sha256(SRT).hexdigest()
    assert campaign_bytes(session) == len(SRT)
    assert upload_keys(session, first.transcript_upload_id) == []
    assert session_keys(session) == sorted([now.transcript_original_key, now.transcript_segments_key])


def test_the_campaign_counts_each_session_once(session, campaign):
    other = create_session(sub=OWNER, campaign_id=campaign.campaign_id, title="Other")
    store(session, VTT)
    store(other, SRT)
    store(session, VTT[:1000] + b"\n")  # smaller
    assert campaign_bytes(session) == len(SRT) + 1001


def test_a_failed_record_keeps_the_old_transcript_and_removes_the_new_objects(session, monkeypatch):
    current = store(session, VTT).session

    def fail(session, *, fields):
        assert upload_keys(session, fields.upload_id) == ["original", "segments.json"]  # put before recorded
        assert upload_keys(session, current.transcript_upload_id) == ["original", "segments.json"]
        raise RuntimeError("DynamoDB is down")

    monkeypatch.setattr(transcripts, "record_transcript", fail)
    with pytest.raises(RuntimeError):
        store(session, SRT)
    assert transcript_fields(stored(session)) == transcript_fields(current)
    assert session_keys(session) == sorted([current.transcript_original_key, current.transcript_segments_key])
    assert campaign_bytes(session) == len(VTT)


def test_the_old_objects_go_only_after_the_new_transcript_is_recorded(session, monkeypatch):
    current = store(session, VTT).session
    seen = []
    real_delete = transcripts.delete_objects_under

    def delete_objects_under(*, prefix):
        seen.append((prefix, stored(session).transcript_upload_id))
        return real_delete(prefix=prefix)

    monkeypatch.setattr(transcripts, "delete_objects_under", delete_objects_under)
    new = store(session, SRT).session
    old_prefix = storage_keys.upload_prefix(
        sub=OWNER, session_id=session.session_id, upload_id=current.transcript_upload_id
    )
    assert seen == [(old_prefix, new.transcript_upload_id)]


def test_a_session_changing_all_the_time_gives_up_and_removes_the_new_objects(session, monkeypatch):
    def always_canceled(session, *, fields):
        raise TransactionCanceled(["ConditionalCheckFailed", "None"])

    monkeypatch.setattr(transcripts, "record_transcript", always_canceled)
    with pytest.raises(StillChanging):
        store(session, VTT)
    assert_no_transcript(session)


# --- deleting ---------------------------------------------------------------------------------------
def test_deleting_removes_the_fields_the_objects_and_the_bytes(session):
    store(session, VTT)
    assert transcripts.delete_transcript(sub=OWNER, campaign_id=session.campaign_id, session_id=session.session_id)
    assert_no_transcript(session)
    now = stored(session)
    assert (now.title, now.notes) == ("The Death House", "The mimic was a door.")  # the session stays
    assert now.children_version == 2


def test_deleting_when_there_is_no_transcript_does_nothing(session, aws_calls):
    ids = {"sub": OWNER, "campaign_id": session.campaign_id, "session_id": session.session_id}
    with aws_calls() as calls:
        assert not transcripts.delete_transcript(**ids)
    assert calls.operations() == ["dynamodb.GetItem"]


def test_deleting_the_transcript_of_a_missing_session_raises(campaign):
    with pytest.raises(SessionNotFound):
        transcripts.delete_transcript(sub=OWNER, campaign_id=campaign.campaign_id, session_id="01NOSUCHSESSION")


def test_a_new_transcript_after_a_delete_counts_from_zero(session):
    store(session, VTT)
    transcripts.delete_transcript(sub=OWNER, campaign_id=session.campaign_id, session_id=session.session_id)
    store(session, SRT)
    assert stored(session).transcript_bytes == campaign_bytes(session) == len(SRT)


# --- a session deleted, and races ---------------------------------------------------------------------
def test_attaching_to_a_deleted_session_deletes_the_objects(session):
    delete_session(sub=OWNER, campaign_id=session.campaign_id, session_id=session.session_id)
    upload_id = put_upload(session, VTT)  # the file arrives after the delete
    abandoned_id = put_upload(session, SRT)  # another one, never confirmed: sweep_orphans' job
    with pytest.raises(SessionNotFound):
        attach(session, upload_id)
    assert upload_keys(session, upload_id) == []
    assert upload_keys(session, abandoned_id) == ["original"]


def race(monkeypatch, before_first_record):
    """Run `before_first_record()` just before the first attempt to record the fields: as if
    another request changed the session between our read and our write."""
    real_record = transcripts.record_transcript
    calls = []

    def record(session, *, fields):
        calls.append(fields.upload_id)
        if len(calls) == 1:
            monkeypatch.setattr(transcripts, "record_transcript", real_record)  # the other request's own writes
            before_first_record()
            monkeypatch.setattr(transcripts, "record_transcript", record)
        return real_record(session, fields=fields)

    monkeypatch.setattr(transcripts, "record_transcript", record)
    return calls


def test_a_delete_during_an_attach_is_retried_from_what_is_there(session, monkeypatch):
    old = store(session, VTT).session
    calls = race(
        monkeypatch,
        lambda: transcripts.delete_transcript(
            sub=OWNER, campaign_id=session.campaign_id, session_id=session.session_id
        ),
    )
    new = store(session, SRT).session
    assert len(calls) == 2  # canceled once, then recorded
    assert new.transcript_bytes == campaign_bytes(session) == len(SRT)  # not len(SRT) - len(VTT)
    assert upload_keys(session, old.transcript_upload_id) == []
    assert session_keys(session) == sorted([new.transcript_original_key, new.transcript_segments_key])


def test_a_replace_during_an_attach_is_retried_and_deletes_what_it_replaced(session, monkeypatch):
    old = store(session, VTT).session
    meanwhile = []
    calls = race(monkeypatch, lambda: meanwhile.append(store(session, VTT[:2000] + b"\n").session))
    new = store(session, SRT).session
    assert len(calls) == 2  # canceled once (the other request's write came first), then recorded
    assert new.transcript_upload_id == stored(session).transcript_upload_id
    assert new.transcript_bytes == campaign_bytes(session) == len(SRT)
    for replaced in (old, meanwhile[0]):
        assert upload_keys(session, replaced.transcript_upload_id) == []
    assert session_keys(session) == sorted([new.transcript_original_key, new.transcript_segments_key])


def test_the_same_upload_confirmed_twice_at_once_is_attached_once(session, monkeypatch):
    """Two tabs (or a double submit) confirming one upload: the second to record it finds it
    recorded already, and must neither count it twice nor delete its objects."""
    upload_id = put_upload(session, VTT)
    calls = race(monkeypatch, lambda: attach(session, upload_id))
    attached = attach(session, upload_id)
    assert calls == [upload_id]  # canceled: the other request recorded it first
    assert attached.already_attached
    now = stored(session)
    assert now.transcript_upload_id == upload_id
    assert attached.session.transcript_upload_id == upload_id
    assert now.transcript_bytes == campaign_bytes(session) == len(VTT)
    assert upload_keys(session, upload_id) == ["original", "segments.json"]
    assert read_object(now.transcript_original_key) == VTT


def test_a_failed_confirmation_keeps_the_objects_another_request_attached(session, monkeypatch):
    upload_id = put_upload(session, VTT)
    real_read = transcripts._read_upload

    def read_then_fail(key, *, max_bytes):
        monkeypatch.setattr(transcripts, "_read_upload", real_read)
        attach(session, upload_id)  # the other tab's confirmation, all of it
        raise ConnectionError("S3 reset the connection")

    monkeypatch.setattr(transcripts, "_read_upload", read_then_fail)
    with pytest.raises(ConnectionError):
        attach(session, upload_id)
    monkeypatch.undo()
    assert stored(session).transcript_upload_id == upload_id
    assert upload_keys(session, upload_id) == ["original", "segments.json"]


def test_the_session_deleted_during_an_attach_deletes_the_new_objects(session, monkeypatch):
    race(monkeypatch, lambda: delete_session(sub=OWNER, campaign_id=session.campaign_id, session_id=session.session_id))
    with pytest.raises(SessionNotFound):
        store(session, VTT)
    assert stored(session) is None
    assert session_keys(session) == []
    assert campaign_bytes(session) == 0


def test_confirming_an_attached_upload_again_does_nothing(session, aws_calls):
    upload_id = put_upload(session, VTT)
    attach(session, upload_id)
    with aws_calls() as calls:
        again = attach(session, upload_id)
    assert again.already_attached
    assert calls.operations() == ["dynamodb.GetItem"]
    assert campaign_bytes(session) == len(VTT)


def test_discarding_an_upload_deletes_it_unless_it_is_the_transcript(session):
    attached_id = put_upload(session, VTT)
    attach(session, attached_id)
    abandoned_id = put_upload(session, SRT)
    ids = {"sub": OWNER, "campaign_id": session.campaign_id, "session_id": session.session_id}
    assert transcripts.discard_upload(**ids, upload_id=abandoned_id) is True
    assert upload_keys(session, abandoned_id) == []
    assert transcripts.discard_upload(**ids, upload_id=attached_id) is False
    assert upload_keys(session, attached_id) == ["original", "segments.json"]


# --- the upload form ----------------------------------------------------------------------------------
def decoded_policy(form):
    return json.loads(base64.b64decode(form.fields["policy"]))


def test_the_upload_form_pins_key_type_size_and_expiry(session, settings, aws_calls):
    settings.TRANSCRIPT_MAX_BYTES = 5_000_000
    settings.TRANSCRIPT_UPLOAD_EXPIRY_SECONDS = 600
    with aws_calls() as calls:
        form = signed_upload.upload_form(
            sub=OWNER, session_id=session.session_id, redirect_url="https://example.com/back/?upload=t"
        )
    assert calls.operations() == []  # signed locally
    key = f"transcripts/{OWNER}/{session.session_id}/{form.upload_id}/original"
    assert form.url == f"https://s3.amazonaws.com/{settings.TRANSCRIPT_BUCKET}"
    assert form.fields["key"] == key
    assert form.fields["Content-Type"] == "application/octet-stream"
    assert form.fields["success_action_redirect"] == "https://example.com/back/?upload=t"
    assert "file" not in form.fields and "x-amz-signature" in form.fields
    now = time.time()
    assert now + 590 <= form.expires_at <= now + 601

    policy = decoded_policy(form)
    conditions = policy["conditions"]
    assert ["content-length-range", 1, 5_000_000] in conditions
    assert {"key": key} in conditions
    assert {"bucket": settings.TRANSCRIPT_BUCKET} in conditions
    assert {"Content-Type": "application/octet-stream"} in conditions
    assert {"success_action_redirect": "https://example.com/back/?upload=t"} in conditions
    assert ["starts-with", "$x-amz-meta-filename", ""] in conditions
    assert ["starts-with", "$x-amz-meta-format", ""] in conditions
    expiration = datetime.strptime(policy["expiration"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert now + 590 <= expiration.timestamp() <= now + 601


def test_each_upload_form_has_its_own_upload_id(session):
    forms = [
        signed_upload.upload_form(sub=OWNER, session_id=session.session_id, redirect_url="https://x/") for _ in "ab"
    ]
    assert forms[0].upload_id != forms[1].upload_id
    assert forms[0].fields["key"] != forms[1].fields["key"]


def test_an_upload_form_may_name_its_upload_id_and_size(session):
    form = signed_upload.upload_form(
        sub=OWNER, session_id=session.session_id, redirect_url="https://x/", upload_id="01UPLOAD", max_bytes=10
    )
    assert form.fields["key"] == f"transcripts/{OWNER}/{session.session_id}/01UPLOAD/original"
    assert ["content-length-range", 1, 10] in decoded_policy(form)["conditions"]


# --- download ---------------------------------------------------------------------------------------
def download_params(url):
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


def test_the_download_url_is_presigned_locally_for_the_original_as_an_attachment(session, aws_calls):
    now = store(session, VTT, filename="night one.vtt").session
    with aws_calls() as calls:
        url = download_url(now)
    assert calls.operations() == []
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        f"https://s3.amazonaws.com/{settings.TRANSCRIPT_BUCKET}/{now.transcript_original_key}"
    )
    params = download_params(url)
    assert params["response-content-disposition"] == 'attachment; filename="night one.vtt"'
    assert params["response-content-type"] == "text/vtt; charset=utf-8"
    assert params["X-Amz-Expires"] == "60"
    assert "X-Amz-Signature" in params

    fetched = requests.get(url)
    assert fetched.status_code == 200
    assert fetched.content == VTT
    assert fetched.headers["Content-Type"] == "text/vtt; charset=utf-8"
    assert fetched.headers["Content-Disposition"] == 'attachment; filename="night one.vtt"'


def test_a_non_ascii_file_name_is_downloaded_under_its_name(session):
    now = store(session, VTT, filename="Nuit à Ærø 🐉.vtt").session
    url = download_url(now)
    expected = "attachment; filename*=utf-8''Nuit%20%C3%A0%20%C3%86r%C3%B8%20%F0%9F%90%89.vtt"
    assert download_params(url)["response-content-disposition"] == expected
    fetched = requests.get(url)
    assert (fetched.content, fetched.headers["Content-Disposition"]) == (VTT, expected)


def test_a_quote_in_the_file_name_cannot_break_the_header(session):
    now = store(session, VTT, filename='a"; filename="evil.html').session
    assert download_params(download_url(now))["response-content-disposition"] == (
        'attachment; filename="a\\"; filename=\\"evil.html"'
    )


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        pytest.param(sample_bytes("text", hours=0.1), "text/plain; charset=utf-8", id="text"),
        pytest.param(VTT, "text/vtt; charset=utf-8", id="vtt"),
        pytest.param(SRT, "application/x-subrip; charset=utf-8", id="srt"),
        pytest.param(sample_bytes("whisper_json", hours=0.1), "application/json", id="whisper_json"),
        pytest.param(
            sample_text("srt", hours=0.1).encode("utf-16"), "application/x-subrip; charset=utf-16le", id="srt utf-16"
        ),
        pytest.param(
            "[00:00:01] Mira: Le café.\n".encode("cp1252"), "text/plain; charset=windows-1252", id="text cp1252"
        ),
    ],
)
def test_the_download_has_the_content_type_of_its_format(session, data, content_type):
    now = store(session, data, filename="").session
    url = download_url(now)
    assert download_params(url)["response-content-type"] == content_type
    fetched = requests.get(url)
    assert (fetched.content, fetched.headers["Content-Type"]) == (data, content_type)


def test_a_file_without_a_name_is_downloaded_under_the_sessions_title(session):
    now = store(session, SRT, filename="").session
    assert download_params(download_url(now))["response-content-disposition"] == (
        'attachment; filename="the-death-house.srt"'
    )


# --- reading the stored segments, and the cache ------------------------------------------------------
def test_the_segments_are_read_once_then_from_the_cache(session, aws_calls):
    now = store(session, VTT).session
    clear_cache()
    with aws_calls() as calls:
        first = load_stored_segments(now)
    assert calls.operations() == ["s3.GetObject"]
    with aws_calls() as calls:
        second = load_stored_segments(now)
    assert calls.operations() == []
    assert first == second == read_object(now.transcript_segments_key)


def test_a_new_transcript_is_in_the_cache_already(session, aws_calls):
    now = store(session, VTT).session
    with aws_calls() as calls:
        data = load_stored_segments(now)
    assert calls.operations() == []
    assert load_segments(data) == parse_transcript_bytes(VTT).segments


def test_the_cache_keeps_the_most_recently_used_within_its_size(session, campaign, settings, aws_calls):
    others = [create_session(sub=OWNER, campaign_id=campaign.campaign_id, title=f"S{n}") for n in range(2)]
    first, second = (store(other, VTT).session for other in others)
    size = len(load_stored_segments(first))
    settings.TRANSCRIPT_CACHE_BYTES = size + size // 2  # room for one of them
    clear_cache()
    load_stored_segments(first)
    load_stored_segments(second)  # evicts the first
    with aws_calls() as calls:
        load_stored_segments(second)
        load_stored_segments(first)
    assert calls.operations() == ["s3.GetObject"]


def test_no_cache_when_its_size_is_zero(session, settings, aws_calls):
    settings.TRANSCRIPT_CACHE_BYTES = 0
    now = store(session, VTT).session
    with aws_calls() as calls:
        load_stored_segments(now)
        load_stored_segments(now)
    assert calls.operations() == ["s3.GetObject", "s3.GetObject"]
