"""Content-Security-Policy on every kind of page, `Cache-Control: private, no-store` on
every page that read the web session or carries a CSRF token, cacheable static files, and
no inline script or style in any template (the policy would block it)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from campaigns_site.csp import content_security_policy, s3_upload_origins
from sessions import transcripts
from sessions.share_links import create_share_link
from sessions.transcripts import store_transcript
from tests.transcript_samples import sample_bytes

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
def test_form_action_allows_the_origin_the_upload_form_posts_to(owner, session, settings):
    form = transcripts.upload_form(sub=owner.sub, session_id=session.session_id, redirect_url="http://testserver/x/")
    scheme, _, host = form.url.split("/")[:3]
    origin = f"{scheme}//{host}"
    policy = content_security_policy(endpoint_url=settings.AWS_ENDPOINT_URL, region=settings.AWS_REGION)
    assert origin in policy["form-action"]  # production: the bucket's S3 endpoint, no override
    assert any(origin in d for d in directives(owner.get("/")) if d.startswith("form-action"))


@pytest.mark.parametrize(
    ("endpoint_url", "region", "origins"),
    [
        ("http://127.0.0.1:8001", "us-east-1", ["http://127.0.0.1:8001"]),
        ("http://localhost:5000/some/path", "eu-west-1", ["http://localhost:5000"]),
        (None, "eu-west-1", ["https://s3.eu-west-1.amazonaws.com"]),
        (None, "us-east-1", ["https://s3.us-east-1.amazonaws.com", "https://s3.amazonaws.com"]),
    ],
)
def test_upload_origin_is_derived_from_the_settings(endpoint_url, region, origins):
    assert s3_upload_origins(endpoint_url=endpoint_url, region=region) == origins


def test_a_local_endpoint_is_allowed_as_the_presigned_post_goes_there(settings, owner, session):
    from campaigns_site import aws

    settings.AWS_ENDPOINT_URL = "http://127.0.0.1:4599"
    aws.reset()
    try:
        form = transcripts.upload_form(sub=owner.sub, session_id=session.session_id, redirect_url="http://t/x/")
    finally:
        settings.AWS_ENDPOINT_URL = None
        aws.reset()
    assert form.url.startswith("http://127.0.0.1:4599/")
    policy = content_security_policy(endpoint_url="http://127.0.0.1:4599", region="us-east-1")
    assert "http://127.0.0.1:4599" in policy["form-action"]


# --- the headers on every kind of page ---------------------------------------------------
def test_anonymous_pages_have_the_policy(anonymous):
    for page in ("/", "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"):
        response = anonymous.get(page)
        assert response.status_code == 200, page
        assert_csp(response)
        assert_private(response)  # a CSRF token in the page: never in a shared cache


def test_signed_in_pages_are_private_and_have_the_policy(owner, campaign, session):
    store_transcript(
        sub=owner.sub, campaign_id=session.campaign_id, session_id=session.session_id,
        data=sample_bytes("vtt", hours=0.1), filename="game.vtt",
    )
    base = f"/campaigns/{campaign.campaign_id}/sessions/{session.session_id}/"
    for page in ("/", "/campaigns/", f"/campaigns/{campaign.campaign_id}/", base, f"{base}transcript/",
                 "/search/?q=dragon", "/accounts/profile/"):
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
    from tests.test_profile_view import signed_in

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
    for sample in ('<script>alert(1)</script>', '<a onclick="x()">', '<p style="color:red">', "<style>p{}</style>",
                   '<a href="javascript:x()">'):
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
        path for folder in ("account", "socialaccount", "allauth") for path in (ALLAUTH_TEMPLATES / folder).rglob("*.html")
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
