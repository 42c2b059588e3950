import logging

from django.conf import settings

from campaigns_site.aws import record_aws_calls

log = logging.getLogger("campaigns_site.aws_calls")


class AwsCallLogMiddleware:
    """In DEBUG, log how many AWS requests each page made, and name them.

    A cheap, always-visible check that a page does not drift into many round trips.
    Off in production, where it would only add noise.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.enabled = settings.DEBUG

    def __call__(self, request):
        if not self.enabled:
            return self.get_response(request)
        with record_aws_calls() as calls:
            response = self.get_response(request)
        if len(calls):
            log.info("%s %s: %d AWS calls (%s)", request.method, request.path, len(calls), ", ".join(calls.operations()))
        response["X-AWS-Calls"] = str(len(calls))
        return response
