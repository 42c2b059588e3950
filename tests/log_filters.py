"""CloudWatch Logs' filter patterns of quoted terms, as CloudWatch reads them (moto does not
apply them): a line matches when it holds every "term" (case matters) and none of the
-"terms". Enough for the failed-jobs filter (campaigns_site/alarms.py) and its tests."""

import re

from campaigns_site.alarms import FAILED_JOBS_PATTERN


def matches(pattern, line):
    terms = re.findall(r'(-?)"([^"]+)"', pattern)
    assert terms, f"not a pattern of quoted terms: {pattern!r}"
    return all((term in line) != bool(excluded) for excluded, term in terms)


def failed_jobs_filter_matches(line):
    return matches(FAILED_JOBS_PATTERN, line)
