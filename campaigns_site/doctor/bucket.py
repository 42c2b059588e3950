"""The transcript bucket: what `provision` makes (campaigns_site/provision.py, ensure_bucket)."""

from django.conf import settings

from campaigns_site import aws, provision
from campaigns_site.doctor import fail, ok

PROVISION = "Run `manage.py provision` (it re-applies the bucket's settings)."
BLOCKS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")


def bucket_checks():
    s3 = aws.client("s3")
    name = settings.TRANSCRIPT_BUCKET
    try:
        s3.head_bucket(Bucket=name)
    except s3.exceptions.ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        if code not in ("404", "NoSuchBucket"):
            raise
        yield fail("bucket exists", f"no bucket {name}", f"{PROVISION} Or set TRANSCRIPT_BUCKET to the right one.")
        return
    yield ok("bucket exists", name)
    yield check_public_access_block(_read(s3.get_public_access_block, name, "PublicAccessBlockConfiguration"))
    yield check_encryption(_read(s3.get_bucket_encryption, name, "ServerSideEncryptionConfiguration"))
    yield check_cors(_read(s3.get_bucket_cors, name, "CORSRules"), origin=settings.SITE_ORIGIN)
    yield from check_lifecycle(_read(s3.get_bucket_lifecycle_configuration, name, "Rules") or [])


def _read(get, bucket, key):
    """The part of the bucket's configuration, or None when it has none (S3 says so with
    an error: NoSuchPublicAccessBlockConfiguration, NoSuchCORSConfiguration, ...)."""
    try:
        return get(Bucket=bucket)[key]
    except aws.client("s3").exceptions.ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        if code.startswith("NoSuch") or code == "ServerSideEncryptionConfigurationNotFoundError":
            return None
        raise


def check_public_access_block(block):
    off = [flag for flag in BLOCKS if not (block or {}).get(flag)]
    if off:
        return fail(
            "bucket public access block",
            f"not blocked: {', '.join(off)}: transcripts could be made public",
            PROVISION,
        )
    return ok("bucket public access block", "all four on")


def check_encryption(configuration):
    rules = (configuration or {}).get("Rules", [])
    algorithms = [rule.get("ApplyServerSideEncryptionByDefault", {}).get("SSEAlgorithm") for rule in rules]
    if not any(algorithms):
        return fail("bucket encryption", "no default encryption", PROVISION)
    return ok("bucket encryption", ", ".join(filter(None, algorithms)))


def check_cors(rules, *, origin):
    origins = sorted({allowed for rule in rules or [] for allowed in rule.get("AllowedOrigins", [])})
    if origins != [origin]:
        return fail(
            "bucket CORS origin",
            f"allowed origins {origins or 'none'}, SITE_ORIGIN is {origin}: browser uploads would be refused",
            "Check SITE_ORIGIN, then run `manage.py provision` with it (it re-applies the bucket's CORS).",
        )
    return ok("bucket CORS origin", origin)


def check_lifecycle(rules):
    found = {rule.get("ID"): rule for rule in rules}
    for wanted in provision.LIFECYCLE_RULES:
        name = f"bucket lifecycle {wanted['ID']}"
        rule = found.get(wanted["ID"])
        if rule is None:
            yield fail(name, "missing", PROVISION)
        elif any(rule.get(key) != value for key, value in wanted.items()):
            yield fail(name, f"differs from provision's: {rule}", PROVISION)
        else:
            yield ok(name, _describe_rule(rule))


def _describe_rule(rule):
    if "Expiration" in rule:
        return f"{rule['Filter'].get('Prefix') or 'everything'} expires after {rule['Expiration']['Days']} days"
    return f"unfinished uploads aborted after {rule['AbortIncompleteMultipartUpload']['DaysAfterInitiation']} day(s)"
