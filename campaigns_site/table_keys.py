"""Key helpers for the single table (see docs/data-model.md).

Repositories build keys only through these, from the owner's Cognito `sub`: no code path
accepts a raw partition key from outside. This module imports nothing heavy, so code that
only needs keys does not load PynamoDB.
"""

from datetime import UTC

from ulid import ULID


class InvalidKeyPart(ValueError):
    """A key part is empty or would break out of its key (contains '#')."""


def _part(name, value):
    value = str(value)
    if not value or "#" in value or len(value) > 200:
        raise InvalidKeyPart(f"invalid {name} for a key: {value!r}")
    return value


def new_id():
    """A new ULID: unique, and sorting by it sorts by creation time."""
    return str(ULID())


USER_PREFIX = "USER#"


def user_pk(sub):
    return f"{USER_PREFIX}{_part('sub', sub)}"


def sub_of_user_pk(pk):
    """The owner's `sub` back from a `USER#<sub>` partition key (an item read from the table)."""
    return pk.removeprefix(USER_PREFIX)


PROFILE_SK = "PROFILE"
# A v1.0 user's old password (accounts/legacy_passwords.py): one item, written by the
# importer, gone once the password is set in Cognito.
LEGACY_PASSWORD_SK = "LEGACYPASSWORD"


CAMPAIGN_PREFIX = "CAMPAIGN#"  # every campaign of a user


def campaign_sk(campaign_id):
    return f"CAMPAIGN#{_part('campaign id', campaign_id)}"


SESSION_PREFIX = "SESSION#"  # every session of a user, in every campaign


def session_sk(campaign_id, session_id):
    return f"SESSION#{_part('campaign id', campaign_id)}#{_part('session id', session_id)}"


def sessions_of_campaign_prefix(campaign_id):
    return f"SESSION#{_part('campaign id', campaign_id)}#"


# --- the second sort order (LSI1SK) ------------------------------------------------------
SORTABLE_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"  # in UTC


def sortable_time(moment):
    """Fixed width, so that string order is time order: 2024-05-31T18:04:05.000123Z."""
    return moment.astimezone(UTC).strftime(SORTABLE_TIME_FORMAT)


def campaign_order_prefix(state):
    return f"CAMPAIGN#{_part('campaign state', state)}#"


def campaign_order_key(*, state, moment, campaign_id):
    """LSI1SK `CAMPAIGN#<state>#<UTC time, fixed width>#<campaign_id>`: sorts by time within a state."""
    return f"{campaign_order_prefix(state)}{sortable_time(moment)}#{_part('campaign id', campaign_id)}"


NO_DATE = "0000-00-00"  # below every real date: sessions without one sort as the oldest
NO_NUMBER = "-"  # below every digit: unnumbered sessions sort below numbered ones of the same day
NUMBER_DIGITS = 10


def _day_and_number(played_on, number):
    """`<played_on or 0000-00-00>#<number, 10 digits, or ->`: newest last in string order."""
    numbered = NO_NUMBER if number is None else f"{int(number):0{NUMBER_DIGITS}d}"
    return f"{played_on or NO_DATE}#{numbered}"


def play_order_prefix(campaign_id):
    """A campaign's sessions on LSI1 (the same text as their SK prefix)."""
    return sessions_of_campaign_prefix(campaign_id)


def play_order_key(*, campaign_id, played_on, number, session_id):
    """LSI1SK `SESSION#<cid>#<played_on or 0000-00-00>#<number, 10 digits, or ->#<sid>`.

    Read backwards (newest first) this is play order: latest date first, then the highest
    number, then the latest created (ULID); a missing date or number sorts as the oldest.
    """
    return f"{play_order_prefix(campaign_id)}{_day_and_number(played_on, number)}#{_part('session id', session_id)}"


# The search item of a session (sessions/core/search_index.py): its SK names neither the
# campaign nor the date, so moving a session or changing its date only sets attributes.
SEARCH_PREFIX = "SEARCH#"


