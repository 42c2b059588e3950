"""The theme form (accounts.preference_views.set_theme): a cookie for anyone, and for a
signed-in user a save to their own profile, so the choice follows them to another browser."""

from accounts.models import User
from accounts.profiles import get_profile, preferences_of
from tests.web_clients import post

THEME = "/preferences/theme/"


def saved_theme(sub):
    return preferences_of(get_profile(sub=sub)).get("theme")


def test_the_owner_s_choice_is_the_cookie_and_is_saved_with_one_update(owner, aws_calls):
    User.objects.all().delete()  # a fresh container: the user comes with the web session's read
    with aws_calls() as calls:
        response = post(owner, THEME, {"theme": "dark", "next": "/campaigns/"})
    assert response.status_code == 302
    assert response["Location"] == "/campaigns/"
    assert response.cookies["theme"].value == "dark"
    assert saved_theme(owner.sub) == "dark"
    # The web session and its profile (one BatchGetItem, as every signed-in page), then the save.
    assert calls.operations() == ["dynamodb.BatchGetItem", "dynamodb.UpdateItem"]
    assert 'data-theme="dark"' in owner.get("/").content.decode()


def test_another_user_s_choice_goes_to_their_profile_only(owner, other):
    post(owner, THEME, {"theme": "light"})
    post(other, THEME, {"theme": "dark"})
    assert (saved_theme(owner.sub), saved_theme(other.sub)) == ("light", "dark")


def test_an_anonymous_choice_is_a_cookie_and_no_aws_request(anonymous, aws_calls):
    with aws_calls() as calls:
        response = post(anonymous, THEME, {"theme": "dark", "next": "/"})
    assert response.cookies["theme"].value == "dark"
    assert calls.operations() == []


def test_an_unknown_theme_is_neither_a_cookie_nor_saved(owner, aws_calls):
    post(owner, THEME, {"theme": "light"})
    with aws_calls() as calls:
        response = post(owner, THEME, {"theme": "system", "next": "/campaigns/"})
    assert response["Location"] == "/campaigns/"
    assert "theme" not in response.cookies
    assert "dynamodb.UpdateItem" not in calls.operations()
    assert saved_theme(owner.sub) == "light"


def test_the_choice_needs_the_csrf_token(owner):
    response = owner.post(THEME, {"theme": "dark"})
    assert response.status_code == 403
    assert saved_theme(owner.sub) is None
