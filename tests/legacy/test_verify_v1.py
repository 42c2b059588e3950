"""manage.py verify_v1 against a real PostgreSQL holding every awkward v1.0 case, after
import_v1 into moto: a clean import passes; each kind of planted difference is found and
named with its ids. Few imports (each takes seconds): one clean, one with every plant,
one merging case duplicates."""

import io
import json
from types import SimpleNamespace

import psycopg
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from import_runs import partition, run_import_v1, sub_of

from campaigns_site import aws as aws_module
from campaigns_site.dynamodb import delete_keys
from campaigns_site.table_keys import share_pk, user_pk
from sessions.sharing.items import hash_token
from v1 import mapping
from v1.verify_record import EVERYONE, ONE_USER, last_verification

pytestmark = pytest.mark.django_db


def run_verify_v1(source, bucket, tmp_path, *options):
    """(passed, the JSON report as a dict, the output): passed is False when it exits non-zero."""
    report_file = tmp_path / f"verify-{len(list(tmp_path.glob('verify-*.json')))}.json"
    out = io.StringIO()
    arguments = ["verify_v1", "--source", source, "--v1-bucket", bucket, "--report", str(report_file), *options]
    try:
        call_command(*arguments, stdout=out, stderr=io.StringIO())
        passed = True
    except CommandError as error:
        out.write(f"\nCommandError: {error}")
        passed = False
    return passed, json.loads(report_file.read_text()), out.getvalue()


def lines_of(output, kind):
    return [line for line in output.splitlines() if line.startswith(f"{kind} — ")]


def row(dataset, table, row_id):
    return next(found for found in dataset.rows[table] if found["id"] == row_id)


def ids_of(dataset, session_id):
    """(owner's e-mail, sub, campaign id, session id) here of a v1.0 session."""
    session = row(dataset, "game_sessions", session_id)
    email, sub, campaign_id = campaign_here(dataset, session["campaign_id"])
    return email, sub, campaign_id, mapping.session_id_for(SimpleNamespace(**session))


def campaign_here(dataset, campaign_id):
    """(owner's e-mail, sub, campaign id here) of a v1.0 campaign."""
    campaign = row(dataset, "campaigns", campaign_id)
    email = row(dataset, "users", campaign["owner_id"])["email"]
    return email, sub_of(email), mapping.campaign_id_for(SimpleNamespace(**campaign))


def session_item(dataset, session_id):
    email, _, campaign_id, sid = ids_of(dataset, session_id)
    return next(item for item in partition(email) if item["SK"] == f"SESSION#{campaign_id}#{sid}")


def set_attribute(pk, sk, name, value):
    aws_module.client("dynamodb").update_item(
        TableName=settings.DYNAMODB_TABLE,
        Key={"PK": {"S": pk}, "SK": {"S": sk}},
        UpdateExpression="SET #n = :v",
        ExpressionAttributeNames={"#n": name},
        ExpressionAttributeValues={":v": {"S": value}},
    )


def test_after_a_clean_import_verify_passes_and_lists_what_was_skipped_on_purpose(
    imported_v1, v1_small_database, v1_small_bucket, v1_small_dataset, tmp_path, aws_calls
):
    with aws_calls() as calls:
        passed, report, output = run_verify_v1(v1_small_database, v1_small_bucket, tmp_path)
    assert passed, output
    # By key only: per account one AdminGetUser, a profile GetItem, one Query of the
    # partition (one page each here) and a BatchGetItem of its share links, if any.
    accounts = report["accounts"]
    assert calls.count("dynamodb", "Scan") == 0
    assert calls.count("dynamodb", "Query") == accounts + 1  # + the import's account records
    assert calls.count("cognito-idp", "AdminGetUser") == accounts
    assert calls.count("dynamodb", "BatchGetItem") == 1  # only Keeper has share links
    assert report["ok"] and report["differences"] == []
    reasons = report["on_purpose"]["reasons"]
    for reason in (
        "soft_deleted",
        "in_soft_deleted_campaign",
        "email_case_duplicate",
        "email_null",
        "of_skipped_user",
        "transcript_object_missing",
        "transcript_unparseable",
        "share_token_expired",
        "session_number_dropped",
    ):
        assert reasons.get(reason), reason
    ids = {line["id"] for line in report["on_purpose"]["lines"]}
    for case in (
        "campaign_soft_deleted",
        "session_soft_deleted",
        "email_null",
        "email_case_duplicates",
        "transcript_key_missing_object",
        "transcript_unparseable",
    ):
        assert {str(i) for i in v1_small_dataset.case(case)} <= ids, case
    assert "skipped on purpose: " in output and "verify_v1: 0 differences" in output
    assert report["compared"]["transcripts"] > 0 and report["compared"]["share_links"] == 3
    assert (
        report["counts"]["Keeper@Example.com"]["campaigns"][0] == report["counts"]["Keeper@Example.com"]["campaigns"][1]
    )

    kept = last_verification()  # for /staff/migration/: counts only
    assert (kept.exit_status, kept.scope, kept.differences, kept.accounts) == (0, EVERYONE, {}, accounts)
    assert kept.on_purpose == reasons and kept.compared == report["compared"]
    assert "The counts are kept for /staff/migration/" in output

    passed, report, output = run_verify_v1(v1_small_database, v1_small_bucket, tmp_path, "--user", "keeper@example.com")
    assert passed, output
    assert list(report["counts"]) == ["Keeper@Example.com"]
    assert last_verification().scope == ONE_USER


