"""A zip written straight into S3 as it is made: neither memory nor /tmp holds it whole.

S3MultipartWriter is a writable, non-seekable binary file object (zipfile writes into one
with data descriptors, never seeking back). It keeps one part in memory (PART_SIZE, 8 MB:
S3's minimum part is 5 MB, and 10,000 parts of 8 MB allow a zip of 78 GB) and sends each
with UploadPart as soon as it is full. A zip smaller than one part never starts a multipart
upload: it is sent with one PutObject when finished (most exports: one request instead of
three).

Use it as a context manager: leaving the block normally completes the upload (the object
appears, whole, at that moment); leaving it with an exception aborts it, so no part is
kept (and no object appears). close() without finish() aborts too: an object is only ever
made on purpose, never from half a zip. Anything left over (a process killed mid-upload)
is aborted by the bucket's lifecycle rule after a day.
"""

import io
import logging

from django.conf import settings

from campaigns_site import aws

logger = logging.getLogger(__name__)

PART_SIZE = 8 * 1024 * 1024
ZIP = "application/zip"


class S3MultipartWriter(io.RawIOBase):
    def __init__(self, *, key, bucket=None, content_type=ZIP, part_size=None):
        super().__init__()
        self.key = key
        self.bucket = bucket or settings.TRANSCRIPT_BUCKET
        self.content_type = content_type
        self.part_size = part_size or PART_SIZE  # read when made: tests set a smaller one
        self.buffer = bytearray()
        self.upload_id = None
        self.parts = []  # [{"PartNumber": n, "ETag": ...}]
        self.size = 0  # bytes written so far
        self.finished = False
        self.s3 = aws.client("s3")

    # --- the file object
    def writable(self):
        return True

    def seekable(self):
        return False

    def tell(self):
        return self.size

    def write(self, data):
        if self.closed:
            raise ValueError("write to a closed S3MultipartWriter")
        self.buffer += data
        self.size += len(data)
        while len(self.buffer) >= self.part_size:
            self._send_part(bytes(self.buffer[: self.part_size]))
            del self.buffer[: self.part_size]
        return len(data)

    def __exit__(self, kind, error, traceback):
        if kind is None:
            self.finish()
        else:
            self.abort()
        return False

    def close(self):
        """Without finish(): abort (see the module docstring)."""
        if not self.closed and not self.finished:
            self.abort()
        super().close()

    # --- the upload
    def finish(self):
        """Send what is left and make the object; returns its size in bytes."""
        if self.upload_id is None:
            self.s3.put_object(Bucket=self.bucket, Key=self.key, Body=bytes(self.buffer), ContentType=self.content_type)
        else:
            if self.buffer:
                self._send_part(bytes(self.buffer))
            self.s3.complete_multipart_upload(
                Bucket=self.bucket, Key=self.key, UploadId=self.upload_id, MultipartUpload={"Parts": self.parts}
            )
        self.buffer = bytearray()
        self.finished = True
        self.close()
        return self.size

    def abort(self):
        """Drop every part sent (never raises: it runs while another error is on its way)."""
        self.buffer = bytearray()
        upload_id, self.upload_id = self.upload_id, None
        if upload_id is not None:
            try:
                self.s3.abort_multipart_upload(Bucket=self.bucket, Key=self.key, UploadId=upload_id)
            except Exception:  # the lifecycle rule aborts it after a day
                logger.exception("export upload %s: could not abort; the bucket's lifecycle rule will", self.key)
        self.finished = True  # nothing more to do: close() must not abort again
        if not self.closed:
            super().close()

    def _send_part(self, data):
        if self.upload_id is None:
            started = self.s3.create_multipart_upload(Bucket=self.bucket, Key=self.key, ContentType=self.content_type)
            self.upload_id = started["UploadId"]
        number = len(self.parts) + 1
        sent = self.s3.upload_part(
            Bucket=self.bucket, Key=self.key, UploadId=self.upload_id, PartNumber=number, Body=data
        )
        self.parts.append({"PartNumber": number, "ETag": sent["ETag"]})
