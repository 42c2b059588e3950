"""What several browser tests do on the way to the page they test: a user, the login, a
transcript uploaded through the session page."""

from accounts import cognito, services
from tests.conftest import PASSWORD

VTT = """WEBVTT

00:00:01.000 --> 00:00:04.000
<v SPEAKER_00>Welcome back to Barovia, everyone.

00:00:04.500 --> 00:00:07.250
<v SPEAKER_01>I check the door for traps &amp; listen.

00:00:08.000 --> 00:00:11.000
<v SPEAKER_00>You hear &lt;script&gt;alert("the lich")&lt;/script&gt; whispering.
"""


def upload_transcript(page, session_url, path, text):
    """Write `text` to `path` and upload it through the session page's form (straight to
    the moto server's S3, which sends the browser back to the page)."""
    path.write_text(text, encoding="utf-8")
    page.goto(session_url)
    page.get_by_label("Transcript file").set_input_files(str(path))
    page.get_by_role("button", name="Upload transcript").click()
    page.wait_for_url(session_url)


def confirmed_user(email):
    """A user on the moto server's Cognito, as sign-up and confirmation leave it; returns the sub.
    The server lives for the whole run: each test uses its own email address."""
    sub = services.sign_up(email=email, password=PASSWORD, display_name="Mira")
    cognito.confirm_sign_up(email=email, code="123456")  # moto accepts any code
    return sub


def log_in(page, live_server, email):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server.url + "/campaigns/")
