"""Transcript pages (sessions/transcripts/views.py): the upload through S3 and back, the
upload token, refused uploads, download, delete; access for the owner, another signed-in
user and nobody; escaping; the requests each page makes.

The browser's part is played for real: the form is read from the page, the file is posted
to the bucket with `requests` (in-process moto answers it like S3, with a 303 to the
form's success_action_redirect), and the client follows that redirect back to us."""

import base64
import json
import time
from html import unescape
from types import SimpleNamespace
from urllib.parse import parse_qs, quote, urlsplit

import pytest
import requests
from django.conf import settings
from django.core import signing

from campaigns.repository import create_campaign, get_campaign, mark_campaign_deleting
from campaigns_site import aws as aws_clients
from sessions.core import storage_keys
from sessions.core.repository import create_session, delete_session, get_session
from sessions.transcripts import repository as transcript_repository
from sessions.transcripts import services as transcripts
from tests.transcript_samples import sample_bytes
from tests.transcript_uploads import store_transcript
from tests.uploads import confirm, forms_of, post_to_s3, upload_form_of
from tests.web_clients import login_url, post

AUTH = "dynamodb.BatchGetItem"  # what a signed-in page costs for authentication
VTT = sample_bytes("vtt", hours=0.01)  # 13 lines, 3 speakers
SRT = sample_bytes("srt", hours=0.01, seed=1)
TOKEN_SALT = "sessions.transcript-upload"


pytestmark = pytest.mark.usefixtures("empty_transcript_cache")


@pytest.fixture
def with_transcript(owner, session):
    """The session once night.vtt is its transcript."""
    return store_transcript(
        sub=owner.sub,
        campaign_id=session.campaign_id,
        session_id=session.session_id,
        data=VTT,
        filename="night.vtt",
    ).session


# --- helpers ----------------------------------------------------------------------------------
def url(session, path=""):
    return f"/campaigns/{session.campaign_id}/sessions/{session.session_id}/{path}"


def stored(owner, session):
    return get_session(sub=owner.sub, campaign_id=session.campaign_id, session_id=session.session_id)


def campaign_bytes(owner, session):
    return get_campaign(sub=owner.sub, campaign_id=session.campaign_id).transcript_bytes


def keys_under(prefix):
    found = aws_clients.client("s3").list_objects_v2(Bucket=settings.TRANSCRIPT_BUCKET, Prefix=prefix)
    return sorted(item["Key"] for item in found.get("Contents", []))


def session_keys(owner, session):
    return keys_under(storage_keys.session_transcripts_prefix(sub=owner.sub, session_id=session.session_id))


def upload_keys(owner, session, upload_id):
    prefix = storage_keys.upload_prefix(sub=owner.sub, session_id=session.session_id, upload_id=upload_id)
    return [key.removeprefix(prefix) for key in keys_under(prefix)]


def transcript_state(owner, session):
    """Everything an upload or delete could change: the item's transcript fields, the
    campaign's count and the session's objects."""
    now = stored(owner, session)
    fields = {name: value for name, value in now.attribute_values.items() if name.startswith("transcript_")}
    return fields, campaign_bytes(owner, session), session_keys(owner, session)


def assert_nothing_stored(owner, session):
    now = stored(owner, session)
    assert not now.has_transcript and now.transcript_bytes == 0
    assert session_keys(owner, session) == []
    assert campaign_bytes(owner, session) == 0


def token_of(uploaded_path):
    return parse_qs(urlsplit(uploaded_path).query)["upload"][0]


def upload_id_of(token):
    return signing.loads(token, salt=TOKEN_SALT)["upload"]


def upload_through_s3(client, session, data, filename="night.vtt", *, format="", page="", **fields):
    """What the browser does: read the upload form off the session's page (or `page`), post
    the file to S3 with the name the page's script adds, and return where S3 sends the
    browser next (path and query; S3 answered 303)."""
    response = client.get(url(session, page))
    assert response.status_code == 200
    return post_to_s3(upload_form_of(response), data, filename, format=format, **fields)


def attach_through_pages(client, session, data, filename="night.vtt", **options):
    return confirm(client, upload_through_s3(client, session, data, filename, **options))


def uploaded_path_for(client, session, page=""):
    """The upload's return URL as the session's page signs it, with no file sent to S3."""
    form = upload_form_of(client.get(url(session, page)))
    return form.fields["success_action_redirect"].removeprefix("http://testserver")


def later(monkeypatch, seconds):
    """Django's signing sees the clock `seconds` ahead (AWS request signing does not)."""
    monkeypatch.setattr(signing, "time", SimpleNamespace(time=lambda: time.time() + seconds))


def assert_login_redirect(response, path):
    assert response.status_code == 302
    assert response["Location"] == login_url(path)


