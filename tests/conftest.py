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
    """The local run's moto server (campaigns_site.localaws), for tests with threads.

    moto's in-process mock is not thread-safe: its TransactWriteItems copies the whole
    table and restores the copy on a failure, and two threads in it at once fail with
    "dictionary changed size during iteration". LocalAws serves one request at a time,
    which is what DynamoDB guarantees per item: every write applies whole. The threads of
    a test still run concurrently, with their reads and writes interleaved.
    """
    from campaigns_site.localaws import MOTO_SETTINGS, LocalAws

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


# The owner's campaign and a session in it, for the pages of a session (the test files of
# campaign pages and the speaker names page make their own).
@pytest.fixture
def campaign(owner):
    from campaigns.repository import create_campaign

    return create_campaign(sub=owner.sub, name="Secret Strahd")


@pytest.fixture
def session(owner, campaign):
    from sessions.core.repository import create_session

    return create_session(
        sub=owner.sub,
        campaign_id=campaign.campaign_id,
        title="The Death House",
        number=1,
        played_on="2024-05-31",
        notes="Hidden notes about the mimic",
    )


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
