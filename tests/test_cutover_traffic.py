"""The traffic split's store (cutover/traffic.py): the table alone with no edge configured,
CloudFront KeyValueStore (through botocore's Stubber: moto has no such service) with one,
and a change refused when someone else changed the split since it was read."""

import botocore.auth
import pytest

from campaigns_site import aws as aws_module
from cutover import traffic
from cutover.traffic import EdgeUnavailable, Split, SplitChanged, read_split, stored_split, write_split
from tests.kvs_stub import ARN, expect_read


# --- no edge configured: the table -------------------------------------------------------
def test_without_an_edge_the_split_starts_at_zero_and_lives_in_the_table(aws):
    split = read_split()
    assert (split.percent, split.etag, split.next_step) == (0, "0", 10)
    assert "no edge configured" in split.where

    write_split(percent=10, read=split)
    again = read_split()
    assert (again.percent, again.etag, again.next_step) == (10, "1", 25)
    write_split(percent=25, read=again)
    assert (stored_split().percent, stored_split().revision, stored_split().kvs_etag) == (25, 2, None)


def test_without_an_edge_a_change_made_since_the_read_refuses_the_write(aws):
    split = read_split()
    write_split(percent=10, read=split)  # another operator, first
    with pytest.raises(SplitChanged, match="someone else changed the split"):
        write_split(percent=50, read=split)
    assert stored_split().percent == 10


def test_the_usual_steps():
    assert [Split(percent=p, etag="", where="").next_step for p in (0, 5, 10, 25, 50, 99, 100)] == [
        10,
        10,
        25,
        50,
        100,
        100,
        None,
    ]
    with pytest.raises(ValueError):
        write_split(percent=101, read=Split(percent=0, etag="0", where=""))


# --- the edge: CloudFront KeyValueStore ---------------------------------------------------
def test_the_store_is_read_with_its_etag(kvs):
    expect_read(kvs, etag="ETAG1", value="25")
    split = read_split()
    assert (split.percent, split.etag, split.next_step) == (25, "ETAG1", 50)
    assert ARN in split.where


def test_a_missing_key_reads_as_zero_as_the_cloudfront_function_does(kvs):
    expect_read(kvs, etag="ETAG0", value=None)
    assert read_split().percent == 0


def test_a_write_names_the_etag_it_read_and_the_table_keeps_a_copy(kvs):
    expect_read(kvs, etag="ETAG1", value="10")
    split = read_split()
    kvs.add_response(
        "put_key",
        {"ItemCount": 1, "TotalSizeInBytes": 16, "ETag": "ETAG2"},
        {"KvsARN": ARN, "Key": "app_percent", "Value": "25", "IfMatch": "ETAG1"},
    )
    write_split(percent=25, read=split)
    copy = stored_split()
    assert (copy.percent, copy.kvs_etag) == (25, "ETAG2")


def test_a_stale_etag_is_someone_else_s_change_and_says_so(kvs):
    expect_read(kvs, etag="ETAG1", value="10")
    split = read_split()
    kvs.add_client_error("put_key", service_error_code="ConflictException", http_status_code=409)
    with pytest.raises(SplitChanged, match="changed since it was read .ETag ETAG1 is stale.: someone else"):
        write_split(percent=25, read=split)
    assert stored_split() is None  # no copy of a change that did not happen


def test_a_refusal_of_the_store_is_edge_unavailable(kvs):
    kvs.add_client_error("describe_key_value_store", service_error_code="AccessDeniedException", http_status_code=403)
    with pytest.raises(EdgeUnavailable, match="AccessDeniedException"):
        read_split()


def test_a_value_that_is_not_a_percentage_is_refused(kvs):
    expect_read(kvs, etag="ETAG1", value="half")
    with pytest.raises(EdgeUnavailable, match="app_percent='half', not a percentage"):
        read_split()


@pytest.mark.skipif(botocore.auth.HAS_CRT, reason="awscrt is installed: SigV4A works")
def test_without_botocore_crt_the_error_says_what_to_install(aws, settings):
    settings.CUTOVER_KVS_ARN = ARN
    with pytest.raises(EdgeUnavailable, match=r"botocore\[crt\]"):
        read_split()


def test_the_store_s_client_is_made_the_way_every_client_is(aws, settings):
    settings.CUTOVER_KVS_ARN = ARN
    assert traffic._kvs() is aws_module.client("cloudfront-keyvaluestore")