# --- the whole upload, page by page --------------------------------------------------------------
def test_the_session_page_offers_the_upload_form(owner, session):
    response = owner.get(url(session))
    assert response.status_code == 200
    html = response.content.decode()
    assert "No transcript yet" in html
    form = upload_form_of(response)
    assert form.attrs["action"] == f"https://s3.amazonaws.com/{settings.TRANSCRIPT_BUCKET}"
    assert form.attrs["method"] == "post" and form.attrs["enctype"] == "multipart/form-data"
    assert form.fields["key"].startswith(f"transcripts/{owner.sub}/{session.session_id}/")
    assert form.fields["Content-Type"] == "application/octet-stream"
    back = f"http://testserver{url(session, 'transcript/uploaded/')}?upload="
    assert form.fields["success_action_redirect"].startswith(back)
    assert {"policy", "x-amz-signature", "x-amz-meta-filename"} <= set(form.fields)
    assert "csrfmiddlewaretoken" not in form.fields  # S3 would refuse a field its policy does not name
    assert form.selects == ["x-amz-meta-format", "x-amz-meta-summarize"]
    assert int(form.attrs["data-max-bytes"]) == settings.TRANSCRIPT_MAX_BYTES
    assert int(form.attrs["data-expires-at"]) > time.time()
    assert "no-cache" in response["Cache-Control"]  # the form is signed for a short time
    # The token names the upload the form's key is for.
    upload_id = upload_id_of(token_of(form.fields["success_action_redirect"]))
    assert form.fields["key"] == storage_keys.original_key(
        sub=owner.sub, session_id=session.session_id, upload_id=upload_id
    )


def test_the_policy_names_every_field_the_form_sends(owner, session):
    """S3 refuses a POST with a field its policy does not name (moto does not check)."""
    form = upload_form_of(owner.get(url(session)))
    conditions = json.loads(base64.b64decode(form.fields["policy"]))["conditions"]
    named = {name.lower() for condition in conditions if isinstance(condition, dict) for name in condition}
    named |= {
        condition[1].removeprefix("$").lower()
        for condition in conditions
        if isinstance(condition, list) and condition[0] in ("eq", "starts-with")
    }
    sent = {name.lower() for name in form.fields} - {"policy", "x-amz-signature"}
    assert sent <= named, sent - named
    assert ["content-length-range", 1, settings.TRANSCRIPT_MAX_BYTES] in conditions


def test_a_transcript_is_uploaded_checked_and_attached(owner, session):
    uploaded = upload_through_s3(owner, session, VTT, "night one.vtt")
    assert uploaded.startswith(url(session, "transcript/uploaded/") + "?upload=")
    upload_id = upload_id_of(token_of(uploaded))
    assert not stored(owner, session).has_transcript  # not before it is checked

    check = owner.get(uploaded)
    assert check.status_code == 200
    html = check.content.decode()
    assert "Checking your transcript" in html and "The Death House" in html
    (form,) = forms_of(check)
    assert "data-auto-submit" in form.attrs
    assert form.fields["upload"] == token_of(uploaded)
    assert "csrfmiddlewaretoken" in form.fields
    assert "no-cache" in check["Cache-Control"]

    response = post(owner, uploaded, {"upload": form.fields["upload"]})
    assert response.status_code == 302
    assert response["Location"] == url(session)

    now = stored(owner, session)
    assert now.transcript_upload_id == upload_id
    assert (now.transcript_filename, now.transcript_format, now.transcript_bytes) == ("night one.vtt", "vtt", len(VTT))
    assert upload_keys(owner, session, upload_id) == ["original", "segments.json"]
    assert campaign_bytes(owner, session) == len(VTT)

    detail = owner.get(url(session))
    html = detail.content.decode()
    assert "Transcript added (WebVTT): 13 lines, 3 speakers." in html
    assert "<dd>night one.vtt</dd>" in html
    assert "<dd>WebVTT</dd>" in html and "<dd>13</dd>" in html
    for speaker in now.transcript_speakers:
        assert f'<span class="speaker-chip" title="{speaker}">{speaker}</span>' in html
    for path in (
        "transcript/",
        "transcript/download/",
        "transcript/upload/",
        "transcript/delete/",
        "transcript/speakers/",
    ):
        assert f'href="{url(session, path)}"' in html
    assert not [form for form in forms_of(detail) if "upload-form" in form.attrs.get("class", "")]
    assert "Transcript added" not in owner.get(url(session)).content.decode()  # said once


def test_the_chosen_format_is_used(owner, session):
    prose = b"We met at the inn. The dragon slept.\nThen the bard sang.\n"  # no labels, no stamps
    refused = attach_through_pages(owner, session, prose, "notes.md")
    assert refused.status_code == 400 and "We could not recognise this format." in refused.content.decode()
    attach_through_pages(owner, session, prose, "notes.md", format="text")
    now = stored(owner, session)
    assert (now.transcript_format, now.transcript_speaker_count, now.transcript_speakers) == ("text", 0, [])
    assert "<dd>None named</dd>" in owner.get(url(session)).content.decode()


def test_a_file_named_vtt_holding_srt_is_read_as_srt_with_a_note(owner, session):
    response = attach_through_pages(owner, session, SRT, "night.vtt")
    assert response.status_code == 302
    assert stored(owner, session).transcript_format == "srt"
    html = owner.get(url(session)).content.decode()
    assert "Transcript added (SRT)" in html
    assert "name says WebVTT, but its content is SRT: we read it as SRT." in html


def test_a_non_ascii_file_name_comes_through(owner, session):
    # Under moto only: moto hands the metadata back as posted. Real S3 returns a non-ASCII
    # metadata value as RFC 2047 encoded-words ("=?UTF-8?B?...?="), which the app does not
    # decode yet.
    attach_through_pages(owner, session, VTT, "Nuit à Ærø 🐉.vtt")
    assert stored(owner, session).transcript_filename == "Nuit à Ærø 🐉.vtt"
    assert "<dd>Nuit à Ærø 🐉.vtt</dd>" in owner.get(url(session)).content.decode()


