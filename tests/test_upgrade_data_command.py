"""manage.py upgrade_data: every upgrade command in order, each saying what it did; safe to
re-run; --list runs none."""

from io import StringIO

import pytest
from django.core.management import call_command, get_commands

from campaigns_site.management.commands.upgrade_data import STEPS


def _run(*arguments):
    out, err = StringIO(), StringIO()
    call_command("upgrade_data", *arguments, stdout=out, stderr=err)
    return out.getvalue()


def test_every_step_is_a_command_of_the_project():
    assert {name for name, _, _ in STEPS} <= set(get_commands())


def test_the_directory_is_rebuilt_before_what_reads_it():
    order = [name for name, _, _ in STEPS]
    assert order.index("rebuild_directory") < order.index("recount_usage") < order.index("list_recent_actions")


def test_share_links_are_registered_before_they_are_counted_and_listed():
    order = [name for name, _, _ in STEPS]
    assert order.index("fill_share_registry") < order.index("count_shares")  # fill drops the newest list


def test_list_names_the_steps_and_runs_none(aws_calls):
    with aws_calls() as calls:
        said = _run("--list")
    assert len(calls) == 0 and "Data up to date" not in said
    assert all(f"manage.py {name}" in said for name, _, _ in STEPS)


@pytest.mark.usefixtures("aws")
def test_an_account_made_before_is_brought_up_to_date_and_a_rerun_changes_nothing(make_user):
    from campaigns.repository import create_campaign, get_campaign
    from sessions.core.repository import create_session

    sub = make_user("old@example.com")
    campaign = create_campaign(sub=sub, name="Curse of Strahd")
    session = create_session(sub=sub, campaign_id=campaign.campaign_id, title="Death House")

    first = _run()
    assert first.count("\n[") + first.startswith("[") == len(STEPS)
    assert first.rstrip().endswith(f"Data up to date: {len(STEPS)} steps run.")
    assert session.session_id in get_campaign(sub=sub, campaign_id=campaign.campaign_id).session_ids
    second = _run()
    assert second.rstrip().endswith(f"Data up to date: {len(STEPS)} steps run.")
