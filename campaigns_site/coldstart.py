"""The cyclic garbage collector during a cold start (issue 17, docs/decisions.md).

A cold start allocates a few hundred thousand objects that live as long as the process:
modules, classes, botocore's service models, Django's URL patterns and templates. With
the default thresholds the collector runs ~70 times while they are made, scanning what
survived so far each time: 60-110 ms of CPU of a first signed-in page (measured with
gc.callbacks in the Lambda package), for almost no garbage. So until the first response
is sent the collector runs only on a much larger count of new objects, and then
everything alive is frozen (gc.freeze: moved to a generation no collection scans again)
and the usual thresholds come back: later requests collect their own garbage as before.
"""

import gc

from django.core.signals import request_finished

# New container objects between young collections until the first response (the
# default is 2,000): a cold start of the session page makes ~150,000, so it meets one or two.
COLD_START_THRESHOLD = 100_000

_usual_thresholds = None


def collect_less_until_first_response():
    """Called once, before Django is set up: freeze what is loaded so far (the handler's
    own imports) and raise the young generation's threshold until the first request ends."""
    global _usual_thresholds
    if _usual_thresholds is not None:
        return
    _usual_thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(COLD_START_THRESHOLD, *_usual_thresholds[1:])
    request_finished.connect(_first_response_sent, dispatch_uid="coldstart-gc")


def _first_response_sent(**kwargs):
    global _usual_thresholds
    request_finished.disconnect(dispatch_uid="coldstart-gc")
    if _usual_thresholds is None:
        return
    gc.freeze()  # the app as loaded (and the first request's leftovers, a few KB): never scanned again
    gc.set_threshold(*_usual_thresholds)
    _usual_thresholds = None
