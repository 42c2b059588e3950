"""Log lines as one JSON object each, for CloudWatch Logs Insights (settings.LOG_FORMAT).

On Lambda every record is a JSON object with its level, logger, message and, inside a
request, the request's id (campaigns_site.request_log sets it), so an error's traceback
and the request line it belongs to can be found together. Local runs and tests keep the
plain format, which people read more easily than JSON.
"""

import json
import logging
from contextvars import ContextVar

# The id of the request being served on this thread (None outside a request).
current_request_id = ContextVar("current_request_id", default=None)


class JsonFormatter(logging.Formatter):
    """One JSON object per record: level, logger, message, request_id when inside a
    request, the record's `fields` (a dict given with extra={"fields": ...}) and the
    exception's traceback when there is one."""

    def format(self, record):
        line = {
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = current_request_id.get()
        if request_id:
            line["request_id"] = request_id
        line.update(getattr(record, "fields", None) or {})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exception"] = record.exc_text
        # ensure_ascii=False keeps messages as written, so CloudWatch filter patterns on
        # their words (the failed-jobs alarm's) match the JSON line as they matched the plain one.
        return json.dumps(line, ensure_ascii=False, default=str)
