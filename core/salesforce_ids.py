"""Salesforce record ids, as forms and data moved from Salesforce carry them.

An id has a 15-character, case-sensitive form and an 18-character form: the same 15 characters
followed by a 3-character checksum of their case, which lets case-insensitive tools tell ids
apart. Both name the same record; the 15-character form is the one stored."""

import re

_ID_RE = re.compile(r"[A-Za-z0-9]{15}(?:[A-Z0-5]{3})?")
_CHECKSUM_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


def id_checksum(id15: str) -> str:
    """The 3-character suffix of the 18-character form: for each 5-character chunk, a bit per
    upper-case letter, read as an index into A-Z0-5."""
    suffix = ""
    for start in (0, 5, 10):
        bits = sum(1 << i for i, char in enumerate(id15[start : start + 5]) if "A" <= char <= "Z")
        suffix += _CHECKSUM_ALPHABET[bits]
    return suffix


def id15(value: str) -> str | None:
    """The 15-character form of a Salesforce id given in either form, or ``None`` when ``value``
    is not one. The case of an 18-character form is read from its checksum, so an id that a
    case-insensitive tool changed (``00d5g000004xyzaeak``) still names its record."""
    value = (value or "").strip()
    if len(value) == 18:
        value = value[:15] + value[15:].upper()
    if not _ID_RE.fullmatch(value):
        return None
    if len(value) == 15:
        return value
    chars = list(value[:15])
    for chunk, mark in enumerate(value[15:]):
        bits = _CHECKSUM_ALPHABET.index(mark)
        for i in range(5):
            pos = chunk * 5 + i
            chars[pos] = chars[pos].upper() if bits & (1 << i) else chars[pos].lower()
    short = "".join(chars)
    # A letter the checksum marks as upper case must be a letter.
    return short if id_checksum(short) == value[15:] else None


def id18(value: str) -> str | None:
    short = id15(value)
    return None if short is None else short + id_checksum(short)
