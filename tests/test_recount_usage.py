"""manage.py recount_usage: recomputes the usage counters and puts right the ones that drifted."""

import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from campaigns.repository import create_campaign
from campaigns_site import usage
from campaigns_site.transactions import Transaction
from sessions.core.repository import create_session

OWNER = "11111111-aaaa-4bbb-8ccc-000000000001"
OTHER = "22222222-aaaa-4bbb-8ccc-000000000002"


def recount(*arguments):
    out, err = io.StringIO(), io.StringIO()
    call_command("recount_usage", *arguments, stdout=out, stderr=err)
    return out.getvalue()


def lose_a_summary_count(sub):
    """A summary written past the counters (as before they existed)."""
    transaction = Transaction()
    transaction.put(
        {"PK": f"USER#{sub}", "SK": "SUMMARY#C#S#recap", "entity": "Summary", "estimated_cost_usd": "0.0125"}
    )
    transaction.commit()


def test_one_user(aws):
    campaign = create_campaign(sub=OWNER, name="Counted")
    create_session(sub=OWNER, campaign_id=campaign.campaign_id, title="Counted too")
    lose_a_summary_count(OWNER)

    out = recount("--sub", OWNER)

    assert out.splitlines() == [f"{OWNER}: summaries +1, summary_cost_usd +0.0125", "1 user recounted, 1 corrected."]
    assert usage.stored_counters(sub=OWNER) == usage.recount(sub=OWNER)
    assert usage.stored_counters(sub=OWNER)["summary_cost_usd"] == Decimal("0.0125")
    assert recount("--sub", OWNER).splitlines() == ["1 user recounted, 0 corrected."]  # safe to re-run


def test_every_user_of_the_directory(aws, aws_calls):
    for sub in (OWNER, OTHER):
        create_campaign(sub=sub, name="Counted")
    lose_a_summary_count(OTHER)
    usage.record_usage(sub=OWNER, sessions=3)  # drifted the other way

    with aws_calls() as calls:
        out = recount("--all")

    assert sorted(out.splitlines()) == sorted(
        [f"{OWNER}: sessions -3", f"{OTHER}: summaries +1, summary_cost_usd +0.0125", "2 users recounted, 2 corrected."]
    )
    assert calls.count("dynamodb", "Scan") == 0
    for sub in (OWNER, OTHER):
        assert usage.stored_counters(sub=sub) == usage.recount(sub=sub)
    assert recount("--all").splitlines() == ["2 users recounted, 0 corrected."]


def test_bad_input(aws):
    with pytest.raises(CommandError, match="not a Cognito sub"):
        recount("--sub", "a#b")
    with pytest.raises(CommandError):
        recount()