def test_without_the_pages_script_the_file_has_no_name(owner, session):
    attach_through_pages(owner, session, VTT, "")
    now = stored(owner, session)
    assert (now.transcript_filename, now.transcript_format) == ("", "vtt")
    assert "<dd>(no name)</dd>" in owner.get(url(session)).content.decode()


def test_replacing_through_the_upload_page(owner, session, with_transcript):
    page = owner.get(url(session, "transcript/upload/"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Replace the transcript" in html and "<strong>night.vtt</strong>" in html
    assert "no-cache" in page["Cache-Control"]

    response = attach_through_pages(owner, session, SRT, "night.srt", page="transcript/upload/")
    assert response["Location"] == url(session)
    now = stored(owner, session)
    assert (now.transcript_filename, now.transcript_bytes) == ("night.srt", len(SRT))
    assert campaign_bytes(owner, session) == len(SRT)
    assert upload_keys(owner, session, with_transcript.transcript_upload_id) == []
    assert session_keys(owner, session) == sorted([now.transcript_original_key, now.transcript_segments_key])


def test_the_upload_page_of_a_session_without_transcript_adds_one(owner, session):
    html = owner.get(url(session, "transcript/upload/")).content.decode()
    assert "Add a transcript" in html and "Replace" not in html


# --- refused uploads ----------------------------------------------------------------------------------
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4

REFUSED = [
    pytest.param(b"", {}, "This file is empty.", id="empty"),
    pytest.param(PNG, {}, "This file looks binary (a PNG image), not a transcript.", id="png"),
    pytest.param(
        b"WEBVTT\n\n00:00:01.000 --> 00:00:99.000\nHello.\n",
        {},
        "Line 3: &#x27;00:00:99.000&#x27; is not a valid time: seconds go up to 59.",
        id="bad time",
    ),
    pytest.param(b"<html><body>Hi</body></html>", {}, "We could not recognise this format.", id="unknown format"),
    pytest.param(
        VTT,
        {"format": "srt"},
        "It looks like WebVTT: choose that format, or let us detect it.",
        id="wrong format chosen",
    ),
    pytest.param(
        VTT,
        {"Content-Type": "text/html"},
        "This upload did not come from our upload form. Upload the file again from the session page.",
        id="content type",
    ),
]


@pytest.mark.parametrize(("data", "options", "message"), REFUSED)
def test_a_refused_upload_says_why_on_a_400_page_and_keeps_nothing(owner, session, data, options, message):
    uploaded = upload_through_s3(owner, session, data, "night.vtt", **options)
    response = confirm(owner, uploaded)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "Add a transcript" in html
    upload_form_of(response)  # a new form, to try again
    assert_nothing_stored(owner, session)


BROKEN = [
    pytest.param(
        "night.srt",
        b"1\n00:00:01,000 --> 00:00:02,000\nMira: hi\n\n2\n00:00:xx,000 --> 00:00:04,000\nDrake: ho\n",
        "Line 6: '00:00:xx,000' is not a valid time (expected hh:mm:ss,mmm).",
        id="srt",
    ),
    pytest.param(
        "night.txt",
        b"1\n00:00:xx,000 --> 00:00:02,000\nMira: hi\n",
        "Line 2: '00:00:xx,000' is not a valid time (expected hh:mm:ss,mmm).",
        id="srt named txt",
    ),
    pytest.param(
        "night.vtt",
        b"WEBVTT\n\n00:01.000 --> 00:02.000\nhi\n\n00:03.000 -->\nho\n",
        "Line 6: '00:03.000 -->' is not a valid cue timing (expected '00:00:01.000 --> 00:00:04.000', "
        "times as hh:mm:ss.mmm or mm:ss.mmm).",
        id="vtt",
    ),
    pytest.param(
        "night.json",
        b'{"segments": [\n{"start": 0, "end": 1, "text": "a"}\n{"start": 1}]}',
        "Line 3: this is not valid JSON (expected ']', found '{', column 1).",
        id="json",
    ),
]


@pytest.mark.parametrize(("filename", "data", "message"), BROKEN)
def test_a_broken_caption_or_json_file_is_refused_on_the_confirmation_page(owner, session, filename, data, message):
    response = confirm(owner, upload_through_s3(owner, session, data, filename))
    assert response.status_code == 400
    assert message in unescape(response.content.decode())
    assert_nothing_stored(owner, session)


def test_a_file_over_the_limit_is_refused(owner, session, settings):
    settings.TRANSCRIPT_MAX_BYTES = 1024 * 1024
    uploaded = upload_through_s3(owner, session, b"Mira: " + b"a" * (2 * 1024 * 1024) + b"\n")  # moto takes it
    response = confirm(owner, uploaded)
    assert response.status_code == 400
    assert "This file is 2.0\xa0MB; transcripts can be up to 1.0\xa0MB." in response.content.decode()
    assert_nothing_stored(owner, session)


def test_a_file_that_never_reached_s3_is_refused(owner, session):
    response = confirm(owner, uploaded_path_for(owner, session))
    assert response.status_code == 400
    assert "Your file did not reach us. Upload it again." in response.content.decode()
    assert_nothing_stored(owner, session)


def test_a_missing_file_that_s3_answers_with_403_is_refused_the_same_way(owner, session):
    """Real S3 answers 403 for a missing key to a role without unconditional s3:ListBucket."""
    from botocore.awsrequest import AWSResponse

    def access_denied(**_):
        error = {
            "Error": {"Code": "AccessDenied", "Message": "Access Denied"},
            "ResponseMetadata": {"HTTPStatusCode": 403},
        }
        return AWSResponse("https://s3", 403, {}, None), error

    s3 = aws_clients.client("s3")
    s3.meta.events.register("before-call.s3.GetObject", access_denied)
    try:
        response = confirm(owner, uploaded_path_for(owner, session))
    finally:
        s3.meta.events.unregister("before-call.s3.GetObject", access_denied)
    assert response.status_code == 400
    assert "Your file did not reach us. Upload it again." in response.content.decode()
    assert_nothing_stored(owner, session)


def test_a_refused_replacement_keeps_the_current_transcript(owner, session, with_transcript):
    before = transcript_state(owner, session)
    response = attach_through_pages(owner, session, PNG, "cover.png", page="transcript/upload/")
    assert response.status_code == 400
    html = response.content.decode()
    assert "a PNG image" in html and "Replace the transcript" in html
    assert transcript_state(owner, session) == before


def test_an_upload_for_a_session_deleted_meanwhile_is_404_and_deleted(owner, session):
    form = upload_form_of(owner.get(url(session)))
    delete_session(sub=owner.sub, campaign_id=session.campaign_id, session_id=session.session_id)
    uploaded = post_to_s3(form, VTT, "night.vtt")  # the file arrives after the delete
    assert session_keys(owner, session) != []
    response = post(owner, uploaded, {"upload": token_of(uploaded)})
    assert response.status_code == 404
    assert session_keys(owner, session) == []


def test_a_session_that_keeps_changing_asks_to_upload_again(owner, session, monkeypatch):
    def canceled(session, *, fields):
        raise transcripts.TransactionCanceled(["ConditionalCheckFailed", "None"])

    uploaded = upload_through_s3(owner, session, VTT)
    monkeypatch.setattr(transcripts, "record_transcript", canceled)
    response = confirm(owner, uploaded)
    assert response.status_code == 409
    assert "The session is changing right now. Try again in a moment." in response.content.decode()
    assert_nothing_stored(owner, session)


def test_an_upload_into_a_campaign_being_deleted_is_404_and_deleted(owner, session):
    uploaded = upload_through_s3(owner, session, VTT)
    owner.get(uploaded)
    mark_campaign_deleting(sub=owner.sub, campaign_id=session.campaign_id)
    response = post(owner, uploaded, {"upload": token_of(uploaded)})
    assert response.status_code == 404
    assert session_keys(owner, session) == []
    assert not stored(owner, session).has_transcript


# --- the upload token ---------------------------------------------------------------------------------
def test_another_users_token_is_404_and_leaves_the_upload_alone(owner, other, session):
    uploaded = upload_through_s3(owner, session, VTT)
    upload_id = upload_id_of(token_of(uploaded))
    assert other.get(uploaded).status_code == 404
    response = post(other, uploaded, {"upload": token_of(uploaded)})
    assert response.status_code == 404
    assert "The Death House" not in response.content.decode()
    assert not stored(owner, session).has_transcript
    assert upload_keys(owner, session, upload_id) == ["original"]
    assert confirm(owner, uploaded).status_code == 302  # still the owner's to confirm
    assert stored(owner, session).transcript_upload_id == upload_id


def test_a_token_for_another_of_my_sessions_is_404(owner, campaign, session):
    elsewhere = create_session(sub=owner.sub, campaign_id=campaign.campaign_id, title="Elsewhere")
    uploaded = upload_through_s3(owner, session, VTT)
    token = token_of(uploaded)
    wrong = f"{url(elsewhere, 'transcript/uploaded/')}?upload={token}"
    assert owner.get(wrong).status_code == 404
    assert post(owner, wrong, {"upload": token}).status_code == 404
    assert not stored(owner, elsewhere).has_transcript
    assert not stored(owner, session).has_transcript
    assert upload_keys(owner, session, upload_id_of(token)) == ["original"]


def test_a_token_under_another_campaign_is_404(owner, session):
    elsewhere = create_campaign(sub=owner.sub, name="Elsewhere")
    uploaded = upload_through_s3(owner, session, VTT)
    token = token_of(uploaded)
    wrong = f"/campaigns/{elsewhere.campaign_id}/sessions/{session.session_id}/transcript/uploaded/?upload={token}"
    assert post(owner, wrong, {"upload": token}).status_code == 404
    assert not stored(owner, session).has_transcript


def forged_tokens(owner, session, token):
    upload_id = upload_id_of(token)
    payload = {"sub": owner.sub, "campaign": session.campaign_id, "session": session.session_id, "upload": upload_id}
    return {
        "garbled": token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb"),
        "other salt": signing.dumps(payload, salt="something.else"),
        "other key": signing.dumps(payload, salt=TOKEN_SALT, key="not-our-secret-key-" * 3),
        "unsigned": signing.b64_encode(str(payload).encode()).decode(),
        "empty": "",
    }


@pytest.mark.parametrize("kind", ["garbled", "other salt", "other key", "unsigned", "empty"])
def test_a_forged_token_is_404(owner, session, kind):
    uploaded = upload_through_s3(owner, session, VTT)
    forged = forged_tokens(owner, session, token_of(uploaded))[kind]
    path = f"{url(session, 'transcript/uploaded/')}?upload={quote(forged)}"
    assert owner.get(path).status_code == 404
    assert post(owner, path, {"upload": forged}).status_code == 404
    assert not stored(owner, session).has_transcript
    assert upload_keys(owner, session, upload_id_of(token_of(uploaded))) == ["original"]


def malformed_payloads(owner, session, upload_id):
    """Payloads signed with our key and salt that upload_context never makes: each was a
    500 (a KeyError, an AttributeError, an InvalidKeyPart) before the payload's shape was checked."""
    good = {"sub": owner.sub, "campaign": session.campaign_id, "session": session.session_id, "upload": upload_id}
    return {
        "upload id with a slash": {**good, "upload": f"{upload_id}/../x"},
        "upload id with a hash": {**good, "upload": f"{upload_id}#x"},
        "empty upload id": {**good, "upload": ""},
        "500-character upload id": {**good, "upload": "A" * 500},
        "upload id not a string": {**good, "upload": 7},
        "no upload key": {name: value for name, value in good.items() if name != "upload"},
        "no sub": {name: value for name, value in good.items() if name != "sub"},
        "an extra key": {**good, "more": "x"},
        "a list": list(good.values()),
        "a string": upload_id,
        "null": None,
    }


MALFORMED = list(malformed_payloads(SimpleNamespace(sub="s"), SimpleNamespace(campaign_id="c", session_id="s"), "u"))


@pytest.mark.parametrize("kind", MALFORMED)
def test_a_signed_but_malformed_token_is_404(owner, session, kind):
    uploaded = upload_through_s3(owner, session, VTT)
    upload_id = upload_id_of(token_of(uploaded))
    token = signing.dumps(malformed_payloads(owner, session, upload_id)[kind], salt=TOKEN_SALT)
    path = f"{url(session, 'transcript/uploaded/')}?upload={quote(token)}"
    assert owner.get(path).status_code == 404
    assert post(owner, path, {"upload": token}).status_code == 404
    assert not stored(owner, session).has_transcript
    assert upload_keys(owner, session, upload_id) == ["original"]


def test_no_token_is_404(owner, session):
    assert owner.get(url(session, "transcript/uploaded/")).status_code == 404
    assert post(owner, url(session, "transcript/uploaded/")).status_code == 404


def test_the_posted_token_counts_not_the_one_in_the_url(owner, session):
    uploaded = upload_through_s3(owner, session, VTT)
    response = post(owner, uploaded, {"upload": "forged"})
    assert response.status_code == 404
    assert not stored(owner, session).has_transcript


def test_an_expired_token_is_refused_and_its_upload_deleted(owner, session, settings, monkeypatch):
    settings.TRANSCRIPT_UPLOAD_EXPIRY_SECONDS = 60
    uploaded = upload_through_s3(owner, session, VTT)
    token = token_of(uploaded)
    later(monkeypatch, 60 + 60 * 60 + 5)  # the form's expiry and the token's hour for a slow upload
    response = post(owner, uploaded, {"upload": token})
    assert response.status_code == 400
    html = response.content.decode()
    assert "That upload was not confirmed in time, so we did not keep it. Upload the file again." in html
    upload_form_of(response)
    assert_nothing_stored(owner, session)


def test_an_expired_token_on_the_check_page_changes_nothing_until_posted(owner, session, settings, monkeypatch):
    """A GET has no side effect: the check page shows, and its POST refuses the upload."""
    settings.TRANSCRIPT_UPLOAD_EXPIRY_SECONDS = 60
    uploaded = upload_through_s3(owner, session, VTT)
    later(monkeypatch, 2 * 60 * 60)
    response = owner.get(uploaded)
    assert response.status_code == 200
    assert session_keys(owner, session)  # still there
    response = confirm(owner, uploaded)
    assert response.status_code == 400
    assert "not confirmed in time" in response.content.decode()
    assert_nothing_stored(owner, session)


def test_a_token_within_its_time_still_works(owner, session, settings, monkeypatch):
    settings.TRANSCRIPT_UPLOAD_EXPIRY_SECONDS = 60
    uploaded = upload_through_s3(owner, session, VTT)
    later(monkeypatch, 60 + 60 * 60 - 30)
    assert confirm(owner, uploaded).status_code == 302
    assert stored(owner, session).has_transcript


def test_an_expired_token_of_the_current_transcript_just_redirects(owner, session, settings, monkeypatch):
    settings.TRANSCRIPT_UPLOAD_EXPIRY_SECONDS = 60
    uploaded = upload_through_s3(owner, session, VTT)
    confirm(owner, uploaded)
    owner.get(url(session))  # (shows the "added" message)
    before = transcript_state(owner, session)
    later(monkeypatch, 3 * 60 * 60)  # the confirmation page reloaded hours later
    response = post(owner, uploaded, {"upload": token_of(uploaded)})
    assert response.status_code == 302
    assert response["Location"] == url(session)
    assert transcript_state(owner, session) == before
    assert owner.get(uploaded).status_code == 200  # the check page, which posts and redirects
    assert transcript_state(owner, session) == before


def test_confirming_twice_is_a_quiet_no_op(owner, session):
    uploaded = upload_through_s3(owner, session, VTT)
    first = confirm(owner, uploaded)
    before = transcript_state(owner, session)
    second = post(owner, uploaded, {"upload": token_of(uploaded)})  # a reload
    assert (first.status_code, second.status_code) == (302, 302)
    assert second["Location"] == url(session)
    assert transcript_state(owner, session) == before
    assert campaign_bytes(owner, session) == len(VTT)
    assert owner.get(url(session)).content.decode().count("Transcript added") == 1


def test_a_confirmation_after_a_replacement_does_not_undo_it(owner, session):
    first = upload_through_s3(owner, session, VTT)
    confirm(owner, first)
    attach_through_pages(owner, session, SRT, "night.srt", page="transcript/upload/")
    after = transcript_state(owner, session)
    response = post(owner, first, {"upload": token_of(first)})  # the first tab, reloaded
    assert response.status_code == 400
    assert "did not reach us" in response.content.decode()
    assert transcript_state(owner, session) == after


# --- CSRF -----------------------------------------------------------------------------------------------
def test_confirming_needs_the_csrf_token(owner, session):
    uploaded = upload_through_s3(owner, session, VTT)
    response = owner.post(uploaded, {"upload": token_of(uploaded)})
    assert response.status_code == 403
    assert not stored(owner, session).has_transcript
    assert upload_keys(owner, session, upload_id_of(token_of(uploaded))) == ["original"]


def test_deleting_needs_the_csrf_token(owner, session, with_transcript):
    before = transcript_state(owner, session)
    assert owner.post(url(session, "transcript/delete/")).status_code == 403
    assert transcript_state(owner, session) == before


# --- access: owner, another signed-in user, nobody ---------------------------------------------------
GETS = ["transcript/upload/", "transcript/uploaded/", "transcript/download/", "transcript/delete/"]
POSTS = ["transcript/uploaded/", "transcript/delete/"]


def with_token(owner, session, path):
    """The path, with a valid token of the owner's when it is the upload's return page."""
    if path == "transcript/uploaded/":
        return uploaded_path_for(owner, session, "transcript/upload/")
    return url(session, path)


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("transcript/upload/", 200),
        ("transcript/uploaded/", 200),
        ("transcript/download/", 302),
        ("transcript/delete/", 200),
    ],
)
def test_owner_opens_every_transcript_page(owner, session, with_transcript, path, status):
    response = owner.get(with_token(owner, session, path))
    assert response.status_code == status
    if status == 200:
        assert "The Death House" in response.content.decode()


