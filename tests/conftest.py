import os

# Tests never reach real AWS: fake credentials, a fixed region and no endpoint override
# are set before Django's settings or any AWS client is loaded.
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SECURITY_TOKEN": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "APP_ENV": "local",
    }
)
os.environ.pop("AWS_ENDPOINT_URL", None)
os.environ.pop("AWS_PROFILE", None)

import pytest  # noqa: E402
from moto import mock_aws  # noqa: E402

from campaigns_site import aws as aws_module  # noqa: E402
from campaigns_site.aws import record_aws_calls  # noqa: E402
from campaigns_site.provision import provision  # noqa: E402
from devtools.moto_fixes import fix_moto  # noqa: E402

# moto copies a table once per action of a transaction, and lists the whole table for a
# partition's Query (the module says why); every test's moto, in-process or served, doesn't.
fix_moto()


@pytest.fixture
def aws(settings):
    """In-process moto with the table, bucket and user pool provisioned as in production."""
    with mock_aws():
        # Clients made under an earlier test's mock_aws still work (moto intercepts below
        # them), so they are rebuilt only when a test changed region, endpoint or table.
        aws_module.refresh()
        report = provision()
        settings.COGNITO_USER_POOL_ID = report.user_pool_id
        settings.COGNITO_APP_CLIENT_ID = report.app_client_id
        settings.COGNITO_APP_CLIENT_SECRET = report.app_client_secret
        settings.SUMMARY_JOB_RUNNER = "inline"  # summary jobs run in the request (settings load before this file)
        yield report


@pytest.fixture
def served_aws(tmp_path, settings, monkeypatch):
    """The local run's moto server (devtools.localaws), for tests with threads.

    moto's in-process mock is not thread-safe: its TransactWriteItems copies the whole
    table and restores the copy on a failure, and two threads in it at once fail with
    "dictionary changed size during iteration". LocalAws serves one request at a time,
    which is what DynamoDB guarantees per item: every write applies whole. The threads of
    a test still run concurrently, with their reads and writes interleaved.
    """
    from devtools.localaws import MOTO_SETTINGS, LocalAws

    for name, value in MOTO_SETTINGS.items():
        monkeypatch.setenv(name, value)
    mock_aws().reset()
    server = LocalAws(state_path=tmp_path / "aws-state.pickle", port=0)
    server.start()
    settings.AWS_ENDPOINT_URL = server.endpoint_url
    aws_module.reset()
    provision()
    yield server
    server.stop()
    mock_aws().reset()
    aws_module.reset()


@pytest.fixture
def aws_calls():
    """Records the AWS operations made inside `with aws_calls() as calls:` blocks."""
    return record_aws_calls


@pytest.fixture(autouse=True)
def _no_local_run(tmp_path_factory, monkeypatch):
    """Commands under test never find a `make run` of this checkout that happens to be running
    (campaigns_site/operations.py): they use the test's AWS."""
    from campaigns_site import operations

    nowhere = tmp_path_factory.getbasetemp() / "no-local-run.json"
    monkeypatch.setattr(operations, "local_aws_file", lambda: nowhere)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """allauth counts attempts in Django's (per-process) cache: each test starts at zero."""
    from django.core.cache import cache

    cache.clear()


PASSWORD = "correct horse 42"


@pytest.fixture
def make_user(aws, db):
    """make_user(email, display_name=..., staff=False): a confirmed Cognito user with a
    profile, as sign-up and confirmation leave it. Returns the sub."""
    from accounts import cognito, services
    from campaigns_site.provision import STAFF_GROUP

    def make(email="ada@example.com", *, display_name="Ada the Bard", password=PASSWORD, staff=False):
        sub = services.sign_up(email=email, password=password, display_name=display_name)
        cognito.confirm_sign_up(email=email, code="123456")  # moto accepts any code
        if staff:
            aws_module.client("cognito-idp").admin_add_user_to_group(
                UserPoolId=aws.user_pool_id, Username=email, GroupName=STAFF_GROUP
            )
        return sub

    return make


# The three visitors every page test meets: the owner, another signed-in user, and nobody.
# Signed in through the real login form, with CSRF checks on (tests/web_clients.py).
@pytest.fixture
def owner(make_user):
    from tests.web_clients import signed_in_client

    return signed_in_client(make_user, "ada@example.com", "Ada the Bard")


