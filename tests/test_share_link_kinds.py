"""A share link names its session's summaries of v1.0's own kinds (ShareLink.other_summary_kinds,
issue 17), so the public page reads them by key in its one BatchGetItem: two requests for such
a session too. The copy is made in the link's own transaction, conditioned on the session's
kinds (a session that names others is read and the link made again with them); the page
still reads any kind the session names and the link does not (a link made before the copy,
a summary imported after the link): the same page, one request more."""

from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import call_command

from sessions.sharing.repository import create_share_link, get_share_link
from sessions.summaries.imported import imported_summary, save_imported_summary
from tests.web_clients import post

CREATED = datetime(2024, 3, 2, 5, 30, tzinfo=UTC)
TWO = ["dynamodb.UpdateItem", "dynamodb.BatchGetItem"]
THREE = TWO + ["dynamodb.BatchGetItem"]


def import_kind(owner, session, kind, text):
    ids = {"campaign_id": session.campaign_id, "session_id": session.session_id}
    summary = imported_summary(sub=owner.sub, **ids, kind=kind, text=text, created=CREATED)
    assert save_imported_summary(summary=summary)


def make_link(owner, session, **fields):
    ids = {"campaign_id": session.campaign_id, "session_id": session.session_id}
    return create_share_link(sub=owner.sub, **ids, scope="summaries", **fields)


@pytest.fixture
def moody(owner, session, make_summary):
    """The session with a recap and two summaries of v1.0's own kinds."""
    make_summary(sub=owner.sub, session=session, kind="recap", text="The party met Rose.")
    import_kind(owner, session, "session_mood", "**Tense**, then grim.")
    import_kind(owner, session, "combat_log", "- Round one: the mimic.")
    return session


def opened(anonymous, made, aws_calls):
    with aws_calls() as calls:
        response = anonymous.get(f"/share/{made.token}/")
    assert response.status_code == 200
    return response.content.decode(), calls.operations()


def test_a_link_copies_the_session_s_kinds_and_its_page_reads_them_by_key(owner, anonymous, moody, aws_calls):
    with aws_calls() as calls:
        made = make_link(owner, moody)  # the caller did not read the session: the transaction finds out
    assert calls.operations() == [
        "dynamodb.Query",
        "dynamodb.TransactWriteItems",
        "dynamodb.GetItem",
        "dynamodb.TransactWriteItems",
    ]
    assert get_share_link(token_hash=made.link.token_hash).other_summary_kinds == {"session_mood", "combat_log"}
    html, operations = opened(anonymous, made, aws_calls)
    assert operations == TWO
    assert "The party met Rose." in html and "<strong>Tense</strong>, then grim." in html
    assert "Round one: the mimic." in html
    assert html.index("Combat log") < html.index("Session mood")  # after the known kinds, by name


def test_a_caller_that_read_the_session_makes_the_link_in_one_transaction(owner, moody, aws_calls):
    kinds = _stored_session(owner, moody).other_summary_kinds  # (the fixture's object predates them)
    with aws_calls() as calls:
        made = make_link(owner, moody, other_summary_kinds=kinds)
    assert calls.operations() == ["dynamodb.Query", "dynamodb.TransactWriteItems"]
    assert made.link.other_summary_kinds == {"session_mood", "combat_log"}


def test_a_session_without_them_makes_its_links_as_before(owner, session, aws_calls):
    with aws_calls() as calls:
        made = make_link(owner, session)
    assert calls.operations() == ["dynamodb.Query", "dynamodb.TransactWriteItems"]
    assert get_share_link(token_hash=made.link.token_hash).other_summary_kinds is None


def test_the_owner_s_form_passes_the_kinds_it_read(owner, moody, aws_calls):
    url = f"/campaigns/{moody.campaign_id}/sessions/{moody.session_id}/share/"
    with aws_calls() as calls:
        response = post(owner, url, {"scope": "summaries", "label": "Table"})
    assert response.status_code == 200
    assert calls.count("dynamodb", "GetItem") == 0 and calls.count("dynamodb", "TransactWriteItems") == 1
    (link,) = [get_share_link(token_hash=h) for h in _stored_session(owner, moody).share_link_hashes]
    assert link.other_summary_kinds == {"session_mood", "combat_log"}


def _stored_session(owner, session):
    from sessions.core.repository import get_session

    return get_session(sub=owner.sub, campaign_id=session.campaign_id, session_id=session.session_id)


def test_a_kind_imported_after_the_link_is_still_shown(owner, anonymous, moody, aws_calls):
    made = make_link(owner, moody)
    import_kind(owner, moody, "weather", "Fog over Barovia.")
    html, operations = opened(anonymous, made, aws_calls)
    assert operations == THREE  # the one kind the link does not name: read as before
    assert "Fog over Barovia." in html and "Round one: the mimic." in html


def test_a_link_made_before_the_copy_shows_them_as_before(owner, anonymous, moody, aws_calls):
    from campaigns_site.transactions import Transaction
    from sessions.sharing.items import ShareLink

    made = make_link(owner, moody)
    transaction = Transaction()
    transaction.update(made.link.pk, made.link.sk, actions=[ShareLink.other_summary_kinds.remove()])
    transaction.commit()
    html, operations = opened(anonymous, made, aws_calls)
    assert operations == THREE
    assert "<strong>Tense</strong>, then grim." in html and "Round one: the mimic." in html


def test_a_recap_link_reads_none_of_them(owner, anonymous, moody, aws_calls):
    ids = {"campaign_id": moody.campaign_id, "session_id": moody.session_id}
    made = create_share_link(sub=owner.sub, **ids, scope="recap")
    html, operations = opened(anonymous, made, aws_calls)
    assert operations == TWO
    assert "The party met Rose." in html and "Tense" not in html


def test_the_export_s_re_import_copies_the_kinds_on_its_links(make_user, make_campaign, settings, tmp_path):
    from accounts import cognito
    from exports.writer import write_export
    from sessions.sharing.owner_reads import pointers_by_session
    from tests.export_zips import EMAIL, fresh_deployment, make_account

    sub = make_account(make_user, make_campaign)
    with open(tmp_path / "account.zip", "wb") as stream:
        write_export(stream, sub=sub, with_token_hashes=True)
    fresh_deployment(settings)
    call_command("import_data", str(tmp_path / "account.zip"), stdout=StringIO(), stderr=StringIO())
    imported = cognito.find_user(email=EMAIL)["sub"]
    hashes = [h for (owner_sub, _, _), found in pointers_by_session().items() if owner_sub == imported for h in found]
    assert len(hashes) == 2
    assert all(get_share_link(token_hash=h).other_summary_kinds == {"session_mood"} for h in hashes)


def test_the_command_names_the_kinds_on_links_that_do_not(owner, anonymous, moody, aws_calls):
    made = make_link(owner, moody)
    import_kind(owner, moody, "weather", "Fog over Barovia.")  # after the link: the link lacks it
    said = StringIO()
    call_command("list_share_links_on_sessions", stdout=said, stderr=StringIO())
    assert said.getvalue().strip().endswith("links that now name their session's v1.0 kinds of summary: 1")
    call_command("list_share_links_on_sessions", stdout=(again := StringIO()), stderr=StringIO())
    assert again.getvalue().strip().endswith("summary: 0")  # safe to re-run
    assert get_share_link(token_hash=made.link.token_hash).other_summary_kinds == {
        "session_mood",
        "combat_log",
        "weather",
    }
    html, operations = opened(anonymous, made, aws_calls)
    assert operations == TWO
    assert "Fog over Barovia." in html
