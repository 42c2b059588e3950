"""The profile page: who you are, your display name, and the way to the other account pages."""

import pytest
from django.test import Client
from django.urls import path, reverse

from accounts import preference_views, profile_views
from accounts.models import User
from accounts.profiles import get_profile, set_preferences
from campaigns_site import views as site_views
from tests.web_clients import csrf_token, header, signed_in

PROFILE = "/accounts/profile/"


@pytest.fixture
def ada_sub(make_user):
    return make_user()


@pytest.fixture
def bo(make_user):
    return make_user("bo@example.com", display_name="Bo the Brave")


def test_anonymous_is_sent_to_log_in(aws, db):
    for response in (Client().get(PROFILE), Client().post(PROFILE, {"display_name": "Mallory"})):
        assert response.status_code == 302
        assert response["Location"] == "/accounts/login/?next=/accounts/profile/"


def test_owner_sees_email_name_and_member_since(ada_sub, aws_calls):
    client = signed_in()
    client.get("/")  # the login message is shown once, and its cookie cleared
    with aws_calls() as calls:
        response = client.get(PROFILE)
    assert response.status_code == 200
    assert [t.name for t in response.templates][:2] == ["account/profile.html", "base.html"]
    html = response.content.decode()
    assert "<dt>Email</dt><dd>ada@example.com</dd>" in html
    assert "<dt>Display name</dt><dd>Ada the Bard</dd>" in html
    created = get_profile(sub=ada_sub).created
    assert f'<time datetime="{created:%Y-%m-%d}">{created.day} {created:%B %Y}</time>' in html
    assert 'value="Ada the Bard"' in html  # the form starts from the current name
    assert f'href="{reverse("account_delete")}"' in html
    assert 'href="/accounts/profile/" title="Your profile" aria-current="page">Ada the Bard</a>' in header(html)
    # The session and profile in one BatchGetItem, then the profile once more for "member since".
    assert calls.operations() == ["dynamodb.BatchGetItem", "dynamodb.GetItem"]
    assert response["Cache-Control"].startswith("max-age=0")


def test_the_owner_s_time_zone_is_shown_at_no_extra_request(ada_sub, bo, aws_calls):
    set_preferences(sub=ada_sub, time_zone="America/Los_Angeles")  # as the v1.0 import keeps it
    client = signed_in()
    client.get("/")
    with aws_calls() as calls:
        html = client.get(PROFILE).content.decode()
    assert "<dt>Time zone</dt><dd>America/Los_Angeles</dd>" in html
    assert calls.operations() == ["dynamodb.BatchGetItem", "dynamodb.GetItem"]
    # Another user sees their own profile: no time zone saved, none shown.
    assert "Time zone" not in signed_in("bo@example.com").get(PROFILE).content.decode()


def test_the_header_links_the_name_to_the_profile_on_every_page(ada_sub):
    html = signed_in().get("/").content.decode()
    assert '<a href="/accounts/profile/" title="Your profile">Ada the Bard</a>' in header(html)
    assert 'href="/accounts/profile/"' not in header(Client().get("/").content.decode())


def test_a_new_name_is_saved_and_shown_at_once_escaped(ada_sub, aws_calls):
    client = signed_in()
    name = "Zoë 🐉 <b>the Bold</b> & “Co”"
    with aws_calls() as calls:
        response = client.post(PROFILE, {"display_name": f"  {name}\u00a0 "})
    assert response.status_code == 302
    assert response["Location"] == PROFILE
    assert calls.operations() == ["dynamodb.BatchGetItem", "dynamodb.UpdateItem"]
    assert get_profile(sub=ada_sub).display_name == name  # trimmed, every character kept
    assert User.objects.get(pk=ada_sub).display_name == name  # this container's row, refreshed now

    html = client.get(PROFILE).content.decode()
    escaped = "Zoë 🐉 &lt;b&gt;the Bold&lt;/b&gt; &amp; “Co”"
    assert f'title="Your profile" aria-current="page">{escaped}</a>' in header(html)
    assert f"<dd>{escaped}</dd>" in html
    assert "Your display name is saved." in html
    assert "<b>the Bold</b>" not in html


