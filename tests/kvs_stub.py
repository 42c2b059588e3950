"""CloudFront KeyValueStore in tests, through botocore's Stubber (moto has no such service):
the store's ARN, the answers of a read, and SigV4A let through without awscrt. The `kvs`
fixture (tests/conftest.py) puts the Stubber on the client."""

import botocore.auth

ARN = "arn:aws:cloudfront::123456789012:key-value-store/a1b2c3d4-5678-90ab-cdef-example11111"
STORE = {"ItemCount": 1, "TotalSizeInBytes": 16, "KvsARN": ARN, "Created": "2026-01-01T00:00:00Z"}


def allow_sigv4a_without_crt(monkeypatch):
    """The KeyValueStore's endpoint asks for SigV4A, which botocore signs only with awscrt
    (botocore[crt]). The Stubber answers before anything is signed, so in tests a stand-in
    signer lets endpoint resolution pass; production needs the CRT (tests/test_cutover_traffic.py)."""
    if not botocore.auth.HAS_CRT:
        monkeypatch.setitem(botocore.auth.AUTH_TYPE_MAPS, "v4a", botocore.auth.SigV4Auth)


def expect_read(stub, *, etag, value):
    """The answers of one read of the split: the store's ETag, then the key (None: no key yet)."""
    stub.add_response("describe_key_value_store", {**STORE, "ETag": etag}, {"KvsARN": ARN})
    if value is None:
        stub.add_client_error("get_key", service_error_code="ResourceNotFoundException", http_status_code=404)
    else:
        stub.add_response(
            "get_key",
            {"Key": "app_percent", "Value": value, "ItemCount": 1, "TotalSizeInBytes": 16},
            {"KvsARN": ARN, "Key": "app_percent"},
        )