@pytest.fixture
def other(make_user):
    from tests.web_clients import signed_in_client

    return signed_in_client(make_user, "bob@example.com", "Bob the Rogue")


@pytest.fixture
def anonymous(aws, db):
    from tests.web_clients import anonymous_client

    return anonymous_client()


def pytest_configure(config):
    for name, what in MARKERS.items():
        config.addinivalue_line("markers", f"{name}(**fields): {what}")
    import_moto_s_pool_key_once()


def import_moto_s_pool_key_once():
    """moto (5.2) gives every user pool the same RSA key (its jwks-private.json) and imports
    it anew for each, recovering the primes from the private exponent: 0.15 s a pool, and
    nearly every test makes a pool. Here the key is imported once per process; each pool
    still gets that same key, so tokens are signed and verified as before."""
    import json

    from joserfc.jwk import RSAKey

    import_key, imported = RSAKey.import_key.__func__, {}

    def import_key_once(cls, value, *args, **kwargs):
        if args or kwargs or not isinstance(value, dict):
            return import_key(cls, value, *args, **kwargs)
        text = json.dumps(value, sort_keys=True)
        if text not in imported:
            imported[text] = import_key(cls, value)
        return imported[text]

    RSAKey.import_key = classmethod(import_key_once)


# What a test module (or a test) changes in the `campaign`, `session` and `transcribed` it is
# given: pytest's way of passing data to a fixture, so no module needs its own copy of them.
MARKERS = {
    "campaign": "the campaign fixture's owner `sub` (a made-up one: no Cognito user) and fields",
    "session": "the session fixture's fields, and its `transcript` bytes and `filename`",
    "transcript": "the transcribed fixture's `data` bytes and `filename`",
}


def marked(request, name):
    marker = request.node.get_closest_marker(name)
    return dict(marker.kwargs) if marker else {}


# --- factories: the objects a test needs, as many as it needs ----------------------------------
@pytest.fixture
def make_campaign(aws):
    """make_campaign(sub=..., name=..., description=..., game_system=...): a new campaign."""
    from campaigns.repository import create_campaign

    def make(*, sub, name="Secret Strahd", **fields):
        return create_campaign(sub=sub, name=name, **fields)

    return make


@pytest.fixture
def make_session(aws):
    """make_session(sub=..., campaign=..., title=..., transcript=bytes, filename=..., number=...,
    played_on=..., notes=...): a new session in `campaign`, with `transcript` stored if given."""
    from sessions.core.repository import create_session
    from tests.factories import store_transcript_for

    def make(*, sub, campaign, title="The Death House", transcript=None, filename="night.vtt", **fields):
        session = create_session(sub=sub, campaign_id=campaign.campaign_id, title=title, **fields)
        if transcript is None:
            return session
        return store_transcript_for(sub, session, transcript, filename)

    return make


@pytest.fixture
def make_summary(aws):
    """make_summary(sub=..., session=..., kind=..., text=..., model=...): a stored summary."""
    from django.utils import timezone

    from campaigns_site.table import summary_sk, user_pk
    from sessions.summaries.items import Summary

    def make(*, sub, session, kind, text, provider="offline", **fields):
        summary = Summary(
            user_pk(sub),
            summary_sk(session.campaign_id, session.session_id, kind),
            kind=kind,
            text=text,
            provider=provider,
            created=timezone.now(),
            **fields,
        )
        summary.save()
        return summary

    return make


# --- the campaign and session most tests work in -------------------------------------------------
# The owner's campaign and a session in it, for the pages of a session. Repository tests name a
# made-up owner instead (pytest.mark.campaign(sub=...)): they need no Cognito user nor login.
@pytest.fixture
def campaign_sub(request):
    """Whose `campaign` and `session` are: pytest.mark.campaign's `sub`, else the signed-in owner's."""
    if sub := marked(request, "campaign").get("sub"):
        return sub
    return request.getfixturevalue("owner").sub


@pytest.fixture
def campaign(request, make_campaign, campaign_sub):
    return make_campaign(**{"name": "Secret Strahd", **marked(request, "campaign"), "sub": campaign_sub})


SESSION_FIELDS = {
    "title": "The Death House",
    "number": 1,
    "played_on": "2024-05-31",
    "notes": "Hidden notes about the mimic",
}


