"""What a public submission must be to be stored: PostgreSQL text and ``jsonb`` hold neither NUL
characters nor unpaired UTF-16 surrogates (a JSON body may carry ``\\u0000`` or ``\\ud800``), and
``jsonb`` holds no NaN or infinite number. Such characters are replaced by U+FFFD and such numbers
kept as their text, and the row says it was changed.

The check is a scan of each key and text value that stops at the first hit, so the submissions
every visitor sends (plain text) pay a few string searches and no copy."""

import math
import re

REPLACEMENT = "\ufffd"
_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTAINERS = (dict, list, tuple)


def text_is_storable(text: str) -> bool:
    return "\x00" not in text and (text.isascii() or _SURROGATE.search(text) is None)


def storable_text(text: str) -> str:
    return _SURROGATE.sub(REPLACEMENT, text.replace("\x00", REPLACEMENT))


def _value_is_storable(value) -> bool:
    if type(value) is str:
        return text_is_storable(value)
    if type(value) is float:
        return math.isfinite(value)
    return True


def is_storable(payload) -> bool:
    """Whether every key and value of a (nested) payload can be stored as it is."""
    stack = [payload]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if not (text_is_storable(key) if type(key) is str else True):
                    return False
                if isinstance(value, _CONTAINERS):
                    stack.append(value)
                elif not _value_is_storable(value):
                    return False
        elif isinstance(item, list | tuple):
            for value in item:
                if isinstance(value, _CONTAINERS):
                    stack.append(value)
                elif not _value_is_storable(value):
                    return False
        elif not _value_is_storable(item):
            return False
    return True


def _cleaned(value):
    if isinstance(value, str):
        return storable_text(value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {(_cleaned(k) if isinstance(k, str) else k): _cleaned(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_cleaned(v) for v in value]
    return value


def storable(payload) -> tuple[object, bool]:
    """The payload as it can be stored, and whether anything had to be replaced."""
    if is_storable(payload):
        return payload, False
    return _cleaned(payload), True
