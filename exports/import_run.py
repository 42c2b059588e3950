"""import_data's run (docs/export-format.md, "Importing"): every zip checked first, then
written.

Pass one reads every zip whole (manifest, every line against the schema, the ids, every
transcript through the app's parser) and keeps its problems. Without --skip-bad, any
problem stops the run there, before anything is written, with the list of them all. With
it, pass two writes each zip but what its problems belong to (the whole zip, a campaign
with its sessions, a session with its children) and names what it left out.
"""

import zipfile
from dataclasses import dataclass

from tqdm import tqdm

from exports import format as export_format
from exports.checks import check_export
from exports.import_account import (
    AccountRefused,
    account_for,
    account_problem,
    existing_account,
    sub_of_existing_account,
)
from exports.import_report import ImportReport
from exports.importer import AccountImport, attached_transcripts
from exports.reader import open_problem, read_export
from exports.sources import find_zips


@dataclass(frozen=True)
class ImportOptions:
    location: str  # a zip, a directory of zips, s3://bucket/key or prefix
    as_email: str | None = None  # import into this existing account (else the manifest's e-mail)
    skip_bad: bool = False


class ExportRefused(Exception):
    """Problems found, and --skip-bad not given: nothing was written."""

    def __init__(self, problems):
        super().__init__(f"{len(problems)} problems")
        self.problems = problems  # [(zip name, reader.Problem)]


def run_import(*, options, progress_file=None):
    """Check, then import; returns the ImportReport. Raises sources.NoZips,
    import_account.AccountRefused (--as) and ExportRefused before writing anything."""
    sources = find_zips(options.location)
    target = existing_account(options.as_email) if options.as_email else None
    bar = tqdm(total=0, unit="session", file=progress_file, mininterval=1, desc="checking")
    checked = []
    with bar:
        for source in sources:
            with source.local_file() as path:
                contents = _checked(path, source.name, bar, target=target)
            checked.append((source, contents.problems))
    problems = [(source.name, problem) for source, found in checked for problem in found]
    if problems and not options.skip_bad:
        raise ExportRefused(problems)
    report = ImportReport()
    with tqdm(total=bar.total, unit="session", file=progress_file, mininterval=1, desc="importing") as bar:
        for source, found in checked:
            _import_zip(source, found, target=target, report=report, bar=bar)
    return report


def _checked(path, name, bar, *, target):
    """The zip's ExportContents, with every problem of it (`target`: the --as account's sub)."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        return open_problem(error, name=name)
    with archive:
        contents = read_export(archive, name=name)
        if contents.manifest is None:
            return contents
        bar.total += contents.manifest["counts"][export_format.SESSIONS]
        bar.refresh()
        email = contents.manifest["account"]["email"]
        sub = target or sub_of_existing_account(email)
        attached = attached_transcripts(sub=sub) if sub else {}
        check_export(archive, contents, on_session=lambda: bar.update(1), attached=attached)
        refused = account_problem(email) if target is None else None
        if refused:
            contents.problem(export_format.MANIFEST, refused)
    return contents


def _import_zip(source, problems, *, target, report, bar):
    report.zips += 1
    unusable = [problem for problem in problems if problem.whole_zip]
    if unusable:
        report.skip(source.name, "the whole zip", "; ".join(str(problem) for problem in unusable))
        return
    _report_left_out(source.name, problems, report)
    with source.local_file() as path, zipfile.ZipFile(path) as archive:
        contents = read_export(archive, name=source.name)
        contents.problems = list(problems)  # pass one's, transcripts included
        try:
            sub = target or account_for(contents.manifest["account"], report=report, zip_name=source.name)
        except AccountRefused as error:
            report.skip(source.name, "the whole zip", str(error))
            return
        AccountImport(contents, archive, sub=sub, report=report, on_session=lambda: bar.update(1)).run()


def _report_left_out(name, problems, report):
    """One line per campaign and per session the problems leave out, with every reason."""
    reasons = {}
    for problem in problems:
        if problem.session_id:
            what = f"session {problem.session_id} (whole: its transcript, summaries and share links)"
        else:
            what = f"campaign {problem.campaign_id} (with all its sessions)"
        reasons.setdefault(what, []).append(str(problem))
    for what, said in reasons.items():
        report.skip(name, what, "; ".join(said))
