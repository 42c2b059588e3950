from datetime import UTC, datetime

import pytest
from django.contrib.sessions.backends.base import CreateError, UpdateError
from django.test import Client

from accounts.items import WebSession
from accounts.profiles import create_profile, profile_for_request
from accounts.session_store import SessionStore, sub_of_session_key
from campaigns_site import aws as aws_module

LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)


def saved_session(**data):
    store = SessionStore()
    store.update(data)
    store.save()
    return store


def raw_item(settings, session_key):
    response = aws_module.client("dynamodb").get_item(
        TableName=settings.DYNAMODB_TABLE,
        Key={"PK": {"S": f"WEBSESSION#{session_key}"}, "SK": {"S": "WEBSESSION"}},
    )
    return response.get("Item")


def test_web_session_round_trip(aws, aws_calls):
    store = saved_session(hello="wörld 🐉")
    with aws_calls() as calls:
        again = SessionStore(store.session_key)
        assert again["hello"] == "wörld 🐉"
    assert calls.operations() == ["dynamodb.GetItem"]


def test_item_carries_entity_and_ttl_at_the_expiry_date(aws, settings):
    store = saved_session(hello="there")
    item = raw_item(settings, store.session_key)
    assert item["entity"] == {"S": "WebSession"}
    # The expiry is computed at save time and again here, so allow the second between.
    assert abs(int(item["ttl"]["N"]) - store.get_expiry_date().timestamp()) <= 2


def test_create_makes_a_new_key_each_time(aws):
    first, second = SessionStore(), SessionStore()
    first.create()
    second.create()
    assert first.session_key != second.session_key
    assert first.exists(first.session_key) and second.exists(second.session_key)


def test_unknown_or_malformed_key_loads_empty_and_forgets_the_key(aws):
    for key in ["nosuchsessionkey", "bad#key#from#a#cookie"]:
        store = SessionStore(key)
        assert store.load() == {}
        assert store.session_key is None
        assert not store.exists(key)


def test_expired_session_is_gone_even_while_the_item_remains(aws, settings):
    store = SessionStore()
    store["hello"] = "there"
    store.set_expiry(LONG_AGO)
    store.save()
    # moto never deletes expired items (DynamoDB does so late): the item is still there...
    assert raw_item(settings, store.session_key) is not None
    assert WebSession.get(f"WEBSESSION#{store.session_key}", "WEBSESSION").expires == LONG_AGO
    # ...but the store treats it as gone.
    assert not SessionStore().exists(store.session_key)
    again = SessionStore(store.session_key)
    assert again.load() == {}
    assert again.session_key is None


def test_delete(aws, settings):
    store = saved_session(hello="there")
    key = store.session_key
    store.delete()
    assert raw_item(settings, key) is None
    assert not SessionStore().exists(key)


def test_delete_of_unknown_or_malformed_key_is_quiet(aws):
    SessionStore().delete("nosuchsessionkey")
    SessionStore().delete("bad#key#from#a#cookie")
    SessionStore().delete()


def test_must_create_on_an_existing_key_raises_create_error(aws):
    existing = saved_session(owner="first")
    intruder = SessionStore()
    intruder._session_key = existing.session_key
    intruder["owner"] = "second"
    with pytest.raises(CreateError):
        intruder.save(must_create=True)
    assert SessionStore(existing.session_key)["owner"] == "first"


def test_create_retries_with_a_new_key_on_collision(aws, monkeypatch):
    existing = saved_session(owner="first")
    keys = iter([existing.session_key, "freshsessionkey12345678901234567"])
    store = SessionStore()
    monkeypatch.setattr(store, "_get_new_session_key", lambda: next(keys))
    store.create()
    assert store.session_key == "freshsessionkey12345678901234567"
    assert SessionStore(existing.session_key)["owner"] == "first"


def test_saving_a_session_deleted_meanwhile_does_not_bring_it_back(aws):
    store = saved_session(user="u1")
    other_tab = SessionStore(store.session_key)
    other_tab["seen"] = True  # loaded before the logout below
    SessionStore().delete(store.session_key)
    with pytest.raises(UpdateError):
        other_tab.save()
    assert not SessionStore().exists(store.session_key)


def test_update_keeps_the_key_and_replaces_the_data(aws):
    store = saved_session(step=1)
    again = SessionStore(store.session_key)
    again["step"] = 2
    again.save()
    assert again.session_key == store.session_key
    assert SessionStore(store.session_key)["step"] == 2


def test_the_test_client_keeps_its_session_in_the_table(aws, settings):
    assert settings.SESSION_ENGINE == "accounts.session_store"
    client = Client()
    session = client.session
    session["hello"] = "there"
    session.save()
    assert SessionStore(session.session_key)["hello"] == "there"


def test_clear_expired_is_left_to_the_table_ttl(aws):
    assert SessionStore.clear_expired() is None


def test_cycle_key_moves_the_data_and_deletes_the_old_item(aws, settings):
    store = saved_session(cart="dice")
    old_key = store.session_key
    store.cycle_key()
    assert raw_item(settings, old_key) is None
    # The new key is made when the session is saved (the middleware saves a modified
    # session), so that it can carry the sub of a user logged in after the cycle.
    assert store.modified
    store.save()
    assert store.session_key not in (None, old_key)
    assert SessionStore(store.session_key)["cart"] == "dice"


