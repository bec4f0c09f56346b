"""The WSGI handler the web processes run: Django's, with a request that ignores a declared charset
that is not a text encoding."""

import codecs

from django.core.handlers.wsgi import WSGIHandler, WSGIRequest
from django.http.request import parse_header_parameters


def is_text_encoding(name: str) -> bool:
    """Whether ``name`` is a codec that decodes bytes to text (``rot13`` and ``base64`` are codecs,
    but not text encodings)."""
    try:
        info = codecs.lookup(name)
    except LookupError:
        return False
    return getattr(info, "_is_text_encoding", True)


class Request(WSGIRequest):
    """Django's request, except that ``Content-Type: ...; charset=rot13`` (a codec, but no text
    encoding) is ignored as an unknown charset is: Django would decode the query string with it
    while building the request and fail before any view could answer."""

    def _set_content_type_params(self, meta):
        self.content_type, self.content_params = parse_header_parameters(meta.get("CONTENT_TYPE", ""))
        charset = self.content_params.get("charset")
        if charset and is_text_encoding(charset):
            self.encoding = charset


class Handler(WSGIHandler):
    request_class = Request