@pytest.mark.parametrize("path", GETS)
def test_another_user_gets_a_404_that_names_nothing(owner, other, session, with_transcript, path):
    before = transcript_state(owner, session)
    response = other.get(with_token(owner, session, path))
    assert response.status_code == 404
    html = response.content.decode()
    assert "This page is not on the map" in html
    for secret in ("The Death House", "Secret Strahd", "night.vtt", "s3.amazonaws.com"):
        assert secret not in html
    assert transcript_state(owner, session) == before


@pytest.mark.parametrize("path", POSTS)
def test_another_users_posts_are_404_and_change_nothing(owner, other, session, with_transcript, path):
    uploaded = upload_through_s3(owner, session, SRT, "night.srt", page="transcript/upload/")
    before = transcript_state(owner, session)
    target = uploaded if path == "transcript/uploaded/" else url(session, path)
    response = post(other, target, {"upload": token_of(uploaded)})
    assert response.status_code == 404
    assert "The Death House" not in response.content.decode()
    assert transcript_state(owner, session) == before


def test_another_users_own_session_id_does_not_reach_mine(owner, other, session, with_transcript):
    """Their own campaign id with my session id: still nothing of mine."""
    theirs = create_campaign(sub=other.sub, name="Theirs")
    path = f"/campaigns/{theirs.campaign_id}/sessions/{session.session_id}/transcript/download/"
    assert other.get(path).status_code == 404
    before = transcript_state(owner, session)
    assert post(other, path.replace("download/", "delete/")).status_code == 404
    assert transcript_state(owner, session) == before


