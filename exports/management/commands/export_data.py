import os
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from django.core.management.base import CommandError
from tqdm import tqdm

from accounts.staff import StaffChangeRefused, account_sub
from campaigns_site import aws, dynamodb
from campaigns_site.operations import OperationsCommand
from campaigns_site.table_keys import PROFILE_SK, sub_of_user_pk
from exports.file_names import safe_file_name
from exports.writer import NothingToExport, write_export


class Command(OperationsCommand):
    help = (
        "Export accounts as zips in the open format of docs/export-format.md (data lines, transcripts, a "
        "Markdown vault), one zip per account named by its e-mail, into a folder or s3://bucket/prefix. "
        "Share links carry their token's hash, so a deployment imported from these zips (manage.py "
        "import_data) keeps them working. --all lists accounts with a Scan of profiles (an operations "
        "command, never a request path). Safe to re-run: a zip is replaced whole, never left half written."
    )

    def add_arguments(self, parser):
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--user", metavar="EMAIL", help="the account with this e-mail")
        who.add_argument("--all", action="store_true", help="every account (not those being deleted)")
        parser.add_argument("--out", required=True, help="a folder (made if missing) or s3://bucket/prefix")
        parser.add_argument(
            "--without-link-hashes",
            action="store_true",
            help="leave out share links' token hashes (a copy for the user, not a deployment move)",
        )

    def handle(self, *args, user, all, out, without_link_hashes, **options):
        target = _Target(out)
        accounts = _every_account() if all else [(self._sub_of(user), user.strip().lower())]
        totals, written = {}, 0
        bar = tqdm(accounts, desc="accounts", unit="account", disable=None, file=self.stderr)
        for sub, email in bar:
            name = f"{safe_file_name(email, fallback=sub)}.zip"
            try:
                with _SessionBar(email, file=self.stderr) as progress:
                    counts = target.write(name, sub=sub, with_token_hashes=not without_link_hashes, progress=progress)
            except NothingToExport:
                self.stdout.write(f"  {email}: no profile (being deleted, or sign-up never finished): skipped")
                continue
            written += 1
            for kind, count in counts.items():
                totals[kind] = totals.get(kind, 0) + count
            self.stdout.write(f"  {email}: {target.describe(name)} ({_counted(counts)})")
        self.stdout.write(self.style.SUCCESS(f"Exported {written} account(s): {_counted(totals)}."))

    def _sub_of(self, email):
        try:
            return account_sub(email=email)
        except StaffChangeRefused as error:
            raise CommandError(str(error)) from error


def _every_account():
    """(sub, e-mail) of every profile not being deleted, in e-mail order."""
    pages = dynamodb.scan_pages(
        where=dynamodb.attribute("SK") == PROFILE_SK, attributes=["PK", "email", "deleting_since"]
    )
    found = [
        (sub_of_user_pk(item["PK"]), item.get("email", ""))
        for page in pages
        for item in page
        if not item.get("deleting_since")
    ]
    return sorted(found, key=lambda account: account[1])


class _SessionBar:
    """One account's progress in sessions, a bar per step (data, transcripts, notes)."""

    def __init__(self, email, *, file):
        self.email, self.file, self.bar, self.step = email, file, None, None

    def __call__(self, step, done, total):
        if step != self.step:
            self.close()
            self.step = step
            self.bar = tqdm(total=total, desc=f"{self.email}: {step}", unit="session", disable=None, file=self.file)
        self.bar.total = total
        self.bar.update(done - self.bar.n)

    def close(self):
        if self.bar is not None:
            self.bar.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _counted(counts):
    return ", ".join(f"{count} {kind.replace('_', ' ')}" for kind, count in counts.items()) or "nothing"


class _Target:
    """Where zips go: a folder (each zip written under a temporary name, then renamed over
    the old one) or an S3 prefix (written to a temporary file, then uploaded: boto3 sends a
    large file in parts)."""

    def __init__(self, out):
        parts = urlsplit(out)
        if parts.scheme == "s3":
            if not parts.netloc:
                raise CommandError(f"{out}: an S3 target is s3://bucket/prefix")
            self.bucket, self.prefix, self.folder = parts.netloc, parts.path.strip("/"), None
        elif parts.scheme:
            raise CommandError(f"{out}: give a folder or s3://bucket/prefix")
        else:
            self.folder = Path(out)
            self.folder.mkdir(parents=True, exist_ok=True)

    def describe(self, name):
        if self.folder is not None:
            return str(self.folder / name)
        return f"s3://{self.bucket}/{self._key(name)}"

    def _key(self, name):
        return f"{self.prefix}/{name}" if self.prefix else name

    def write(self, name, **options):
        folder = self.folder if self.folder is not None else None
        handle, partial = tempfile.mkstemp(suffix=".zip.partial", dir=folder)
        try:
            with os.fdopen(handle, "wb") as stream:
                counts = write_export(stream, **options)
            if self.folder is not None:
                os.replace(partial, self.folder / name)
            else:
                aws.client("s3").upload_file(partial, self.bucket, self._key(name))
        finally:
            Path(partial).unlink(missing_ok=True)
        return counts
