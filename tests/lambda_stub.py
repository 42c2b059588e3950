"""The app's Lambda client answering through botocore's Stubber, as on Lambda: the runner
is "lambda" and the function's name is set (tests of where background jobs run)."""

import copy
from contextlib import contextmanager

from botocore.stub import Stubber

from campaigns_site import aws as aws_module

FUNCTION = "campaign-sessions-production"


@contextmanager
def stubbed_lambda(settings, monkeypatch):
    """Yields the Stubber; its `sent` holds each Invoke's parameters."""
    settings.SUMMARY_JOB_RUNNER = "lambda"
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", FUNCTION)
    client = aws_module.client("lambda")
    sent = []

    def record(params, **_):
        sent.append(copy.deepcopy(params))

    client.meta.events.register("before-parameter-build.lambda.Invoke", record)
    try:
        with Stubber(client) as stubber:
            stubber.sent = sent
            yield stubber
    finally:
        client.meta.events.unregister("before-parameter-build.lambda.Invoke", record)