@pytest.mark.parametrize("path", GETS)
def test_anonymous_visitors_are_sent_to_log_in(owner, anonymous, session, with_transcript, path):
    target = with_token(owner, session, path)
    response = anonymous.get(target)
    assert_login_redirect(response, target)


@pytest.mark.parametrize("path", POSTS)
def test_anonymous_posts_change_nothing(owner, anonymous, session, with_transcript, path):
    uploaded = upload_through_s3(owner, session, SRT, "night.srt", page="transcript/upload/")
    before = transcript_state(owner, session)
    target = uploaded if path == "transcript/uploaded/" else url(session, path)
    response = post(anonymous, target, {"upload": token_of(uploaded)})
    assert_login_redirect(response, target)
    assert transcript_state(owner, session) == before


@pytest.mark.parametrize("path", GETS)
def test_transcript_pages_of_a_missing_session_are_404(owner, campaign, path):
    missing = SimpleNamespace(campaign_id=campaign.campaign_id, session_id="01NOSUCHSESSION0000000000")
    assert owner.get(url(missing, path)).status_code == 404


# --- download ---------------------------------------------------------------------------------------
def test_download_redirects_to_a_presigned_attachment(owner, session, with_transcript):
    response = owner.get(url(session, "transcript/download/"))
    assert response.status_code == 302
    assert "no-cache" in response["Cache-Control"]
    location = response["Location"]
    parts = urlsplit(location)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        f"https://s3.amazonaws.com/{settings.TRANSCRIPT_BUCKET}/{with_transcript.transcript_original_key}"
    )
    params = {name: values[0] for name, values in parse_qs(parts.query).items()}
    assert params["response-content-disposition"] == 'attachment; filename="night.vtt"'
    assert params["response-content-type"] == "text/vtt; charset=utf-8"
    assert "X-Amz-Signature" in params
    fetched = requests.get(location)
    assert fetched.content == VTT
    assert fetched.headers["Content-Disposition"] == 'attachment; filename="night.vtt"'