def search_sk(session_id):
    return f"{SEARCH_PREFIX}{_part('session id', session_id)}"


def search_order_key(*, played_on, number, session_id):
    """LSI1SK `SEARCH#<played_on or 0000-00-00>#<number, 10 digits, or ->#<sid>`: read
    backwards, newest first (latest date, then highest number, then latest created)."""
    return f"{SEARCH_PREFIX}{_day_and_number(played_on, number)}#{_part('session id', session_id)}"


def summary_sk(campaign_id, session_id, kind):
    return f"SUMMARY#{_part('campaign id', campaign_id)}#{_part('session id', session_id)}#{_part('kind', kind)}"


# The campaign's story so far is stored like a session's summary, under the campaign's
# summaries prefix, in the place of a session id: "STORY" can never be a session id (ids
# are 26-character ULIDs, whose alphabet has no "O"), so a session's summaries prefix
# never matches it, while the campaign's prefix (and its delete cascade) does.
STORY = "STORY"
STORY_SO_FAR_KIND = "story_so_far"  # = sessions.core.kinds.STORY_SO_FAR


def story_summary_sk(campaign_id):
    return summary_sk(campaign_id, STORY, STORY_SO_FAR_KIND)


def summaries_prefix(campaign_id, session_id=None):
    """`SUMMARY#<cid>#<sid>#` for one session's summaries, `SUMMARY#<cid>#` for a campaign's
    (its sessions' and its story so far)."""
    if session_id is None:
        return f"SUMMARY#{_part('campaign id', campaign_id)}#"
    return f"SUMMARY#{_part('campaign id', campaign_id)}#{_part('session id', session_id)}#"


def summary_job_sk(campaign_id, session_id):
    """`SUMMARYJOB#<cid>#<sid>`: the one summary job of a session (the latest one run)."""
    return f"SUMMARYJOB#{_part('campaign id', campaign_id)}#{_part('session id', session_id)}"


def story_job_sk(campaign_id):
    """`SUMMARYJOB#<cid>#STORY`: the job that builds the campaign's story so far."""
    return summary_job_sk(campaign_id, STORY)


def summary_jobs_prefix(campaign_id):
    """All of a campaign's summary jobs (its sessions' and its story's)."""
    return f"SUMMARYJOB#{_part('campaign id', campaign_id)}#"


SPEAKER_NAMES_PREFIX = "SPEAKERS#"  # the speaker names of every campaign of a user


def speaker_names_sk(campaign_id):
    return f"{SPEAKER_NAMES_PREFIX}{_part('campaign id', campaign_id)}"


SHARE_PK_PREFIX = "SHARE#"  # the partition of a share link: SHARE#<sha256(token)>


def share_pk(token_hash):
    return f"SHARE#{_part('token hash', token_hash)}"


SHARE_SK = "SHARE"


def web_session_pk(session_key):
    return f"WEBSESSION#{_part('session key', session_key)}"


WEB_SESSION_SK = "WEBSESSION"


# Pointers in the owner's partition to the items kept in their own partitions, so that
# the owner's sessions and links can be listed (and all removed when the account goes).
WEB_SESSION_POINTER_PREFIX = "WEBSESSION#"


def web_session_pointer_sk(session_key):
    return f"{WEB_SESSION_POINTER_PREFIX}{_part('session key', session_key)}"


SHARE_POINTER_PREFIX = "SHARELINK#"


def share_pointer_sk(token_hash):
    return f"{SHARE_POINTER_PREFIX}{_part('token hash', token_hash)}"


# The deployment's own items, in a partition no user's sub can name (user_pk always
# starts with "USER#"): what staff read on /staff/.
OPS_PK = "OPS"
SUMMARY_FALLBACKS_SK = "SUMMARYFALLBACKS"  # the last times Bedrock refused and the offline summarizer wrote
# The cost figures (staff/costs.py): the dashboard's cache, a past month's, and the cost
# meter's hourly counters (campaigns_site/meter.py), read in order with one Query.
COSTS_SK = "COSTS"
METER_PREFIX = "METER#"


