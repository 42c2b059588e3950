from campaigns_site.table import TableModel, new_id, user_pk, session_sk
from campaigns_site.websessions import SessionStore
import pytest


def test_web_session_round_trip(aws, aws_calls):
    store = SessionStore()
    store["hello"] = "wörld 🐉"
    store.save()
    with aws_calls() as calls:
        again = SessionStore(store.session_key)
        assert again["hello"] == "wörld 🐉"
    assert calls.operations() == ["dynamodb.GetItem"]
