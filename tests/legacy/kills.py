"""A process killed at its nth AWS request, for the tests that prove a run killed mid-way
and run again loses and repeats nothing (import_v1, sync_v1):

    with pytest.raises(Killed), record_aws_calls(KillFrom(n)):
        run()
"""


class Killed(BaseException):
    """Like a SIGKILL: not an Exception, so no handler of the code under test catches it."""


class KillFrom:
    """Every AWS request from the nth on fails: the process is gone, nothing more is sent,
    not even the clean-up of a failed upload."""

    def __init__(self, nth):
        self.left = nth

    def add(self, service, operation, params, **kwargs):
        self.left -= 1
        if self.left <= 0:
            raise Killed(f"{service}.{operation}")
