"""The forms of the staff's job and share link pages: which job to retry, which link to
revoke. Ids only, checked to be ids (a key part never reaches into another key)."""

import re

from django import forms

from campaigns_site.table_keys import STORY, InvalidKeyPart, job_registry_sk, share_registry_sk

_TOKEN_HASH = re.compile(r"[0-9a-f]{64}")
_ULID = re.compile(r"[0-9A-HJKMNP-TV-Z]{26}")


class JobRetryForm(forms.Form):
    """The failed job to retry: its owner, its place (a session, or STORY for a campaign's
    story so far) and its job id (a newer job there is not retried by a stale page)."""

    owner = forms.CharField(max_length=200)
    campaign = forms.CharField(max_length=200)
    session = forms.CharField(max_length=200)
    job = forms.CharField(max_length=26)

    def clean_job(self):
        job = self.cleaned_data["job"]
        if not _ULID.fullmatch(job):
            raise forms.ValidationError("Not a job id.")
        return job

    def clean(self):
        cleaned = super().clean()
        if all(name in cleaned for name in ("owner", "campaign", "session")):
            try:
                job_registry_sk(sub=cleaned["owner"], campaign_id=cleaned["campaign"], session_id=self.session_id)
            except InvalidKeyPart:
                raise forms.ValidationError("Not a job of this registry.") from None
        return cleaned

    @property
    def session_id(self):
        """None for a campaign's story so far."""
        session = self.cleaned_data.get("session")
        return None if session == STORY else session

    def job_ids(self):
        """The keyword arguments of staff.jobs.retry_failed_job."""
        data = self.cleaned_data
        return {
            "sub": data["owner"],
            "campaign_id": data["campaign"],
            "session_id": self.session_id,
            "job_id": data["job"],
        }


class ShareRevokeForm(forms.Form):
    """The link to revoke, by its token's hash (the registry's key: never the token)."""

    link = forms.CharField(max_length=64)

    def clean_link(self):
        link = self.cleaned_data["link"]
        if not _TOKEN_HASH.fullmatch(link):
            raise forms.ValidationError("Not a share link of this registry.")
        share_registry_sk(link)
        return link
