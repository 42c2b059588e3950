"""CloudWatch Logs' filter patterns of quoted terms, as CloudWatch reads them (moto does not
apply them): a line matches when it holds every "term" (case matters) and none of the
-"terms". Enough for the job filters (campaigns_site/job_metrics.py) and their tests."""

import re

from campaigns_site.job_metrics import ENDED_JOBS_PATTERN, FAILED_JOBS_PATTERN


def matches(pattern, line):
    terms = re.findall(r'(-?)"([^"]+)"', pattern)
    assert terms, f"not a pattern of quoted terms: {pattern!r}"
    return all((term in line) != bool(excluded) for excluded, term in terms)


def failed_jobs_filter_matches(line):
    return matches(FAILED_JOBS_PATTERN, line)


def ended_jobs_filter_matches(line):
    return matches(ENDED_JOBS_PATTERN, line)
