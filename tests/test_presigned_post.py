"""The upload form's presigned POST is signed without an S3 client (campaigns_site.aws,
issue 17: making the client cost the first session page of a container its S3 service
model and endpoint rules), and is what the S3 client's generate_presigned_post gives,
field for field, signature included."""

import time_machine
from pytest import mark

from campaigns_site import aws

FIELDS = {"Content-Type": "text/plain", "success_action_redirect": "https://sessions.example.com/done/"}
CONDITIONS = [
    {"Content-Type": "text/plain"},
    {"success_action_redirect": "https://sessions.example.com/done/"},
    ["content-length-range", 1, 10_000_000],
    ["starts-with", "$x-amz-meta-filename", ""],
]


def the_clients_post(settings, **arguments):
    """generate_presigned_post of an S3 client made as aws.client makes them, in a boto3
    session of its own: the shared one may hold an earlier test's credentials (moto's)."""
    import boto3

    s3 = boto3.session.Session(region_name=settings.AWS_REGION).client(
        "s3", endpoint_url=settings.AWS_ENDPOINT_URL, config=aws.client_config("s3")
    )
    return s3.generate_presigned_post(**arguments)


@mark.parametrize(
    ("region", "endpoint", "url"),
    [
        ("us-east-1", None, "https://s3.amazonaws.com/transcripts"),
        ("eu-west-1", None, "https://s3.eu-west-1.amazonaws.com/transcripts"),
        ("us-east-1", "http://127.0.0.1:5123", "http://127.0.0.1:5123/transcripts"),
    ],
)
@mark.parametrize("key", ["originals/sub/session/upload", "uploads/${filename}"])
def test_the_post_is_the_s3_clients_own(settings, region, endpoint, url, key):
    settings.AWS_REGION, settings.AWS_ENDPOINT_URL = region, endpoint
    arguments = {"Bucket": "transcripts", "Key": key, "Fields": FIELDS, "Conditions": CONDITIONS, "ExpiresIn": 900}
    with time_machine.travel("2026-03-01 12:00:00Z", tick=False):
        expected = the_clients_post(settings, **arguments)
        ours = aws.presigned_post(**arguments)
    assert ours == expected
    assert ours["url"] == url
    assert ours["fields"]["x-amz-security-token"] == "testing"  # the credentials' session token is signed in


def test_no_s3_client_is_made_for_it(monkeypatch):
    made = []
    monkeypatch.setattr(aws, "_client", lambda *arguments: made.append(arguments))
    post = aws.presigned_post(Bucket="transcripts", Key="k", Fields={}, Conditions=[], ExpiresIn=60)
    assert made == []
    assert set(post["fields"]) >= {"key", "policy", "x-amz-signature", "x-amz-credential", "x-amz-date"}


def test_the_callers_fields_and_conditions_are_left_as_they_were():
    fields, conditions = dict(FIELDS), list(CONDITIONS)
    aws.presigned_post(Bucket="transcripts", Key="k", Fields=fields, Conditions=conditions, ExpiresIn=60)
    assert (fields, conditions) == (FIELDS, CONDITIONS)


def test_it_is_reported_as_the_browsers_put_object():
    class Recorder:  # what the IAM check records (tests/iam_policy.py): presigned calls too
        def __init__(self):
            self.calls = []

        def add(self, service, operation, params, *, region, presigned=False):
            self.calls.append((service, operation, params, presigned))

    recorder = Recorder()
    with aws.record_aws_calls(recorder):
        aws.presigned_post(Bucket="transcripts", Key="k", ExpiresIn=60)
    assert recorder.calls == [("s3", "PutObject", {"Bucket": "transcripts", "Key": "k"}, True)]