def costs_month_sk(month):
    """`COSTS#<yyyy-mm>`: a past month's figures, cached by manage.py cost_report."""
    return f"{COSTS_SK}#{_part('month', month)}"


def meter_sk(hour):
    """`METER#<yyyy-mm-ddThh>` (UTC): one item per hour, whatever the traffic."""
    return f"{METER_PREFIX}{_part('hour', hour)}"


# The v1.0 import's own items (v1/checkpoints.py): the run's checkpoint and one item per
# account it imported, in a partition no user's sub can name.
V1_IMPORT_PK = "V1IMPORT"
V1_IMPORT_RUN_SK = "RUN"
V1_ACCOUNT_PREFIX = "ACCOUNT#"


def v1_account_sk(v1_user_id):
    """An imported account's item, by the v1.0 user id whose name and password it has."""
    return f"{V1_ACCOUNT_PREFIX}{int(v1_user_id):012d}"


# The cutover's own items (cutover/): the sync's watermark, the traffic shifts, the
# conflicts it resolved; and the outbox of changes to mirror into v1.0, one partition each.
CUTOVER_PK = "CUTOVER"
OUTBOX_PK = "OUTBOX"


# The user directory (campaigns_site/directory.py): one small item per user with their
# counters, in one partition, so that staff list users by email with a Query, never a Scan.
DIRECTORY_PK = "DIRECTORY"
DIRECTORY_EMAIL_PREFIX = "EMAIL#"  # LSI1SK: by email, then sub


def directory_sk(sub):
    return f"{USER_PREFIX}{_part('sub', sub)}"


def directory_email_key(*, email, sub):
    """LSI1SK `EMAIL#<email, lower case>#<sub>`: the directory in email order, searchable by prefix."""
    return f"{DIRECTORY_EMAIL_PREFIX}{email.lower()}#{_part('sub', sub)}"


# A user's usage in one month (the deltas of their counters), in their own partition.
USAGE_PREFIX = "USAGE#"


def usage_month_sk(month):
    """`USAGE#<yyyy-mm>`: read in order with one Query for the usage over time."""
    return f"{USAGE_PREFIX}{_part('month', month)}"


# The last errors of the app's Lambda (staff/last_errors.py): one cached Logs Insights
# answer per time window, in the deployment's partition.
LAST_ERRORS_PREFIX = "LASTERRORS#"


def last_errors_sk(window):
    """`LASTERRORS#<window>` (24h, 7d): the window's last query, its results and when."""
    return f"{LAST_ERRORS_PREFIX}{_part('window', window)}"


# verify_v1's last result (v1/verify_record.py), beside the import's checkpoint.
V1_VERIFY_SK = "VERIFY"
# The audit log (campaigns_site/audit.py): one item per staff action on a user, in one
# partition, newest last in SK order; LSI1SK `TARGET#<sub>#<time>#<id>` lists one user's.
AUDIT_PK = "AUDIT"
AUDIT_TARGET_PREFIX = "TARGET#"


def audit_sk(at, entry_id):
    """`<sortable time>#<ULID>`: read backwards, the newest action first."""
    return f"{sortable_time(at)}#{_part('audit id', entry_id)}"


def audit_target_prefix(sub):
    """LSI1SK prefix of the actions on one user."""
    return f"{AUDIT_TARGET_PREFIX}{_part('sub', sub)}#"


def audit_target_key(*, sub, at, entry_id):
    """LSI1SK `TARGET#<sub>#<sortable time>#<ULID>`: one user's actions in time order."""
    return f"{audit_target_prefix(sub)}{audit_sk(at, entry_id)}"


