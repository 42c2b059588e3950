"""The exports page (/accounts/exports/, exports.views.export_list): each export's state for its
owner only, the self-refresh while one runs, one Query."""

from datetime import timedelta

import time_machine
from django.utils import timezone

from exports import jobs, runner
from exports.items import Export
from tests.export_pages import AUTH, LIST, finished_export
from tests.web_clients import login_url, post


def test_the_owner_sees_a_finished_export_with_its_download_link(owner, campaign, aws_calls):
    export = finished_export(owner.sub)
    with aws_calls() as calls:
        response = owner.get(LIST)
    assert response.status_code == 200
    assert calls.operations() == [AUTH, "dynamodb.Query"]  # pinned: one Query for every export
    html = response.content.decode()
    assert "Everything in your account" in html and export.file_name in html
    assert 'href="/accounts/exports/account/download/"' in html
    assert "<dd>1 campaign</dd>" in html  # counts in words, none of a kind left out
    assert "Make a new one" in html and 'http-equiv="refresh"' not in html
    assert response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]


def test_a_campaign_export_is_listed_with_the_campaign_name(owner, campaign):
    finished_export(owner.sub, campaign)
    html = owner.get(LIST).content.decode()
    assert "The campaign “Secret Strahd”" in html
    assert f'href="/accounts/exports/campaigns/{campaign.campaign_id}/download/"' in html
    assert "Download everything" in html  # no account export yet: offered here too


def test_a_running_export_shows_its_progress_and_refreshes_the_page(owner, manual):
    export = jobs.start_export(sub=owner.sub)
    runner.claim(owner.sub, None, export.job_id).update(
        actions=[Export.step.set("transcripts"), Export.done.set(120), Export.total.set(500)]
    )
    html = owner.get(LIST).content.decode()
    assert "Copying the transcripts: 120 of 500 sessions" in html
    assert '<progress max="500" value="120">' in html
    assert '<meta http-equiv="refresh" content="2">' in html
    assert "/accounts/exports/account/download/" not in html
    with time_machine.travel(timezone.now() + timedelta(seconds=40)):
        assert '<meta http-equiv="refresh" content="5">' in owner.get(LIST).content.decode()  # less often


def test_a_failed_export_says_why_and_offers_to_try_again(owner, manual):
    jobs.start_export(sub=owner.sub)
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        html = owner.get(LIST).content.decode()
    assert "The export failed: It did not start within 5 minutes. Try again." in html
    assert (
        'Try again<span class="visually-hidden">: everything in your account</span></button>' in html
        and 'http-equiv="refresh"' not in html
    )


def test_another_user_sees_none_of_it(owner, other, campaign):
    finished_export(owner.sub)
    html = other.get(LIST).content.decode()
    assert "You have no export yet." in html and "/download/" not in html


def test_anonymous_is_sent_to_log_in(anonymous):
    response = anonymous.get(LIST)
    assert response.status_code == 302 and response["Location"] == login_url(LIST)


def test_only_get(owner):
    assert post(owner, LIST).status_code == 405
