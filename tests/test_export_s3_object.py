"""The zip's way into S3 (exports/s3_object.py): a writable, non-seekable file object that
sends 8 MB parts as they fill, completes on a clean exit, aborts on an error (and on a
close without finish), and sends a small file with one PutObject."""

import io
import zipfile

import pytest
from django.conf import settings

from campaigns_site import aws as aws_module
from exports import s3_object
from exports.s3_object import S3MultipartWriter

KEY = "exports/user-1/01JOB/campaign-sessions-2026-12-05.zip"
MB = 1024 * 1024


def stored(key=KEY):
    return aws_module.client("s3").get_object(Bucket=settings.TRANSCRIPT_BUCKET, Key=key)["Body"].read()


def uploads_under_way():
    return aws_module.client("s3").list_multipart_uploads(Bucket=settings.TRANSCRIPT_BUCKET).get("Uploads", [])


def test_a_large_file_goes_up_in_parts_as_it_is_written(aws, aws_calls, monkeypatch):
    monkeypatch.setattr(s3_object, "PART_SIZE", 5 * MB)  # S3's smallest part, to keep the test light
    data = bytes(range(256)) * (12 * MB // 256)
    with aws_calls() as calls, S3MultipartWriter(key=KEY) as stream:
        for start in range(0, len(data), MB):
            stream.write(data[start : start + MB])
            assert len(stream.buffer) < 5 * MB  # never more than a part held
    assert calls.operations() == [
        "s3.CreateMultipartUpload",
        "s3.UploadPart",
        "s3.UploadPart",
        "s3.UploadPart",  # 5 + 5 + 2 MB
        "s3.CompleteMultipartUpload",
    ]
    assert stream.size == len(data) and stored() == data


def test_a_small_file_is_one_put_object(aws, aws_calls):
    with aws_calls() as calls, S3MultipartWriter(key=KEY) as stream:
        stream.write(b"small")
    assert calls.operations() == ["s3.PutObject"]
    head = aws_module.client("s3").head_object(Bucket=settings.TRANSCRIPT_BUCKET, Key=KEY)
    assert head["ContentType"] == "application/zip" and stored() == b"small"


def test_zipfile_writes_into_it_without_seeking(aws):
    with S3MultipartWriter(key=KEY) as stream:
        assert stream.writable() and not stream.seekable()
        with zipfile.ZipFile(stream, "w") as archive:
            archive.writestr("manifest.json", "{}")
    with zipfile.ZipFile(io.BytesIO(stored())) as archive:
        assert archive.read("manifest.json") == b"{}"


def test_an_error_aborts_the_upload_and_leaves_no_object(aws, aws_calls, monkeypatch):
    monkeypatch.setattr(s3_object, "PART_SIZE", 5 * MB)
    with aws_calls() as calls, pytest.raises(OSError), S3MultipartWriter(key=KEY) as stream:
        stream.write(b"x" * 6 * MB)
        assert len(uploads_under_way()) == 1
        raise OSError("the writer broke")
    assert calls.operations()[-1] == "s3.AbortMultipartUpload"
    assert uploads_under_way() == []
    listed = aws_module.client("s3").list_objects_v2(Bucket=settings.TRANSCRIPT_BUCKET, Prefix="exports/")
    assert "Contents" not in listed


def test_closing_without_finishing_aborts_too(aws, monkeypatch):
    monkeypatch.setattr(s3_object, "PART_SIZE", 5 * MB)
    stream = S3MultipartWriter(key=KEY)
    stream.write(b"x" * 5 * MB)
    stream.close()  # e.g. the zipfile's owner gave up: half a zip never becomes an object
    assert uploads_under_way() == [] and stream.closed
    with pytest.raises(ValueError):
        stream.write(b"more")