# The summary job registry (sessions/summaries/registry.py): one small item per job place
# (a session's, or a campaign's story), written in the transactions that start a job and
# move it on, so that staff list jobs across users with a Query, never a Scan.
JOBS_PK = "JOBS"
JOB_REGISTRY_PREFIX = "JOB#"
SUMMARY_JOB_PREFIX = "SUMMARYJOB#"


def job_registry_sk(*, sub, campaign_id, session_id=None):
    """`JOB#<sub>#<cid>#<sid>` (or `...#STORY`): the registry's item of that place's latest job,
    replaced with it, so it is found from the ids alone (a delete, a move, a cascade)."""
    place = STORY if session_id is None else _part("session id", session_id)
    return f"{JOB_REGISTRY_PREFIX}{_part('sub', sub)}#{_part('campaign id', campaign_id)}#{place}"


def job_registry_sk_of_job(*, sub, job_sk):
    """The registry's SK for a SummaryJob's SK (`SUMMARYJOB#<cid>#<sid or STORY>`)."""
    campaign_id, place = job_sk.removeprefix(SUMMARY_JOB_PREFIX).split("#", 1)
    return job_registry_sk(sub=sub, campaign_id=campaign_id, session_id=None if place == STORY else place)


def job_registry_order_key(*, requested, job_id):
    """LSI1SK `JOB#<requested, fixed width>#<job id>`: the registry newest first."""
    return f"{JOB_REGISTRY_PREFIX}{sortable_time(requested)}#{_part('job id', job_id)}"


# The share link registry (sessions/sharing/registry.py): one small item per link, written
# with the link and its pointer, so that staff list links across users without a Scan.
SHARES_PK = "SHARES"
SHARE_REGISTRY_PREFIX = "SHARE#"
SHARE_STATS_SK = "STATS"  # the counts and the most viewed, computed at most once an hour
SHARE_NEWEST_SK = "NEWEST"  # the newest entries' order keys (sessions/sharing/newest.py)


def share_registry_sk(token_hash):
    return f"{SHARE_REGISTRY_PREFIX}{_part('token hash', token_hash)}"


def share_registry_order_key(*, created, token_hash):
    """LSI1SK `SHARE#<created, fixed width>#<hash>`: the registry newest first."""
    return f"{SHARE_REGISTRY_PREFIX}{sortable_time(created)}#{_part('token hash', token_hash)}"


# A user's exports (exports/items.py): one item per scope, the latest export of it,
# replaced by the next one.
EXPORT_PREFIX = "EXPORT#"
EXPORT_ACCOUNT_SK = "EXPORT#ACCOUNT"


def export_sk(campaign_id=None):
    """`EXPORT#ACCOUNT` (everything), or `EXPORT#CAMPAIGN#<cid>` (one campaign)."""
    if campaign_id is None:
        return EXPORT_ACCOUNT_SK
    return f"{EXPORT_PREFIX}CAMPAIGN#{_part('campaign id', campaign_id)}"


# The zips of the exports in S3 (exports/s3_object.py), beside the transcripts in the same
# bucket: `exports/<sub>/<job id>/<file name>`, removed by a lifecycle rule a day after
# they are written (campaigns_site/provision.py) and with the account (accounts/deletion.py).
EXPORTS_OBJECT_PREFIX = "exports/"


def _object_part(name, value):
    value = _part(name, value)
    if "/" in value:  # a "/" would reach into another user's prefix
        raise InvalidKeyPart(f"invalid {name} for an object key: {value!r}")
    return value


def user_exports_prefix(sub):
    """Every export object of the user; it ends in "/", so user "a" never matches "ab"."""
    return f"{EXPORTS_OBJECT_PREFIX}{_object_part('sub', sub)}/"


def export_object_key(*, sub, job_id, file_name):
    return f"{user_exports_prefix(sub)}{_object_part('job id', job_id)}/{_object_part('file name', file_name)}"
