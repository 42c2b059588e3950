"""accounts.websessions: all of a user's web sessions, found through their pointers."""

from datetime import UTC, datetime

from accounts.session_store import SessionStore
from accounts.websessions import delete_web_sessions, web_session_keys

ADA, BO = "sub-ada", "sub-bo"


def signed_in(sub, expiry=None):
    store = SessionStore()
    store["_auth_user_id"] = sub
    if expiry is not None:
        store.set_expiry(expiry)
    store.save()
    return store.session_key


def test_lists_the_users_live_sessions_with_one_query(aws, aws_calls):
    ada_keys = {signed_in(ADA), signed_in(ADA)}
    signed_in(BO)
    signed_in(ADA, expiry=datetime(2000, 1, 1, tzinfo=UTC))  # expired: gone
    SessionStore().create()  # anonymous: nobody's
    with aws_calls() as calls:
        assert set(web_session_keys(sub=ADA)) == ada_keys
    assert calls.operations() == ["dynamodb.Query"]


def test_delete_ends_every_session_of_the_user_and_no_other(aws, aws_calls):
    ada_keys = [signed_in(ADA) for _ in range(3)]
    bo_key = signed_in(BO)
    with aws_calls() as calls:
        assert delete_web_sessions(sub=ADA) == 3
    assert calls.operations() == ["dynamodb.Query", "dynamodb.BatchWriteItem"]
    assert web_session_keys(sub=ADA) == []
    assert not any(SessionStore().exists(key) for key in ada_keys)
    assert SessionStore().exists(bo_key)


def test_delete_pages_past_25_writes(aws):
    for _ in range(13):  # 26 deletes: two BatchWriteItem requests
        signed_in(ADA)
    assert delete_web_sessions(sub=ADA) == 13
    assert web_session_keys(sub=ADA) == []


def test_delete_with_no_sessions_writes_nothing(aws, aws_calls):
    with aws_calls() as calls:
        assert delete_web_sessions(sub=ADA) == 0
    assert calls.operations() == ["dynamodb.Query"]