def test_download_without_a_transcript_is_404(owner, session):
    assert owner.get(url(session, "transcript/download/")).status_code == 404


def test_download_is_get_only(owner, session, with_transcript):
    assert post(owner, url(session, "transcript/download/")).status_code == 405


# --- delete -------------------------------------------------------------------------------------------
def test_the_delete_page_asks_first(owner, session, with_transcript):
    response = owner.get(url(session, "transcript/delete/"))
    html = response.content.decode()
    assert "Delete the transcript?" in html and "<strong>night.vtt</strong>" in html
    (form,) = forms_of(response)
    assert form.attrs["method"] == "post" and "csrfmiddlewaretoken" in form.fields
    assert stored(owner, session).has_transcript


def test_deleting_the_transcript_keeps_the_session(owner, session, with_transcript):
    response = post(owner, url(session, "transcript/delete/"))
    assert response.status_code == 302
    assert response["Location"] == url(session)
    now = stored(owner, session)
    assert not now.has_transcript
    fields = transcript_state(owner, session)[0]
    assert all(value is None for name, value in fields.items() if name != "transcript_bytes")
    assert now.transcript_bytes == 0
    assert session_keys(owner, session) == []
    assert campaign_bytes(owner, session) == 0
    assert (now.title, now.notes) == ("The Death House", "Hidden notes about the mimic")
    html = owner.get(url(session)).content.decode()
    assert "Transcript deleted." in html
    assert "No transcript yet" in html