def session_of_token(dataset, token):
    return next(found["id"] for found in dataset.rows["game_sessions"] if found["share_token"] == token)


def summary_key(dataset, summary_id):
    summary = row(dataset, "summaries", summary_id)
    email, sub, campaign_id, session_id = ids_of(dataset, summary["session_id"])
    return user_pk(sub), f"SUMMARY#{campaign_id}#{session_id}#{mapping.summary_kind_for(summary['kind'])}"


def the_line(output, kind, table, v1_id, *words):
    """The one difference line of this kind, table and v1.0 id; it holds every word."""
    found = [line for line in lines_of(output, kind) if f" — {table} — v1.0 {v1_id} — " in line]
    assert found, f"no {kind} line for {table} {v1_id} in:\n{output}"
    assert all(word in found[0] for word in words), found[0]
    return found[0]


def test_every_kind_of_planted_difference_is_found_and_named(
    imported_v1, v1_small_database, v1_small_bucket, v1_small_dataset, tmp_path
):
    d, s3, bucket = v1_small_dataset, aws_module.client("s3"), settings.TRANSCRIPT_BUCKET
    # Missing rows: a session, a summary, a campaign, a share link (the owner's pointer).
    (gone_session,) = d.case("session_number_null")
    email, sub, campaign_id, session_id = ids_of(d, gone_session)
    (gone_summary,) = d.case("summary_recap")
    (gone_campaign,) = d.case("campaign_archived")
    _, _, gone_campaign_id = campaign_here(d, gone_campaign)
    (token,) = d.case("share_token_no_expiry")
    delete_keys(
        [
            (user_pk(sub), f"SESSION#{campaign_id}#{session_id}"),
            summary_key(d, gone_summary),
            (user_pk(sub), f"CAMPAIGN#{gone_campaign_id}"),
            (user_pk(sub), f"SHARELINK#{hash_token(token)}"),
        ]
    )
    # Changed text: a campaign's name, a session's notes, a summary's text.
    (google_user,) = [u for u in d.case("oauth_only") if "google" in row(d, "users", u)["email"]]
    renamed = next(c["id"] for c in d.rows["campaigns"] if c["owner_id"] == google_user)
    _, google_sub, renamed_id = campaign_here(d, renamed)
    set_attribute(user_pk(google_sub), f"CAMPAIGN#{renamed_id}", "name", "Renamed here")
    (noted,) = d.case("session_markup")
    set_attribute(user_pk(sub), session_item(d, noted)["SK"], "notes", "edited here")
    (edited_summary,) = d.case("summary_highlights")
    set_attribute(*summary_key(d, edited_summary), "text", "edited here")
    (later_token,) = d.case("share_token_future_expiry")
    set_attribute(share_pk(hash_token(later_token)), "SHARE", "expires", "2098-01-01T00:00:00.000000+0000")
    # Transcript bytes: one byte of a stored original here, one byte of a v1.0 row.
    (here_changed,) = d.case("transcript_text")
    original = _original_key(d, here_changed)
    data = bytearray(s3.get_object(Bucket=bucket, Key=original)["Body"].read())
    data[5] ^= 0x01
    s3.put_object(Bucket=bucket, Key=original, Body=bytes(data))
    (v1_changed,) = d.case("transcript_text_multi_megabyte")
    with psycopg.connect(v1_small_database) as conn:
        conn.execute(
            "UPDATE game_sessions SET transcript_text = overlay(transcript_text placing 'Z' from 10 for 1)"
            " WHERE id = %s",
            [v1_changed],
        )
    # Missing objects: a stored original, another session's segments.
    lost_original, lost_segments = d.case("transcript_key")[:2]
    s3.delete_object(Bucket=bucket, Key=_original_key(d, lost_original))
    s3.delete_object(Bucket=bucket, Key=_original_key(d, lost_segments).replace("/original", "/segments.json"))
    # A Cognito user deleted.
    (admin,) = d.case("admin")
    admin_email = row(d, "users", admin)["email"]
    admin_sub = sub_of(admin_email)
    aws_module.client("cognito-idp").admin_delete_user(UserPoolId=settings.COGNITO_USER_POOL_ID, Username=admin_email)

    passed, report, output = run_verify_v1(v1_small_database, v1_small_bucket, tmp_path)

    assert not passed
    assert "CommandError: verify_v1: " in output and not report["ok"]
    the_line(output, "missing", "game_sessions", gone_session, f"here {sub} {campaign_id}/{session_id}", "not here")
    the_line(output, "missing", "summaries", gone_summary, "recap summary is not here")
    the_line(output, "missing", "campaigns", gone_campaign, gone_campaign_id, "not here")
    the_line(output, "missing", "game_sessions", session_of_token(d, token), "share token: the owner's pointer")
    the_line(
        output, "changed", "campaigns", renamed, renamed_id, "name: v1.0 'Campaign via google', here 'Renamed here'"
    )
    the_line(output, "changed", "game_sessions", noted, "notes: v1.0 sha256", "here 'edited here'")
    the_line(output, "changed", "summaries", edited_summary, "text: v1.0 sha256", "here 'edited here'")
    the_line(
        output, "changed", "game_sessions", session_of_token(d, later_token), "share token: link: expires: v1.0 2099-"
    )
    the_line(output, "transcript", "game_sessions", here_changed, "stored original's bytes changed")
    the_line(output, "transcript", "game_sessions", v1_changed, "bytes differ: v1.0 sha256")
    the_line(output, "object_missing", "game_sessions", lost_original, "original object transcripts/")
    the_line(output, "object_missing", "game_sessions", lost_segments, "segments object transcripts/")
    the_line(output, "cognito", "users", admin, admin_sub, "no user 'admin@example.com' in the user pool")
    keeper_id = row(d, "campaigns", gone_campaign)["owner_id"]
    for table in ("campaigns", "sessions", "summaries", "share_links"):
        the_line(output, "count", table, keeper_id, "here " + sub)
    kinds = {difference["kind"] for difference in report["differences"]}
    assert kinds == {"missing", "changed", "transcript", "object_missing", "cognito", "count"}
    kept = last_verification()
    assert kept.exit_status == 1 and set(kept.differences) == kinds
    assert kept.difference_count == len(report["differences"])
    assert [difference["kind"] for difference in report["differences"]] == [
        line.split(" — ")[0] for line in output.splitlines() if " — v1.0 " in line
    ]