@pytest.fixture
def session(request, make_session, campaign_sub, campaign):
    """A session in `campaign`: pytest.mark.session's fields (all of them), else SESSION_FIELDS."""
    return make_session(sub=campaign_sub, campaign=campaign, **(marked(request, "session") or SESSION_FIELDS))


@pytest.fixture
def transcribed(request, campaign_sub, session, empty_transcript_cache):
    """`session` once it has a transcript: pytest.mark.transcript's `data` (and `filename`), else
    a few minutes of a VTT file. The transcript cache starts empty, as in a fresh process."""
    from tests.factories import store_transcript_for
    from tests.transcript_samples import sample_bytes

    fields = {"data": sample_bytes("vtt", hours=0.01), "filename": "night.vtt", **marked(request, "transcript")}
    return store_transcript_for(campaign_sub, session, fields["data"], fields["filename"])


SUMMARIES = {
    "recap": "Previously: the mists closed in.\n\nThe house woke.",
    "npcs": "- Rose, a ghost child\n- Thorn, her brother",
    "loot": "- A silver key",
}


@pytest.fixture
def summarized(owner, session, make_summary):
    """`session` with a recap, an NPC list and a loot list."""
    for kind, text in SUMMARIES.items():
        make_summary(sub=owner.sub, session=session, kind=kind, text=text, model="some-model")
    return session


# --- other shared fixtures --------------------------------------------------------------------
@pytest.fixture
def empty_transcript_cache():
    """Parsed transcripts are cached per process: a module that counts reads starts (and ends) cold.
    Modules use it with pytestmark = pytest.mark.usefixtures("empty_transcript_cache")."""
    from sessions.transcripts import storage as transcripts

    transcripts.clear_cache()
    yield
    transcripts.clear_cache()


@pytest.fixture
def manual(settings):
    """Summary jobs are only queued: the test runs them (sessions.summaries.jobs.run_summary_job)."""
    settings.SUMMARY_JOB_RUNNER = "manual"


@pytest.fixture
def staff(make_user):
    """A staff member (ada@example.com); returns the sub."""
    return make_user("ada@example.com", staff=True)


@pytest.fixture
def player(make_user):
    """A signed-up user who is not staff (bo@example.com); returns the sub."""
    return make_user("bo@example.com", display_name="Bo the Brave")


@pytest.fixture
def policy_read_afresh():
    """The pool's password policy read again from Cognito (moto's pool is new in each test).
    Modules use it with pytestmark = pytest.mark.usefixtures("policy_read_afresh")."""
    from accounts import cognito

    cognito.cached_password_policy.cache_clear()


@pytest.fixture
def kvs(aws, settings, monkeypatch):
    """The edge configured: a Stubber on the KeyValueStore client (tests/kvs_stub.py), which
    must use every answer."""
    from botocore.stub import Stubber

    from tests.kvs_stub import ARN, allow_sigv4a_without_crt

    settings.CUTOVER_KVS_ARN = ARN
    allow_sigv4a_without_crt(monkeypatch)
    with Stubber(aws_module.client("cloudfront-keyvaluestore")) as stub:
        yield stub
        stub.assert_no_pending_responses()


@pytest.fixture
def call_lambda(aws, db, settings, tmp_path, monkeypatch):
    """Zappa's handler on a fresh "container": its settings module, a new app object.
    The Lambda entry's tests feed it API Gateway events, the summary tasks' a job's payload."""
    import ast
    import re
    import sys

    from zappa.handler import LambdaHandler

    from tests.zappa_package import HOST, packaged_zappa_settings

    settings.ALLOWED_HOSTS = [HOST]
    source = packaged_zappa_settings()
    (tmp_path / "zappa_settings.py").write_text(source)
    monkeypatch.syspath_prepend(str(tmp_path))
    # The handler exports these into os.environ; have them restored afterwards.
    exported = re.search(r"ENVIRONMENT_VARIABLES=(\{.*\})", source).group(1)
    for name in [*ast.literal_eval(exported), "SERVERTYPE", "FRAMEWORK", "PROJECT", "STAGE"]:
        monkeypatch.setenv(name, os.environ.get(name, ""))
    for module in ("zappa_settings", "campaigns_site.wsgi"):
        sys.modules.pop(module, None)
    monkeypatch.setattr(LambdaHandler, "_LambdaHandler__instance", None)
    LambdaHandler("zappa_settings")
    yield lambda event: LambdaHandler.lambda_handler(event, None)
    sys.modules.pop("zappa_settings", None)