def test_a_transcript_that_keeps_changing_is_not_deleted(owner, session, with_transcript, monkeypatch):
    def canceled(**options):
        raise transcripts.TransactionCanceled(["ConditionalCheckFailed", "None"])

    monkeypatch.setattr(transcript_repository, "write_with_campaign_changes", canceled)
    before = transcript_state(owner, session)
    response = post(owner, url(session, "transcript/delete/"))
    assert response["Location"] == url(session, "transcript/delete/")
    html = owner.get(response["Location"]).content.decode()
    assert "The transcript is changing right now. Try again in a moment." in html
    assert transcript_state(owner, session) == before


def test_the_delete_page_without_a_transcript_is_404(owner, session):
    assert owner.get(url(session, "transcript/delete/")).status_code == 404


def test_deleting_when_there_is_none_just_goes_back(owner, session):
    response = post(owner, url(session, "transcript/delete/"))
    assert response["Location"] == url(session)
    assert "Transcript deleted." not in owner.get(url(session)).content.decode()


# --- escaping ---------------------------------------------------------------------------------------
def test_a_file_name_with_markup_is_escaped(owner, session):
    name = '<img src=x onerror="alert(1)">night.vtt'
    attach_through_pages(owner, session, VTT, name)
    assert stored(owner, session).transcript_filename == name
    for path in ("", "transcript/upload/", "transcript/delete/"):
        html = owner.get(url(session, path)).content.decode()
        assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;night.vtt" in html
        assert "<img src=x" not in html


def test_a_script_tag_in_a_file_name_is_cut_at_its_slash_and_escaped(owner, session):
    attach_through_pages(owner, session, VTT, "<script>x</script>.vtt")
    assert stored(owner, session).transcript_filename == "script>.vtt"  # only the last path part is kept
    html = owner.get(url(session)).content.decode()
    assert "<dd>script&gt;.vtt</dd>" in html and "<script>x" not in html


def test_a_speaker_label_with_markup_is_escaped(owner, session):
    data = b'{"segments": [{"start": 0, "end": 1, "text": "Hi.", "speaker": "<b>Mira</b>"}]}'
    attach_through_pages(owner, session, data, "night.json")
    assert stored(owner, session).transcript_speakers == ["<b>Mira</b>"]
    html = owner.get(url(session)).content.decode()
    assert 'title="&lt;b&gt;Mira&lt;/b&gt;">&lt;b&gt;Mira&lt;/b&gt;</span>' in html
    assert "<b>Mira" not in html


# --- requests each page makes -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("", [AUTH]),  # the upload form is signed locally; the session comes with the sign-in
        ("transcript/upload/", [AUTH, "dynamodb.BatchGetItem"]),
    ],
)
def test_pages_with_an_upload_form_cost_one_read(owner, session, aws_calls, path, expected):
    with aws_calls() as calls:
        assert owner.get(url(session, path)).status_code == 200
    assert calls.operations() == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("", [AUTH]),  # the session, its campaign and summaries come with the sign-in
        ("transcript/download/", [AUTH, "dynamodb.BatchGetItem"]),  # presigned locally: no S3 call
        ("transcript/delete/", [AUTH, "dynamodb.BatchGetItem"]),
    ],
)
def test_pages_of_a_transcript_cost_one_read(owner, session, with_transcript, aws_calls, path, expected):
    with aws_calls() as calls:
        assert owner.get(url(session, path)).status_code in (200, 302)
    assert calls.operations() == expected


def test_the_upload_costs(owner, session, aws_calls):
    with aws_calls() as calls:
        uploaded = upload_through_s3(owner, session, VTT)
    assert calls.operations() == [AUTH]  # the page (its items with the sign-in); the POST to S3 is not ours
    with aws_calls() as calls:
        owner.get(uploaded)
    assert calls.operations() == [AUTH, "dynamodb.BatchGetItem"]
    with aws_calls() as calls:
        post(owner, uploaded, {"upload": token_of(uploaded)})
    assert calls.operations() == [
        AUTH,
        "dynamodb.GetItem",
        "s3.GetObject",
        "s3.PutObject",
        "dynamodb.TransactWriteItems",
        "dynamodb.GetItem",
    ]