# --- Signed-in sessions: the key carries the sub ------------------------------------
SUB = "3f1c2b8e-0d4a-4c55-9a8e-1b2c3d4e5f60"


def raw_pointer(settings, sub, session_key):
    response = aws_module.client("dynamodb").get_item(
        TableName=settings.DYNAMODB_TABLE,
        Key={"PK": {"S": f"USER#{sub}"}, "SK": {"S": f"WEBSESSION#{session_key}"}},
    )
    return response.get("Item")


def signed_in_session(sub=SUB, **data):
    return saved_session(_auth_user_id=sub, **data)


def test_key_of_a_signed_in_session_carries_the_sub(aws):
    anonymous, signed_in = saved_session(hello="there"), signed_in_session()
    assert sub_of_session_key(anonymous.session_key) is None
    assert sub_of_session_key(signed_in.session_key) == SUB
    assert len(signed_in.session_key.partition("-")[0]) == 32


@pytest.mark.parametrize("key", ["", None, "short-" + SUB, "x" * 40, "x" * 32 + "-"])
def test_only_a_full_random_part_and_a_sub_make_a_signed_in_key(key):
    assert sub_of_session_key(key) is None


def test_signed_in_session_has_a_pointer_with_the_same_expiry(aws, settings):
    store = signed_in_session()
    item, pointer = raw_item(settings, store.session_key), raw_pointer(settings, SUB, store.session_key)
    assert pointer["entity"] == {"S": "WebSessionPointer"}
    assert pointer["ttl"] == item["ttl"]


def test_loading_a_signed_in_session_reads_the_profile_in_the_same_request(aws, aws_calls):
    create_profile(sub=SUB, email="ada@example.com", display_name="Ada")
    store = signed_in_session()
    with aws_calls() as calls:
        assert SessionStore(store.session_key)["_auth_user_id"] == SUB
    assert calls.operations() == ["dynamodb.BatchGetItem"]
    with aws_calls() as calls:
        assert profile_for_request(sub=SUB).display_name == "Ada"
    assert calls.operations() == []


def test_a_missing_profile_is_handed_over_as_missing(aws, aws_calls):
    store = signed_in_session()
    SessionStore(store.session_key).load()
    with aws_calls() as calls:
        assert profile_for_request(sub=SUB) is None
    assert calls.operations() == []


def test_an_expired_signed_in_session_is_gone_and_hands_over_nothing(aws, aws_calls):
    create_profile(sub=SUB, email="ada@example.com")
    store = SessionStore()
    store.update({"_auth_user_id": SUB})
    store.set_expiry(LONG_AGO)
    store.save()
    again = SessionStore(store.session_key)
    assert again.load() == {}
    assert again.session_key is None
    assert profile_for_request(sub=SUB) is None


def test_a_forged_key_naming_someone_finds_nothing(aws):
    create_profile(sub=SUB, email="ada@example.com")
    forged = SessionStore("a" * 32 + "-" + SUB)
    assert forged.load() == {}
    assert forged.session_key is None
    assert profile_for_request(sub=SUB) is None


def test_logging_in_rotates_the_key_at_save(aws, settings):
    store = saved_session(cart="dice")
    anonymous_key = store.session_key
    store.cycle_key()  # what django.contrib.auth.login does first...
    store["_auth_user_id"] = SUB  # ...then it stores the user
    store.save()
    assert sub_of_session_key(store.session_key) == SUB
    assert raw_item(settings, anonymous_key) is None
    assert SessionStore(store.session_key)["cart"] == "dice"


def test_a_session_that_changes_hands_gets_a_new_key(aws, settings):
    store = signed_in_session()
    old_key = store.session_key
    store["_auth_user_id"] = "another-sub"  # without cycle_key: the store still rotates
    store.save()
    assert sub_of_session_key(store.session_key) == "another-sub"
    assert raw_item(settings, old_key) is None
    assert raw_pointer(settings, SUB, old_key) is None
    assert raw_pointer(settings, "another-sub", store.session_key) is not None


def test_updating_a_signed_in_session_keeps_its_key_and_refreshes_the_pointer(aws, settings, aws_calls):
    store = signed_in_session()
    again = SessionStore(store.session_key)
    again["step"] = 2
    with aws_calls() as calls:
        again.save()
    assert again.session_key == store.session_key
    assert calls.operations() == ["dynamodb.PutItem", "dynamodb.PutItem"]


def test_deleting_a_signed_in_session_deletes_its_pointer_in_one_request(aws, settings, aws_calls):
    store = signed_in_session()
    key = store.session_key
    with aws_calls() as calls:
        store.delete()
    assert calls.operations() == ["dynamodb.BatchWriteItem"]
    assert raw_item(settings, key) is None
    assert raw_pointer(settings, SUB, key) is None


def test_new_keys_cost_no_lookup_first(aws, aws_calls):
    with aws_calls() as calls:
        SessionStore().create()
    assert calls.operations() == ["dynamodb.PutItem"]
