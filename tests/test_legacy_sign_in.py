"""A v1.0 user signs in with their old password: checked once against v1.0's bcrypt hash,
then made their Cognito password (accounts.legacy_sign_in through the login form)."""

import logging
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts import legacy_passwords, legacy_sign_in
from campaigns_site import directory
from tests.legacy_users import OLD_PASSWORD, RANDOM_PASSWORD, make_legacy_user, old_hash
from tests.web_clients import log_in

WRONG = "That email and password do not match."


def signs_in(client, password, email="ada@example.com"):
    response = log_in(client, email=email, password=password)
    return response.status_code == 302


@pytest.mark.parametrize("prefix", [b"2a", b"2b"])
def test_the_old_password_signs_in_once_then_cognito_alone(make_user, aws_calls, prefix):
    sub = make_legacy_user(make_user, password_hash=old_hash(prefix=prefix, rounds=10))
    client = Client()
    response = log_in(client, password=OLD_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/campaigns/"
    assert "Welcome back, Ada the Bard" in client.get("/").content.decode()
    assert legacy_passwords.get_legacy_password(sub=sub) is None  # the hash item is gone

    client.post("/accounts/logout/")
    with aws_calls() as calls:
        assert signs_in(Client(), OLD_PASSWORD)
    assert calls.count("cognito-idp", "AdminGetUser") == 0  # Cognito alone: no old password looked up
    assert not signs_in(Client(), RANDOM_PASSWORD)  # the importer's random password is replaced


def test_a_wrong_password_gets_the_usual_message_and_keeps_the_item(make_user):
    sub = make_legacy_user(make_user)
    response = log_in(Client(), password="not my old password 1")
    assert response.status_code == 200
    assert WRONG in response.content.decode()
    assert legacy_passwords.get_legacy_password(sub=sub) is not None
    assert signs_in(Client(), OLD_PASSWORD)  # still works afterwards


def test_an_unknown_email_and_a_user_without_an_old_password_read_the_same(make_user):
    make_user("bob@example.com")
    for email in ("bob@example.com", "nobody@example.com"):
        response = log_in(Client(), email=email, password=OLD_PASSWORD)
        assert WRONG in response.content.decode()


def test_a_passphrase_longer_than_72_bytes_matches_on_its_first_72(make_user):
    # "é" is two bytes in UTF-8: the cut falls on bytes, not characters, as in v1.0.
    passphrase = "é" * 30 + " and the rest of a very long passphrase 12345"
    assert len(passphrase.encode()) > 72
    sub = make_legacy_user(make_user, password_hash=old_hash(passphrase))
    assert legacy_sign_in.bcrypt_matches(passphrase.encode()[:72].decode() + "x" * 10, old_hash(passphrase))
    assert not legacy_sign_in.bcrypt_matches("é" * 29, old_hash(passphrase))
    assert signs_in(Client(), passphrase)
    assert legacy_passwords.get_legacy_password(sub=sub) is None
    assert signs_in(Client(), passphrase)  # Cognito has the whole passphrase now


def test_an_old_password_the_policy_refuses_signs_in_once_then_asks_for_a_new_one(make_user):
    sub = make_legacy_user(make_user, password_hash=old_hash("short1"))  # under 10 characters
    client = Client()
    response = log_in(client, password="short1")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/new/"
    page = client.get(response["Location"]).content.decode()
    assert "Choose a new password" in page
    item = legacy_passwords.get_legacy_password(sub=sub)
    assert item.policy_refused_since is not None
    grace_ends = item.policy_refused_since + legacy_passwords.POLICY_REFUSED_GRACE
    assert item.expires == grace_ends.replace(microsecond=0)  # the TTL counts whole seconds
    assert directory.get_entry(sub=sub).last_sign_in is not None  # a sign-in, in the staff's directory

    # Leaving without choosing: the old password still signs in during the grace period,
    # and a login on its way to another page (`next`) still asks for the new one first.
    response = log_in(Client(), password="short1", next="/campaigns/")
    assert response["Location"] == "/accounts/password/new/"
    assert legacy_passwords.get_legacy_password(sub=sub).policy_refused_since == item.policy_refused_since


def test_the_old_password_the_policy_refuses_ends_with_its_grace_period(make_user, time_machine):
    make_legacy_user(make_user, password_hash=old_hash("short1"))
    assert signs_in(Client(), "short1")
    time_machine.move_to(timezone.now() + legacy_passwords.POLICY_REFUSED_GRACE + timedelta(minutes=1))
    response = log_in(Client(), password="short1")
    assert WRONG in response.content.decode()


def test_a_discord_or_google_only_user_is_told_to_set_a_password(make_user):
    make_legacy_user(make_user, social_only=True)
    response = log_in(Client(), password="anything at all 1")
    html = response.content.decode()
    assert response.status_code == 200
    assert "signed in with Discord or Google before" in html
    assert 'href="/accounts/password/old-discord-google/?email=ada%40example.com"' in html


def test_the_hash_never_reaches_a_page_a_log_or_an_error(make_user, caplog, monkeypatch):
    password_hash = old_hash()
    sub = make_legacy_user(make_user, password_hash=password_hash)
    caplog.set_level(logging.DEBUG)
    item = legacy_passwords.get_legacy_password(sub=sub)
    assert password_hash not in repr(item) and password_hash not in str(item)

    # A hash bcrypt cannot read: logged, refused, never quoted.
    legacy_passwords.save_legacy_password(sub=sub, password_hash=password_hash[:20])
    response = log_in(Client(), password=OLD_PASSWORD)
    assert WRONG in response.content.decode()
    assert "not a bcrypt hash" in caplog.text
    assert password_hash[:20] not in caplog.text + response.content.decode()

    # An error after the check (the table away): the 500 page and the logged traceback.
    legacy_passwords.save_legacy_password(sub=sub, password_hash=password_hash)

    def table_away(**_):
        raise RuntimeError("the table is away")

    monkeypatch.setattr(legacy_passwords, "delete_legacy_password", table_away)
    client = Client(raise_request_exception=False)
    response = log_in(client, password=OLD_PASSWORD)
    assert response.status_code == 500
    assert "the table is away" in caplog.text
    assert password_hash not in caplog.text
    assert password_hash not in response.content.decode()


def test_the_usual_rate_limit_applies(make_user, settings, aws_calls):
    make_legacy_user(make_user)
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "1/m/ip"}
    client = Client()
    assert WRONG in log_in(client, password="not my old password 1").content.decode()
    with aws_calls() as calls:
        response = log_in(client, password=OLD_PASSWORD)
    assert "Too many" in response.content.decode() or response.status_code == 429
    assert calls.count("cognito-idp") == 0


def error_report_of_an_old_password_sign_in(request):
    """Django's HTML error report (every frame's variables) of a sign-in that fails."""
    from django.views.debug import ExceptionReporter

    try:
        legacy_sign_in.log_in_with_old_password(email="ada@example.com", password=OLD_PASSWORD)
    except RuntimeError as error:
        return ExceptionReporter(request, type(error), error, error.__traceback__).get_traceback_html()
    raise AssertionError("the sign-in did not fail")


def test_error_reports_hide_the_password_and_the_hash(make_user, monkeypatch, rf):
    """Django's error reports list each frame's variables: not these."""
    password_hash = old_hash()
    make_legacy_user(make_user, password_hash=password_hash)

    def table_away(**_):
        raise RuntimeError("the table is away")

    monkeypatch.setattr(legacy_passwords, "delete_legacy_password", table_away)
    report = error_report_of_an_old_password_sign_in(rf.post("/accounts/login/"))
    assert "the table is away" in report
    assert password_hash not in report
    assert OLD_PASSWORD not in report
