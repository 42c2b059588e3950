"""Every area's checks, in order (the areas: campaigns_site/doctor/*.py)."""

from django.conf import settings

from campaigns_site.doctor import guarded
from campaigns_site.doctor.bucket import bucket_checks
from campaigns_site.doctor.function import function_checks
from campaigns_site.doctor.pool import pool_checks
from campaigns_site.doctor.probe import probe_checks
from campaigns_site.doctor.settings_checks import settings_checks
from campaigns_site.doctor.table import table_checks


def run_checks(*, function_name=None, stage="production", stage_config=None, probe=None, open_url=None):
    """All the results. function_name: the Lambda function to check (None: skipped), against
    stage_config (zappa_settings.json's `stage`); probe: see probe_checks."""
    results = []
    results += guarded("table", table_checks)
    results += guarded("bucket", bucket_checks)
    results += guarded("user pool", pool_checks)
    results += guarded("lambda", function_checks, name=function_name, stage=stage, stage_config=stage_config or {})
    results += settings_checks()
    results += guarded("probe", probe_checks, probe=probe, origin=settings.SITE_ORIGIN, open_url=open_url)
    return results
