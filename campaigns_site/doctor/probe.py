"""The live probe: the site answers on SITE_ORIGIN, and these credentials can write, read
and delete an item of their own in the table."""

import http.client
import json
import urllib.request
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from pynamodb.attributes import TTLAttribute

from campaigns_site.doctor import fail, ok, skip
from campaigns_site.table import TableModel
from campaigns_site.table_keys import OPS_PK

HEALTH_PATH = "/health/"
TIMEOUT_SECONDS = 5
DOCTOR_SK_PREFIX = "DOCTOR#"
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1", "testserver")


def is_local(origin):
    return urlsplit(origin).hostname in LOCAL_HOSTS


def health_check(*, origin, open_url=None):
    """GET <origin>/health/. `open_url(url, timeout)` returns a response with .status and
    .read() (urllib's urlopen by default; tests give Django's test client)."""
    open_url = open_url or urllib.request.urlopen
    url = origin.rstrip("/") + HEALTH_PATH
    fix = "Is the function deployed and is SITE_ORIGIN its address? See the function's logs (`zappa tail STAGE`)."
    try:
        with open_url(url, timeout=TIMEOUT_SECONDS) as response:
            status, body = response.status, response.read()
    except (OSError, http.client.HTTPException, ValueError) as error:  # URLError, HTTPError, timeouts, refusals
        return fail("probe health", f"GET {url}: {error}", fix)
    try:
        answer = json.loads(body)
    except ValueError:
        answer = None
    if status != 200 or answer != {"status": "ok"}:
        return fail("probe health", f"GET {url}: {status} {body[:80]!r}", fix)
    return ok("probe health", f"GET {url}: 200")


class DoctorProbe(TableModel, discriminator="DoctorProbe"):
    """PK `OPS`, SK `DOCTOR#<random>`: written, read and deleted by one doctor run."""

    expires = TTLAttribute(attr_name="ttl")


def own_item_check():
    """Write, read back (consistently) and delete an item in partition OPS. The item
    carries a TTL of an hour, so one left by a killed run goes by itself."""
    sk = f"{DOCTOR_SK_PREFIX}{uuid.uuid4().hex}"
    expires = (timezone.now() + timedelta(hours=1)).replace(microsecond=0)
    DoctorProbe(OPS_PK, sk, expires=expires).save()
    try:
        read = DoctorProbe.get(OPS_PK, sk, consistent_read=True)
    except DoctorProbe.DoesNotExist:
        read = None
    DoctorProbe(OPS_PK, sk).delete()
    if read is None or read.expires != expires:
        return fail("probe own item", f"wrote {sk} but read back {read}", "Check the table and the credentials.")
    return ok("probe own item", f"wrote, read and deleted {OPS_PK}/{DOCTOR_SK_PREFIX}... in {settings.DYNAMODB_TABLE}")


def probe_checks(*, probe, origin, open_url=None):
    """probe: True (always), False (never), None (the health check only when SITE_ORIGIN
    is not this machine's: a local run may not be serving)."""
    if probe is False:
        yield skip("probe", "--no-probe")
        return
    if probe is None and is_local(origin):
        yield skip("probe health", f"SITE_ORIGIN {origin} is local; pass --probe to probe it")
    else:
        yield health_check(origin=origin, open_url=open_url)
    yield own_item_check()
