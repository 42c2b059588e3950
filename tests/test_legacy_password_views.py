"""The v1.0 users' pages: a new password after an old one the pool's policy refuses
(accounts.legacy_password_views.new_password), and the Discord/Google-only explanation."""

from django.test import Client

from accounts import legacy_passwords
from tests.conftest import PASSWORD
from tests.legacy_users import make_legacy_user, old_hash
from tests.web_clients import anonymous_client, log_in, login_url, post

NEW_PAGE = "/accounts/password/new/"
SOCIAL_PAGE = "/accounts/password/old-discord-google/"


def signed_in_with_a_refused_old_password(make_user):
    sub = make_legacy_user(make_user, password_hash=old_hash("short1"))
    client = Client(enforce_csrf_checks=True)
    client.get("/accounts/login/")
    assert post(client, "/accounts/login/", {"login": "ada@example.com", "password": "short1"}).status_code == 302
    return client, sub


def test_the_owner_chooses_a_new_password_and_the_old_one_ends(make_user):
    client, sub = signed_in_with_a_refused_old_password(make_user)
    page = client.get(NEW_PAGE)
    assert page.status_code == 200
    assert "does not meet our password rules" in page.content.decode()

    response = post(client, NEW_PAGE, {"new_password1": "a new one 12345", "new_password2": "a new one 12345"})
    assert response.status_code == 302
    assert legacy_passwords.get_legacy_password(sub=sub) is None
    assert "Your new password is set" in client.get(response["Location"], follow=True).content.decode()
    assert log_in(Client(), password="a new one 12345").status_code == 302  # Cognito alone
    assert log_in(Client(), password="short1").status_code == 200  # the old one is gone


def test_the_new_password_must_meet_the_rules(make_user):
    client, sub = signed_in_with_a_refused_old_password(make_user)
    response = post(client, NEW_PAGE, {"new_password1": "short2", "new_password2": "short2"})
    assert response.status_code == 200
    assert "Use at least 10 characters." in response.content.decode()
    assert legacy_passwords.needs_new_password(sub=sub)


def test_another_user_is_sent_to_the_usual_change_page(other):
    response = other.get(NEW_PAGE)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/change/"
    response = post(other, NEW_PAGE, {"new_password1": "a new one 12345", "new_password2": "a new one 12345"})
    assert response["Location"] == "/accounts/password/change/"
    assert log_in(Client(), email="bob@example.com", password=PASSWORD).status_code == 302  # unchanged


def test_an_anonymous_visitor_is_asked_to_log_in(anonymous):
    assert anonymous.get(NEW_PAGE)["Location"] == login_url(NEW_PAGE)


def test_the_discord_google_page_explains_and_links_to_forgot_password(make_user):
    make_legacy_user(make_user, social_only=True)
    client = anonymous_client()
    login = post(client, "/accounts/login/", {"login": "ada@example.com", "password": "anything at all 1"})
    assert f'href="{SOCIAL_PAGE}?email=ada%40example.com"' in login.content.decode()
    page = client.get(SOCIAL_PAGE, {"email": "ada@example.com"}).content.decode()
    assert "signed in with Discord or Google" in page
    assert 'href="/accounts/password/reset/?email=ada%40example.com"' in page  # filled in
    assert 'href="/accounts/password/reset/"' in client.get(SOCIAL_PAGE).content.decode()


def test_the_discord_google_page_is_the_same_for_a_signed_in_user(owner):
    assert owner.get(SOCIAL_PAGE).status_code == 200


def test_a_reset_by_emailed_code_ends_the_old_password(make_user):
    sub = make_legacy_user(make_user)
    client = Client()
    client.post("/accounts/password/reset/", {"email": "ada@example.com"})
    code = client.session["password_reset_local_code"]["code"]
    response = client.post(
        "/accounts/password/reset/code/",
        {
            "email": "ada@example.com",
            "code": code,
            "new_password1": "reset one 12345",
            "new_password2": "reset one 12345",
        },
    )
    assert response.status_code == 302
    assert legacy_passwords.get_legacy_password(sub=sub) is None
