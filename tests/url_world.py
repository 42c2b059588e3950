"""One world of objects for the tests that visit every URL (tests/test_fuzz_urls.py,
tests/test_url_ids.py), built once per test module: building it per test would cost
more than the tests themselves.

Two users (the owner and another), signed in through the real login form with CSRF
checks on; the owner's campaign with a transcribed, summarized, shared session, a second
session and a story so far, a second campaign with a shared session, and the other
user's shared session. `world.coherent` lists path parameters that name real objects
together; `world.named` the objects by role; `world.forms` the fields of the POST forms
found on the pages, by the view they post to.
"""

from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.test import Client, override_settings
from django.urls import resolve
from django.urls.exceptions import Resolver404
from moto import mock_aws

from campaigns_site import aws as aws_module
from campaigns_site.provision import provision
from tests.conftest import PASSWORD
from tests.transcript_samples import sample_bytes
from tests.url_patterns import fill


@dataclass
class World:
    clients: dict = field(default_factory=dict)  # visitor -> Client (owner, other, anonymous)
    subs: dict = field(default_factory=dict)
    emails: dict = field(default_factory=dict)
    coherent: list = field(default_factory=list)  # path parameters naming real objects together
    pools: dict = field(default_factory=dict)  # parameter name -> every real value
    forms: dict = field(default_factory=dict)  # view_key(view callback) -> {field name: [values seen]}
    checks: list = field(default_factory=list)  # (sub, campaign_id, session_id) that must exist
    get_form_fields: set = field(default_factory=set)  # names of the GET forms' fields (query parameters)
    named: dict = field(default_factory=dict)  # objects by role, for tests that need one in particular


def new_client():
    return Client(enforce_csrf_checks=True, raise_request_exception=True)


def sign_in(email):
    client = new_client()
    client.get("/accounts/login/")
    response = client.post(
        "/accounts/login/",
        {"login": email, "password": PASSWORD, "csrfmiddlewaretoken": client.cookies["csrftoken"].value},
    )
    assert response.status_code == 302, "log in failed"
    client.get("/")
    return client


def _make_user(email, display_name):
    from accounts import cognito, services

    sub = services.sign_up(email=email, password=PASSWORD, display_name=display_name)
    cognito.confirm_sign_up(email=email, code="123456")  # moto accepts any code
    return sub


def _build_objects(world):
    """The owner's two campaigns (one with a transcribed, summarized and shared session and
    a story so far) and the other user's campaign with a shared session."""
    from campaigns.repository import create_campaign
    from sessions.core.repository import create_session
    from sessions.sharing import repository as share_links
    from sessions.summaries import jobs as summary_jobs
    from tests.transcript_uploads import store_transcript

    def link(sub, campaign_id, session_id):
        made = share_links.create_share_link(sub=sub, campaign_id=campaign_id, session_id=session_id, scope="recap")
        return made.pointer.token_hash

    def session_with_everything(sub, name):
        campaign = create_campaign(sub=sub, name=name)
        session = create_session(
            sub=sub,
            campaign_id=campaign.campaign_id,
            title="The Death House",
            number=1,
            played_on="2024-05-31",
            notes="Hidden notes",
        )
        store_transcript(
            sub=sub,
            campaign_id=campaign.campaign_id,
            session_id=session.session_id,
            data=sample_bytes("vtt", hours=0.01),
            filename="night.vtt",
        )
        summary_jobs.start_summary_job(
            sub=sub, campaign_id=campaign.campaign_id, session_id=session.session_id, kinds=["recap", "npcs"]
        )
        made = share_links.create_share_link(
            sub=sub, campaign_id=campaign.campaign_id, session_id=session.session_id, scope="transcript"
        )
        world.checks.append((sub, campaign.campaign_id, session.session_id))
        return {
            "campaign_id": campaign.campaign_id,
            "session_id": session.session_id,
            "token_hash": made.pointer.token_hash,
            "token": made.token,
            "kind": "recap",
        }

    owner, other = world.subs["owner"], world.subs["other"]
    world.checks.clear()
    shared = session_with_everything(owner, "Secret Strahd")
    summary_jobs.start_story_job(sub=owner, campaign_id=shared["campaign_id"])
    bare = create_session(sub=owner, campaign_id=shared["campaign_id"], title="No transcript yet")
    second = create_campaign(sub=owner, name="Tomb of Annihilation")
    elsewhere = create_session(sub=owner, campaign_id=second.campaign_id, title="Elsewhere")
    world.checks.append((owner, second.campaign_id, elsewhere.session_id))
    world.named = {
        "shared": shared,
        "second_campaign_id": second.campaign_id,
        "elsewhere_session_id": elsewhere.session_id,
        "sibling_link": link(owner, shared["campaign_id"], bare.session_id),
        "elsewhere_link": link(owner, second.campaign_id, elsewhere.session_id),
    }
    others = session_with_everything(other, "Bob's table")
    world.coherent[:] = [
        shared,
        {**shared, "session_id": bare.session_id, "kind": "npcs"},
        {"campaign_id": second.campaign_id, "session_id": elsewhere.session_id},
        others,
    ]
    world.pools.clear()
    for params in world.coherent:
        for name, value in params.items():
            world.pools.setdefault(name, set()).add(value)
    world.pools = {name: sorted(values) for name, values in world.pools.items()}


