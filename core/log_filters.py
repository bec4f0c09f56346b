"""Logging filters. Expected refusals (401, 403, 404, 429 and other 4xx answers) are one line each;
only server errors (5xx) keep their traceback."""

import logging


class RefusalsWithoutTraceback(logging.Filter):
    """Drop the traceback of a request log record whose answer is a 4xx.

    Django logs ``Http404`` and ``PermissionDenied`` with the exception attached, so every missing
    page or refused action would otherwise fill the log with a traceback that shows nothing broken.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