def test_replacing_and_deleting_cost(owner, session, with_transcript, aws_calls):
    uploaded = upload_through_s3(owner, session, SRT, page="transcript/upload/")
    with aws_calls() as calls:
        post(owner, uploaded, {"upload": token_of(uploaded)})
    assert calls.operations() == [
        AUTH,
        "dynamodb.GetItem",
        "s3.GetObject",
        "s3.PutObject",
        "dynamodb.TransactWriteItems",
        "s3.ListObjectsV2",
        "s3.DeleteObjects",
        "dynamodb.GetItem",
    ]
    with aws_calls() as calls:
        post(owner, url(session, "transcript/delete/"))
    assert calls.operations() == [
        AUTH,
        "dynamodb.GetItem",
        "dynamodb.TransactWriteItems",
        "s3.ListObjectsV2",
        "s3.DeleteObjects",
    ]


def test_a_refused_upload_costs(owner, session, aws_calls):
    uploaded = upload_through_s3(owner, session, PNG, "cover.png")
    with aws_calls() as calls:
        assert post(owner, uploaded, {"upload": token_of(uploaded)}).status_code == 400
    assert calls.operations() == [
        AUTH,
        "dynamodb.GetItem",
        "s3.GetObject",
        "dynamodb.GetItem",
        "s3.ListObjectsV2",
        "s3.DeleteObjects",  # not attached meanwhile: delete it
        "dynamodb.BatchGetItem",  # the upload page again
    ]


def test_no_page_scans(owner, session, aws_calls):
    with aws_calls() as calls:
        attach_through_pages(owner, session, VTT)
        owner.get(url(session))
        owner.get(url(session, "transcript/download/"))
        owner.get(url(session, "transcript/delete/"))
        post(owner, url(session, "transcript/delete/"))
    assert not [operation for operation in calls.operations() if "Scan" in operation]


# --- summaries once it is added (the upload form's "Once it is added") ------------------------
def summary_kinds(owner, session):
    from sessions.summaries.repository import list_summaries_for_session

    found = list_summaries_for_session(sub=owner.sub, campaign_id=session.campaign_id, session_id=session.session_id)
    return [summary.kind for summary in found]


def test_the_upload_form_offers_to_summarize_with_a_recap_first(owner, session):
    response = owner.get(url(session))
    content = response.content.decode()
    select = content.split('<select id="transcript-summarize" name="x-amz-meta-summarize">')[1].split("</select>")[0]
    assert select.index('value="recap"') < select.index('value="all"') < select.index('value=""')


@pytest.mark.parametrize(
    ("choice", "expected"),
    [("recap", ["recap"]), ("all", ["recap", "key_events", "npcs", "locations", "loot", "open_threads"]), ("", [])],
)
def test_summaries_start_once_the_transcript_is_added(owner, session, choice, expected):
    uploaded = upload_through_s3(owner, session, VTT, **{"x-amz-meta-summarize": choice})
    response = confirm(owner, uploaded)
    assert response.status_code == 302
    assert summary_kinds(owner, session) == expected  # the test runner writes them in the request
    page = owner.get(response["Location"]).content.decode()
    # Never "Writing … now" next to a status line that says "Done.": the job ran in the
    # request, and with the thread runner it may end before the page shows.
    assert "Writing" not in page and " now:" not in page
    if choice:
        assert "Done." not in page  # done before the page showed: the summaries, no status line
        said = {
            "recap": "Recap asked for: it shows under Summaries, below, once written.",
            "all": "6 summaries asked for: they show under Summaries, below, as each is written.",
        }[choice]
        assert said in page


def test_an_unknown_summarize_choice_summarizes_nothing(owner, session):
    uploaded = upload_through_s3(owner, session, VTT, **{"x-amz-meta-summarize": "everything!"})
    assert confirm(owner, uploaded).status_code == 302
    assert stored(owner, session).has_transcript
    assert summary_kinds(owner, session) == []


def test_a_replacement_keeps_a_hand_edited_recap_and_says_so(owner, session):
    from sessions.summaries.repository import edit_summary, get_summary

    confirm(owner, upload_through_s3(owner, session, VTT, **{"x-amz-meta-summarize": "recap"}))
    recap = get_summary(sub=owner.sub, campaign_id=session.campaign_id, session_id=session.session_id, kind="recap")
    edit_summary(
        sub=owner.sub,
        campaign_id=session.campaign_id,
        session_id=session.session_id,
        kind="recap",
        expected_version=recap.version,
        text="My own words.",
    )
    replaced = upload_through_s3(
        owner,
        session,
        sample_bytes("srt", hours=0.01),
        "night.srt",
        page="transcript/upload/",
        **{"x-amz-meta-summarize": "recap"},
    )
    response = confirm(owner, replaced)
    assert response.status_code == 302
    assert stored(owner, session).transcript_format == "srt"  # the upload itself went through
    recap = get_summary(sub=owner.sub, campaign_id=session.campaign_id, session_id=session.session_id, kind="recap")
    assert recap.text == "My own words."
    page = owner.get(response["Location"]).content.decode()
    assert "You edited “Recap (previously on…)” by hand. Making it again replaces your edit." in page
    assert "So we left it as it is: summarize again below to replace it." in page  # one edit: singular