def _objects_intact(world):
    from campaigns.repository import get_campaign
    from sessions.core.repository import get_session

    for sub, campaign_id, session_id in world.checks:
        campaign = get_campaign(sub=sub, campaign_id=campaign_id)
        if campaign is None or campaign.archived or getattr(campaign, "deleting_since", None):
            return False
        if get_session(sub=sub, campaign_id=campaign_id, session_id=session_id) is None:
            return False
    return True


class _Forms(HTMLParser):
    """The POST forms of a page: action and field names, with the values seen (an input's
    value, a select's options, a checkbox's or radio's value)."""

    def __init__(self):
        super().__init__()
        self.forms, self._select, self._textarea = [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append((attrs.get("action") or "", (attrs.get("method") or "get").lower(), {}))
        elif not self.forms:
            return
        elif tag == "input" and attrs.get("name"):
            self.forms[-1][2].setdefault(attrs["name"], []).append(attrs.get("value") or "")
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = attrs["name"]
            self.forms[-1][2].setdefault(self._textarea, []).append("")
        elif tag == "select" and attrs.get("name"):
            self._select = attrs["name"]
            self.forms[-1][2].setdefault(self._select, [])
        elif tag == "option" and self._select:
            self.forms[-1][2][self._select].append(attrs.get("value") or "")

    def handle_data(self, data):
        if self._textarea:
            self.forms[-1][2][self._textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def view_key(callback):
    """A view's name, the same after a test reloads the URLconf (tests/test_hosted_ui_login.py):
    a reload makes new lazy_view wrappers, so the callbacks themselves differ."""
    return getattr(callback, "lazy_view_path", None) or f"{callback.__module__}.{callback.__qualname__}"


def _collect_forms(world, client, path):
    response = client.get(path)
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return
    parser = _Forms()
    parser.feed(response.content.decode())
    for action, method, fields in parser.forms:
        target = urlsplit(action).path or path
        try:
            match = resolve(target)
        except Resolver404:
            continue
        known = world.forms.setdefault(view_key(match.func), {})
        for name, values in fields.items():
            if name != "csrfmiddlewaretoken":
                known.setdefault(name, set()).update(values)
        if method == "get":  # a GET form's fields are query parameters of its page
            world.get_form_fields.update(fields)


@contextmanager
def module_world(django_db_blocker, *, routes):
    """The world, built once inside one mock_aws: the users (signed in), the objects, and
    the forms of every page of `routes` that renders for the owner or for nobody."""
    world = World()
    with mock_aws(), django_db_blocker.unblock():
        aws_module.refresh()
        report = provision()
        overrides = override_settings(
            COGNITO_USER_POOL_ID=report.user_pool_id,
            COGNITO_APP_CLIENT_ID=report.app_client_id,
            COGNITO_APP_CLIENT_SECRET=report.app_client_secret,
            SUMMARY_JOB_RUNNER="inline",
        )
        overrides.enable()
        try:
            for visitor, email, name in (("owner", "ada@example.com", "Ada"), ("other", "bob@example.com", "Bob")):
                world.emails[visitor] = email
                world.subs[visitor] = _make_user(email, name)
                world.clients[visitor] = sign_in(email)
            world.clients["anonymous"] = new_client()
            world.clients["anonymous"].get("/accounts/login/")  # the CSRF cookie
            _build_objects(world)
            for route in routes:
                path = fill(route, world.coherent[0])
                if path is not None:
                    for visitor in ("owner", "anonymous"):
                        _collect_forms(world, world.clients[visitor], path)
            world.forms = {
                func: {name: sorted(values) for name, values in fields.items()} for func, fields in world.forms.items()
            }
            yield world
        finally:
            overrides.disable()
            from accounts.models import User

            User.objects.all().delete()  # the ORM cache rows made outside any test's transaction


def refresh(world):
    """Sign the users in again if a request signed them out, and rebuild the objects if a
    request deleted, moved or archived them (a fuzzed POST can do all of these)."""
    from django.core.cache import cache

    for visitor in ("owner", "other"):
        cache.clear()  # the login rate limit
        if world.clients[visitor].get("/accounts/profile/").status_code != 200:
            world.clients[visitor] = sign_in(world.emails[visitor])
    if not _objects_intact(world):
        _build_objects(world)
