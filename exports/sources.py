"""Where import_data finds its zips: a zip file, a directory of them (what `export_data
--all` writes: one zip per account), or `s3://bucket/key` (a zip, or a prefix of zips).

An S3 zip is copied to a temporary file, a part at a time (boto3's download_fileobj), and
read from there: zipfile needs to seek, and a large account's zip is never held in memory.
"""

import contextlib
import tempfile
from dataclasses import dataclass
from pathlib import Path

from campaigns_site import aws

S3_SCHEME = "s3://"


class NoZips(Exception):
    """The path names nothing to import; the message says why."""


@dataclass(frozen=True)
class ZipSource:
    name: str  # what messages call it
    path: Path | None = None  # a local file
    bucket: str | None = None  # or an S3 object
    key: str | None = None

    @contextlib.contextmanager
    def local_file(self):
        """A path to read the zip from (a temporary copy of an S3 object, removed after)."""
        if self.path is not None:
            yield self.path
            return
        with tempfile.NamedTemporaryFile(prefix="import-", suffix=".zip") as copy:
            aws.client("s3").download_fileobj(self.bucket, self.key, copy)
            copy.flush()
            yield Path(copy.name)


def find_zips(location):
    """[ZipSource] for a local path or an s3:// address; NoZips when there is none."""
    if location.startswith(S3_SCHEME):
        return _s3_zips(location)
    path = Path(location)
    if path.is_dir():
        found = sorted(child for child in path.iterdir() if child.is_file() and child.suffix.lower() == ".zip")
        if not found:
            raise NoZips(f"{location} holds no .zip file")
        return [ZipSource(name=str(child), path=child) for child in found]
    if not path.is_file():
        raise NoZips(f"{location} is neither a file nor a directory")
    return [ZipSource(name=str(path), path=path)]


def _s3_zips(location):
    bucket, _, key = location.removeprefix(S3_SCHEME).partition("/")
    if not bucket:
        raise NoZips(f"{location} names no bucket")
    s3 = aws.client("s3")
    keys = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=key):
        keys += [found["Key"] for found in page.get("Contents", [])]
    if key in keys:
        keys = [key]  # the object itself, not every key it is a prefix of
    else:
        keys = sorted(found for found in keys if found.lower().endswith(".zip"))
    if not keys:
        raise NoZips(f"{location}: no such object, nor .zip objects under it")
    return [ZipSource(name=f"{S3_SCHEME}{bucket}/{found}", bucket=bucket, key=found) for found in keys]
