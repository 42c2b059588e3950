"""Content-Security-Policy on every kind of page, `Cache-Control: private, no-store` on
every page that read the web session or carries a CSRF token, cacheable static files, and
no inline script or style in any template (the policy would block it)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from campaigns_site.csp import origin_of
from sessions.sharing.repository import create_share_link
from tests.conftest import PASSWORD
from tests.transcript_samples import sample_bytes
from tests.transcript_uploads import store_transcript

TEMPLATES = Path(settings.BASE_DIR) / "templates"
EXPECTED_DIRECTIVES = {
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "object-src 'none'",
    "base-uri 'none'",
    "img-src 'self' data:",
}


def directives(response):
    return {part.strip() for part in response["Content-Security-Policy"].split(";")}


def assert_csp(response):
    found = directives(response)
    assert EXPECTED_DIRECTIVES <= found, EXPECTED_DIRECTIVES - found
    form_action = next(d for d in found if d.startswith("form-action "))
    assert form_action.split()[1] == "'self'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]


def assert_private(response):
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= cache_control, response["Cache-Control"]
    assert "public" not in cache_control


# --- the policy ------------------------------------------------------------------------
def form_actions(response):
    return next(d for d in directives(response) if d.startswith("form-action")).split()[1:]


def test_only_the_pages_with_the_upload_form_may_post_elsewhere(owner, session, settings):
    """The session page (no transcript yet) and the upload page allow exactly the origin
    their signed form posts to; every other page allows only this site."""
    session_page = f"/campaigns/{session.campaign_id}/sessions/{session.session_id}/"
    for page in (session_page, f"{session_page}transcript/upload/"):
        response = owner.get(page)
        action = re.search(r'<form[^>]+action="([^"]+)"[^>]*enctype="multipart/form-data"', response.content.decode())
        scheme, _, host = action.group(1).split("/")[:3]
        assert form_actions(response) == ["'self'", f"{scheme}//{host}"], page
    assert form_actions(owner.get("/campaigns/")) == ["'self'"]
    assert form_actions(owner.get("/")) == ["'self'"]


def test_the_upload_origin_follows_the_endpoint_set_after_start_up(served_aws, db, settings):
    """runlocal --noreload (and the browser tests) point the clients at a moto server after
    settings load: the page's policy follows its form, not the settings at start-up."""
    from accounts import cognito, services
    from campaigns.repository import create_campaign
    from campaigns_site.provision import provision
    from sessions.core.repository import create_session
    from tests.web_clients import signed_in_client

    report = provision()  # finds what the fixture made
    settings.COGNITO_USER_POOL_ID = report.user_pool_id
    settings.COGNITO_APP_CLIENT_ID = report.app_client_id
    settings.COGNITO_APP_CLIENT_SECRET = report.app_client_secret

    def make_user(email, *, display_name):
        sub = services.sign_up(email=email, password=PASSWORD, display_name=display_name)
        cognito.confirm_sign_up(email=email, code="123456")  # moto accepts any code
        return sub

    client = signed_in_client(make_user, "ada@example.com", "Ada")
    campaign = create_campaign(sub=client.sub, name="Strahd")
    session = create_session(sub=client.sub, campaign_id=campaign.campaign_id, title="Death House")
    response = client.get(f"/campaigns/{campaign.campaign_id}/sessions/{session.session_id}/")
    assert f'action="{served_aws.endpoint_url}/' in response.content.decode()
    assert form_actions(response) == ["'self'", served_aws.endpoint_url]


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://s3.amazonaws.com/bucket", "https://s3.amazonaws.com"),
        ("https://s3.eu-west-1.amazonaws.com/bucket", "https://s3.eu-west-1.amazonaws.com"),
        ("http://localhost:5000/some/path", "http://localhost:5000"),
    ],
)
def test_an_origin_is_the_scheme_and_host_of_the_form_url(url, origin):
    assert origin_of(url) == origin


# --- the headers on every kind of page ---------------------------------------------------
def test_anonymous_pages_have_the_policy(anonymous):
    for page in ("/", "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"):
        response = anonymous.get(page)
        assert response.status_code == 200, page
        assert_csp(response)
        assert_private(response)  # a CSRF token in the page: never in a shared cache


def test_signed_in_pages_are_private_and_have_the_policy(owner, campaign, session):
    store_transcript(
        sub=owner.sub,
        campaign_id=session.campaign_id,
        session_id=session.session_id,
        data=sample_bytes("vtt", hours=0.1),
        filename="game.vtt",
    )
    base = f"/campaigns/{campaign.campaign_id}/sessions/{session.session_id}/"
    for page in (
        "/",
        "/campaigns/",
        f"/campaigns/{campaign.campaign_id}/",
        base,
        f"{base}transcript/",
        "/search/?q=dragon",
        "/accounts/profile/",
    ):
        response = owner.get(page)
        assert response.status_code == 200, page
        assert_csp(response)
        assert_private(response)