def _original_key(dataset, session_id):
    item = session_item(dataset, session_id)
    _, sub, _, sid = ids_of(dataset, session_id)
    return f"transcripts/{sub}/{sid}/{item['transcript_upload_id']}/original"


def test_a_bad_source_or_a_missing_bucket_is_one_clear_line(
    v1_small_database, v1_small_bucket, postgres_server, tmp_path
):
    with pytest.raises(CommandError, match=r"^cannot connect to v1.0's database: "):
        call_command("verify_v1", "--source", postgres_server.url("no_such_db"), "--v1-bucket", v1_small_bucket)
    with pytest.raises(CommandError, match=r"^v1.0's bucket 'no-such-bucket' cannot be read \(\w+\)\.$"):
        call_command("verify_v1", "--source", v1_small_database, "--v1-bucket", "no-such-bucket")


def test_merged_case_duplicates_pass_with_the_imports_flag_and_rows_made_here_are_extra(
    v1_small_database, v1_small_bucket, v1_small_dataset, tmp_path
):
    from campaigns.repository import create_campaign

    run_import_v1(v1_small_database, v1_small_bucket, tmp_path, "--merge-case-duplicates")
    passed, report, output = run_verify_v1(v1_small_database, v1_small_bucket, tmp_path, "--merge-case-duplicates")
    assert passed, output
    assert report["on_purpose"]["reasons"]["merged_case_duplicate"] == 1
    older, newer = v1_small_dataset.case("email_case_duplicates")
    newer_email = row(v1_small_dataset, "users", newer)["email"]
    assert report["counts"][newer_email]["campaigns"] == [2, 2]  # both users' campaigns, in one account

    passed, _, output = run_verify_v1(v1_small_database, v1_small_bucket, tmp_path)  # not the import's flag
    assert not passed
    the_line(output, "extra", "users", newer, sub_of(newer_email), f"[{older}, {newer}]")

    made_here = create_campaign(sub=sub_of("Keeper@Example.com"), name="Made here")
    passed, report, output = run_verify_v1(
        v1_small_database, v1_small_bucket, tmp_path, "--merge-case-duplicates", "--user", "KEEPER@example.com"
    )
    assert not passed and list(report["counts"]) == ["Keeper@Example.com"]
    the_line(output, "extra", "campaigns", "-", f"CAMPAIGN#{made_here.campaign_id}", "no v1.0 row")
    the_line(
        output,
        "count",
        "campaigns",
        row(v1_small_dataset, "campaigns", v1_small_dataset.case("campaign_archived")[0])["owner_id"],
    )

    with pytest.raises(CommandError, match=r"^no v1.0 user that the import brings over has the e-mail 'nobody@x.org'$"):
        call_command(
            "verify_v1", "--source", v1_small_database, "--v1-bucket", v1_small_bucket, "--user", "nobody@x.org"
        )
