"""The cyclic garbage collector during a cold start (issue 17, docs/decisions.md).

A cold start makes ~150,000 objects that live as long as the process: modules, classes,
botocore's service models, Django's URL patterns and templates. With the default
thresholds the collector runs ~70 times while they are made, for almost no garbage;
14-23 of those runs come after Zappa's handler has loaded, inside the app's own start and
first request (11-26 ms of CPU of a first page at load 2.5, 20-65 ms of wall time at
load 5, measured with gc.callbacks in the Lambda package). So until the first response
is sent the collector runs only on a much larger count of new objects, and then
everything alive is frozen (gc.freeze: moved to a generation no collection scans again)
and the usual thresholds come back: later requests collect their own garbage as before.
"""

import gc

from django.core.signals import request_finished

# New container objects between young collections until the first response (the
# default is 2,000): the app's start and a first signed-in page make some 40,000 after the
# handler's import, so they meet one collection at most.
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
