import pytest
from ulid import ULID

from campaigns_site.table import TableModel
from campaigns_site.table_keys import (
    PROFILE_SK,
    InvalidKeyPart,
    campaign_sk,
    new_id,
    play_order_key,
    search_order_key,
    search_sk,
    session_sk,
    sessions_of_campaign_prefix,
    share_pk,
    summaries_prefix,
    summary_sk,
    user_pk,
    web_session_pk,
)


def test_keys_have_the_documented_shapes():
    assert user_pk("sub-1") == "USER#sub-1"
    assert PROFILE_SK == "PROFILE"
    assert campaign_sk("C1") == "CAMPAIGN#C1"
    assert session_sk("C1", "S1") == "SESSION#C1#S1"
    assert summary_sk("C1", "S1", "recap") == "SUMMARY#C1#S1#recap"
    assert share_pk("abc") == "SHARE#abc"
    assert web_session_pk("k") == "WEBSESSION#k"


def test_order_and_prefix_keys_have_the_documented_shapes():
    assert summaries_prefix("C1") == "SUMMARY#C1#"
    assert summaries_prefix("C1", "S1") == "SUMMARY#C1#S1#"
    assert search_sk("S1") == "SEARCH#S1"
    assert play_order_key(campaign_id="C1", played_on="2024-05-31", number=3, session_id="S1") == (
        "SESSION#C1#2024-05-31#0000000003#S1"
    )
    assert search_order_key(played_on=None, number=None, session_id="S1") == "SEARCH#0000-00-00#-#S1"


def test_sessions_of_a_campaign_prefix_matches_only_that_campaign():
    prefix = sessions_of_campaign_prefix("C1")
    assert session_sk("C1", "S1").startswith(prefix)
    assert not session_sk("C10", "S1").startswith(prefix)


@pytest.mark.parametrize("bad", ["", "a#b", "#", "x" * 201])
@pytest.mark.parametrize(
    "build",
    [
        user_pk,
        campaign_sk,
        web_session_pk,
        share_pk,
        lambda part: session_sk("C1", part),
        lambda part: session_sk(part, "S1"),
        lambda part: summary_sk("C1", "S1", part),
        sessions_of_campaign_prefix,
        search_sk,
        summaries_prefix,
        lambda part: summaries_prefix("C1", part),
        lambda part: play_order_key(campaign_id=part, played_on=None, number=None, session_id="S1"),
        lambda part: search_order_key(played_on=None, number=None, session_id=part),
    ],
)
def test_key_parts_that_could_break_out_of_a_key_are_refused(build, bad):
    with pytest.raises(InvalidKeyPart):
        build(bad)


def test_invalid_key_part_is_a_value_error():
    assert issubclass(InvalidKeyPart, ValueError)


def test_new_ids_are_unique_ulids():
    ids = {new_id() for _ in range(1000)}
    assert len(ids) == 1000
    for value in ids:
        assert str(ULID.from_str(value)) == value


def test_the_table_re_exports_the_key_helpers():
    from campaigns_site import table

    assert table.user_pk is user_pk
    assert table.InvalidKeyPart is InvalidKeyPart


def test_base_model_uses_the_single_table_schema(settings):
    assert TableModel.Meta.table_name == settings.DYNAMODB_TABLE
    assert TableModel.pk.attr_name == "PK"
    assert TableModel.sk.attr_name == "SK"
    assert TableModel.entity.attr_name == "entity"
