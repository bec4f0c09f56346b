"""The normal forms in which duplicate rules compare records: emails, phone numbers (E.164),
company names and person names. Pure functions: the match keys stored on write and the values a
new record is matched by go through the same code."""

from __future__ import annotations

import re

from django.conf import settings

from core.normalize import unaccent

GMAIL_DOMAINS = frozenset({"gmail.com", "googlemail.com"})

# Country calling codes by ISO code, with the names a record's country field may use for them.
CALLING_CODES: dict[str, str] = {
    "US": "1",
    "CA": "1",
    "GB": "44",
    "IE": "353",
    "FR": "33",
    "DE": "49",
    "ES": "34",
    "IT": "39",
    "PT": "351",
    "NL": "31",
    "BE": "32",
    "LU": "352",
    "CH": "41",
    "AT": "43",
    "SE": "46",
    "NO": "47",
    "DK": "45",
    "FI": "358",
    "PL": "48",
    "AU": "61",
    "NZ": "64",
    "JP": "81",
    "IN": "91",
    "BR": "55",
    "MX": "52",
}
COUNTRY_NAMES: dict[str, str] = {
    "united states": "US",
    "united states of america": "US",
    "usa": "US",
    "canada": "CA",
    "united kingdom": "GB",
    "uk": "GB",
    "great britain": "GB",
    "england": "GB",
    "ireland": "IE",
    "france": "FR",
    "germany": "DE",
    "deutschland": "DE",
    "spain": "ES",
    "espana": "ES",
    "italy": "IT",
    "italia": "IT",
    "portugal": "PT",
    "netherlands": "NL",
    "belgium": "BE",
    "belgique": "BE",
    "luxembourg": "LU",
    "switzerland": "CH",
    "suisse": "CH",
    "austria": "AT",
    "sweden": "SE",
    "norway": "NO",
    "denmark": "DK",
    "finland": "FI",
    "poland": "PL",
    "australia": "AU",
    "new zealand": "NZ",
    "japan": "JP",
    "india": "IN",
    "brazil": "BR",
    "brasil": "BR",
    "mexico": "MX",
}
# Countries whose national numbers start with a trunk prefix 0 that E.164 leaves out.
TRUNK_ZERO = frozenset(CALLING_CODES) - {"US", "CA", "IT"}

LEGAL_SUFFIXES = frozenset(
    [
        "inc",
        "incorporated",
        "corp",
        "corporation",
        "co",
        "company",
        "ltd",
        "limited",
        "llc",
        "llp",
        "lp",
        "plc",
        "pllc",
        "gmbh",
        "mbh",
        "ag",
        "kg",
        "ug",
        "sa",
        "sas",
        "sasu",
        "sarl",
        "srl",
        "spa",
        "sl",
        "slu",
        "bv",
        "nv",
        "oy",
        "oyj",
        "ab",
        "as",
        "asa",
        "aps",
        "kk",
        "pty",
        "pvt",
        "pte",
        "bhd",
        "sdn",
        "se",
        "eurl",
        "sca",
    ]
)
_PUNCTUATION = re.compile(r"[^\w\s]")
_SPACES = re.compile(r"\s+")


def email_exact(email: str | None) -> str:
    """The address as written, without surrounding spaces and with its domain in lower case
    (domains ignore case; the local part is compared as written)."""
    email = (email or "").strip()
    local, at, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}" if at and local else email


def email_normalized(email: str | None, *, gmail_dots: bool = False) -> str:
    """Lower case, without a ``+tag`` on the local part; with ``gmail_dots``, Gmail addresses also
    without the dots Gmail ignores (and googlemail.com as gmail.com)."""
    email = (email or "").strip().lower()
    local, at, domain = email.rpartition("@")
    if not at or not local or not domain:
        return email
    local = local.split("+", 1)[0]
    if gmail_dots and domain in GMAIL_DOMAINS:
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}" if local else ""


def country_code(country: str | None, default: str | None = None) -> str:
    """The ISO code of a record's country (a code or a known name), else ``default`` (the
    DEDUPE_DEFAULT_COUNTRY setting)."""
    text = unaccent((country or "").strip()).lower().replace(".", "")
    if text.upper() in CALLING_CODES:
        return text.upper()
    if text in COUNTRY_NAMES:
        return COUNTRY_NAMES[text]
    fallback = default if default is not None else getattr(settings, "DEDUPE_DEFAULT_COUNTRY", "US")
    return (fallback or "US").upper()


def phone_e164(phone: str | None, *, country: str = "US") -> str:
    """The number in E.164 form ("+14155550100"), or "" when it is not a plausible number. A
    number without an international prefix (``+`` or ``00``) is read as a national number of
    ``country`` (an ISO code)."""
    text = (phone or "").strip()
    # An extension is not part of the number.
    text = re.split(r"(?i)\s*(?:ext\.?|x|#)\s*\d+\s*$", text)[0]
    digits = re.sub(r"\D", "", text)
    if not digits:
        return ""
    if text.startswith("+"):
        number = digits
    elif digits.startswith("00"):
        number = digits[2:]
    elif digits.startswith("011") and country in {"US", "CA"}:
        number = digits[3:]
    else:
        code = CALLING_CODES.get(country.upper(), "1")
        if code == "1" and len(digits) == 11 and digits.startswith("1"):
            number = digits
        else:
            if country.upper() in TRUNK_ZERO and digits.startswith("0"):
                digits = digits[1:]
            number = code + digits
    if not 8 <= len(number) <= 15 or number.startswith("0"):
        return ""
    return "+" + number


def company_key(company: str | None) -> str:
    """The company's name without accents, case, punctuation, a leading "the" and legal suffixes:
    "ACME, Inc." and "Acme Incorporated" -> "acme"; "Société Générale S.A." -> "societe generale"."""
    text = unaccent(company or "").lower().replace("&", " and ")
    text = _PUNCTUATION.sub(" ", text.replace(".", ""))
    words = _SPACES.split(text.strip())
    while len(words) > 1 and words[-1] in LEGAL_SUFFIXES:
        words.pop()
    if len(words) > 1 and words[0] == "the":
        words.pop(0)
    return " ".join(w for w in words if w)


def name_key(first_name: str | None, last_name: str | None) -> str:
    """A person's first and last name without accents, case or punctuation, for trigram similarity."""
    text = unaccent(f"{first_name or ''} {last_name or ''}").lower()
    return " ".join(_PUNCTUATION.sub(" ", text).split())