def test_the_upload_page_allows_posting_to_the_bucket(owner, session):
    response = owner.get(f"/campaigns/{session.campaign_id}/sessions/{session.session_id}/transcript/upload/")
    assert response.status_code == 200
    target = re.search(r'<form class="upload-form" action="([^"]+)"', response.content.decode()).group(1)
    origin = "/".join(target.split("/")[:3])
    assert any(origin in d.split() for d in directives(response) if d.startswith("form-action"))
    assert_private(response)


def test_share_pages_have_the_policy_and_their_own_headers(owner, session):
    token = create_share_link(
        sub=owner.sub, campaign_id=session.campaign_id, session_id=session.session_id, scope="recap"
    ).token
    for response in (Client().get(f"/share/{token}/"), Client().get("/share/not-a-token/")):
        assert response.status_code in (200, 404)
        assert_csp(response)
        assert response["Cache-Control"] == "private, no-store"
        assert response["Referrer-Policy"] == "no-referrer"


def test_the_staff_page(make_user):
    from tests.web_clients import signed_in

    make_user("ada@example.com", staff=True)
    response = signed_in("ada@example.com").get("/staff/")
    assert response.status_code == 200
    assert_csp(response)
    assert_private(response)


@pytest.mark.urls("tests.test_error_pages")  # with pages that refuse and break
def test_error_pages_have_the_policy(owner, anonymous):
    for client in (owner, anonymous):
        for page, status in (("/no/such/page/", 404), ("/forbidden/", 403)):
            response = client.get(page)
            assert response.status_code == status
            assert_csp(response)
            assert_private(response)
    response = Client(raise_request_exception=False).get("/broken/")
    assert response.status_code == 500
    assert_csp(response)
    assert '<link rel="stylesheet" href="/static/css/site.css">' in response.content.decode()


def test_the_429_page_has_the_policy(make_user, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "1/m/ip"}
    client = Client()
    client.post("/accounts/login/", {"login": "x@example.com", "password": "y"})
    response = client.post("/accounts/login/", {"login": "x@example.com", "password": "y"})
    assert response.status_code == 429
    assert_csp(response)


def test_static_files_stay_cacheable(client):
    response = client.get("/static/css/site.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert "private" not in response.get("Cache-Control", "")


# --- no inline code in any template --------------------------------------------------------
INLINE = [
    ("a <script> with a body", re.compile(r"<script\b[^>]*>\s*[^<\s]", re.I)),
    ("a <script> without src", re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I)),
    ("an inline event handler", re.compile(r"\son\w+\s*=", re.I)),
    ("a style attribute", re.compile(r"\sstyle\s*=", re.I)),
    ("a <style> block", re.compile(r"<style\b", re.I)),
    ("a javascript: URL", re.compile(r"javascript:", re.I)),
]


def template_files():
    return sorted(TEMPLATES.rglob("*.html"))


def test_the_scan_finds_what_it_looks_for():
    for sample in (
        "<script>alert(1)</script>",
        '<a onclick="x()">',
        '<p style="color:red">',
        "<style>p{}</style>",
        '<a href="javascript:x()">',
    ):
        assert any(pattern.search(sample) for _, pattern in INLINE), sample
    assert not any(pattern.search('<script src="/static/js/site.js" defer></script>') for _, pattern in INLINE)


@pytest.mark.parametrize("template", template_files(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_templates_have_no_inline_script_or_style(template):
    text = template.read_text()
    for what, pattern in INLINE:
        assert not pattern.search(text), f"{template.relative_to(TEMPLATES)} has {what}"


# allauth's own templates behind pages we serve (account/, socialaccount/ for the hosted UI,
# and the elements they include). Its email and phone management pages, which have inline
# scripts, answer 404 here (accounts/urls.py) and are left out.
ALLAUTH_TEMPLATES = Path(__import__("allauth").__file__).parent / "templates"
UNREACHABLE = {"account/email.html", "account/email_change.html", "account/phone_change.html"}


def allauth_templates():
    return sorted(
        path
        for folder in ("account", "socialaccount", "allauth")
        for path in (ALLAUTH_TEMPLATES / folder).rglob("*.html")
        if str(path.relative_to(ALLAUTH_TEMPLATES)) not in UNREACHABLE
    )


def test_the_unreachable_allauth_pages_are_404(anonymous):
    for page in ("/accounts/email/", "/accounts/phone/change/"):
        assert anonymous.get(page).status_code == 404, page


@pytest.mark.parametrize("template", allauth_templates(), ids=lambda p: str(p.relative_to(ALLAUTH_TEMPLATES)))
def test_allauth_templates_we_may_render_have_no_inline_script_or_style(template):
    text = template.read_text()
    for what, pattern in INLINE:
        assert not pattern.search(text), f"allauth's {template.relative_to(ALLAUTH_TEMPLATES)} has {what}"