def test_another_container_shows_the_new_name_too(ada_sub):
    client = signed_in()
    client.post(PROFILE, {"display_name": "Ada the Sage"})
    User.objects.all().delete()  # a fresh Lambda container: only DynamoDB knows the user
    assert "Welcome back, Ada the Sage" in client.get("/").content.decode()


@pytest.mark.parametrize(
    ("posted", "error"),
    [
        ("", "This field is required."),
        ("   ", "This field is required."),
        ("x" * 81, "Keep the display name to 80 characters (this one has 81)."),
        ("Ada\nthe Bard", "Remove the control characters from the display name (found U+000A)."),
        ("Ada\tthe Bard", "Remove the control characters from the display name (found U+0009)."),
        ("Ada\x1b[31mthe\x85Bard", "Remove the control characters from the display name (found U+001B, U+0085)."),
    ],
)
def test_a_name_that_does_not_fit_is_refused_and_nothing_changes(ada_sub, aws_calls, posted, error):
    client = signed_in()
    with aws_calls() as calls:
        response = client.post(PROFILE, {"display_name": posted})
    assert response.status_code == 200
    assert error in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    assert "dynamodb.UpdateItem" not in calls.operations()
    assert get_profile(sub=ada_sub).display_name == "Ada the Bard"


def test_eighty_characters_of_emoji_fit(ada_sub):
    name = "🐉" * 80
    response = signed_in().post(PROFILE, {"display_name": name})
    assert response.status_code == 302
    assert get_profile(sub=ada_sub).display_name == name


def test_another_user_changes_only_their_own_name(ada_sub, bo):
    bo_client = signed_in("bo@example.com")
    # Whatever the request names, the view acts on the signed-in user's sub only.
    response = bo_client.post(PROFILE, {"display_name": "Bo the Bold", "sub": ada_sub, "email": "ada@example.com"})
    assert response.status_code == 302
    assert get_profile(sub=bo).display_name == "Bo the Bold"
    assert get_profile(sub=ada_sub).display_name == "Ada the Bard"

    html = bo_client.get(PROFILE).content.decode()
    assert "bo@example.com" in html
    assert "ada@example.com" not in html and "Ada the Bard" not in html
    assert "Ada the Bard" in signed_in().get(PROFILE).content.decode()


def test_a_post_needs_the_csrf_token(ada_sub):
    client = signed_in(enforce_csrf_checks=True)
    assert client.post(PROFILE, {"display_name": "Mallory"}).status_code == 403
    assert get_profile(sub=ada_sub).display_name == "Ada the Bard"

    token = csrf_token(client.get(PROFILE).content.decode())
    response = client.post(PROFILE, {"display_name": "Ada the Sage", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert get_profile(sub=ada_sub).display_name == "Ada the Sage"


def elsewhere(request):
    """A stand-in view: these tests only need its URL name to resolve."""


# A site where the password pages exist (they are another part of issue 3), and one
# where they do not: the profile links to them only once they resolve.
with_password_pages = [
    path("", site_views.home, name="home"),
    path("preferences/theme/", preference_views.set_theme, name="set_theme"),
    path("accounts/profile/", profile_views.profile, name="account_profile"),
    path("accounts/delete/", profile_views.delete_account, name="account_delete"),
    path("elsewhere/password/", elsewhere, name="account_change_password"),
    path("elsewhere/everywhere/", elsewhere, name="account_logout_everywhere"),
]
without_password_pages = with_password_pages[:4]


class WithPasswordPages:
    urlpatterns = with_password_pages


class WithoutPasswordPages:
    urlpatterns = without_password_pages


@pytest.mark.parametrize("site", [WithPasswordPages, WithoutPasswordPages])
def test_password_links_show_once_their_pages_exist(ada_sub, site, settings):
    client = Client()
    client.force_login(User.objects.get(pk=ada_sub))
    settings.ROOT_URLCONF = site
    html = client.get(PROFILE).content.decode()
    present = site is WithPasswordPages
    assert ('href="/elsewhere/password/">Change your password</a>' in html) is present
    assert ('href="/elsewhere/everywhere/">Log out everywhere</a>' in html) is present
    assert 'href="/accounts/delete/">Delete your account</a>' in html


def test_only_get_and_post(ada_sub):
    assert signed_in().put(PROFILE).status_code == 405
