"""Whatever a client posts, the visitor is answered (success or 400, never a 5xx) and the
submission is stored: exactly one intake row per request.

Property tests over arbitrary bytes, field names, content types and JSON shapes. The examples are
bounded so the module runs in a few seconds; each example is one request in the test's transaction.
"""

import json
import math
from urllib.parse import quote_plus

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from django.test.client import FakePayload
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from webtolead.fields import SALESFORCE_FIELDS
from webtolead.models import Intake

pytestmark = pytest.mark.django_db

URL = "/web-to-lead/"
FUZZ = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    # The form and settings fixtures are made once per test; every example adds its own rows.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

CONTENT_TYPES = st.one_of(
    st.sampled_from(
        [
            "application/x-www-form-urlencoded",
            "application/x-www-form-urlencoded; charset=utf-16",
            "application/x-www-form-urlencoded; charset=no-such-charset",
            "application/json",
            "application/json; charset=latin-1",
            "multipart/form-data",
            "multipart/form-data; boundary=xyz",
            "text/plain",
            "text/plain;charset=UTF-8",
            "",
        ]
    ),
    st.text(max_size=60),
)
# Field names a form may post, Salesforce's among them, and anything else.
NAMES = st.one_of(st.sampled_from([*SALESFORCE_FIELDS, "oid", "retURL", "Campaign_ID", "w2l_key"]), st.text())
TEXTS = st.one_of(st.text(), st.sampled_from(["\x00", "a\x00b", "\ud800", "x\udfffy", "Web", "9" * 400]))
JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**60), max_value=10**60),
    st.floats(allow_nan=True, allow_infinity=True),
    TEXTS,
)
JSON_VALUES = st.recursive(
    JSON_SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(NAMES, inner, max_size=4), max_leaves=12
)


def _post(body: bytes, content_type: str, query: str = ""):
    # A fresh client per example: no cookie or state carries over between requests.
    return Client().generic("POST", f"{URL}{query}", body, content_type=content_type)


def _assert_answered_and_stored_once(response, before: int) -> None:
    assert response.status_code < 500, response.content[:300]
    assert response.status_code in {200, 303, 400, 403}, response.status_code
    assert Intake.objects.count() == before + 1


@pytest.fixture
def form_key(web_form):
    return web_form.public_key


@FUZZ
@given(body=st.binary(max_size=300), content_type=CONTENT_TYPES)
def test_arbitrary_bytes_under_any_content_type(form_key, body, content_type):
    before = Intake.objects.count()

    response = _post(body, content_type, f"?form={form_key}")

    _assert_answered_and_stored_once(response, before)


@FUZZ
@given(fields=st.lists(st.tuples(NAMES, TEXTS), max_size=8), charset=st.sampled_from(["", "UTF-8", "ISO-8859-1"]))
def test_arbitrary_field_names_and_values_of_a_form_post(form_key, fields, charset):
    pairs = [("oid", form_key), *fields]
    body = "&".join(
        f"{quote_plus(k, errors='surrogatepass')}={quote_plus(v, errors='surrogatepass')}" for k, v in pairs
    )
    before = Intake.objects.count()

    response = _post(body.encode("ascii"), "application/x-www-form-urlencoded", f"?encoding={charset}")

    _assert_answered_and_stored_once(response, before)


@FUZZ
@given(fields=st.dictionaries(NAMES, JSON_VALUES, max_size=8), with_key=st.booleans())
def test_arbitrary_json_shapes(form_key, fields, with_key):
    if with_key:
        fields["oid"] = form_key
    body = json.dumps(fields, allow_nan=True).encode("utf-8", errors="surrogatepass")
    before = Intake.objects.count()

    response = _post(body, "application/json")

    _assert_answered_and_stored_once(response, before)


@FUZZ
@given(top=JSON_VALUES)
def test_any_json_document_not_only_objects(form_key, top):
    body = json.dumps(top, allow_nan=True).encode("utf-8", errors="surrogatepass")
    before = Intake.objects.count()

    response = _post(body, "application/json", f"?form={form_key}")

    _assert_answered_and_stored_once(response, before)


@pytest.mark.parametrize(
    "body",
    [
        "[" * 5000 + "]" * 5000,
        '{"a":' * 3000 + "1" + "}" * 3000,
        '{"last_name": ' + "[" * 30 + "]" * 30 + "}",
        '{"revenue": 1e999, "employees": NaN, "company": -Infinity}',
        '{"employees": ' + "9" * 4000 + "}",
        '{"employees": ' + "9" * 5000 + "}",
    ],
    ids=["deep-array", "deep-object", "nested-value", "non-finite", "huge-int", "over-int-limit"],
)
def test_json_the_parser_or_the_database_cannot_take_is_refused_and_kept(client, form_key, body):
    response = client.post(f"{URL}?form={form_key}", body, content_type="application/json")

    assert response.status_code in {200, 400}
    intake = Intake.objects.get()
    assert intake.payload  # the submission, or its text, is kept


def test_nul_characters_and_lone_surrogates_are_replaced_and_the_row_flagged(client, web_form, fields_for):
    body = json.dumps(
        fields_for(web_form, last_name="Nul\x00l", description="Half \ud800 pair", **{"bad\x00name": "x"})
    )

    response = client.post(URL, body, content_type="application/json")

    assert response.status_code == 200
    intake = Intake.objects.get()
    assert intake.sanitized is True
    assert intake.payload["last_name"] == "Nul\ufffdl"
    assert intake.payload["description"] == "Half \ufffd pair"
    assert intake.payload["bad\ufffdname"] == "x"
    assert intake.lead.last_name == "Nul\ufffdl"


def test_an_ordinary_submission_is_not_flagged(client, web_form, fields_for):
    client.post(URL, fields_for(web_form, last_name="Plain"))

    assert Intake.objects.get().sanitized is False


def test_non_finite_and_huge_json_numbers_are_kept_as_their_text(client, web_form, fields_for):
    body = json.dumps(fields_for(web_form, Campaign_ID=None)).replace("}", ', "score": NaN, "big": 1e999}')

    response = client.post(URL, body, content_type="application/json")

    assert response.status_code == 200
    payload = Intake.objects.get().payload
    assert payload["score"] == "NaN"
    assert payload["big"] == "1e999"
    assert not any(isinstance(v, float) and not math.isfinite(v) for v in payload.values())


def _through_the_web_process(body: bytes, content_type: str, query: str):
    """POST through the WSGI handler the web processes run (the test client builds Django's own
    request instead)."""
    from core.http import Handler

    environ = Client()._base_environ(
        PATH_INFO=URL,
        REQUEST_METHOD="POST",
        QUERY_STRING=query,
        CONTENT_TYPE=content_type,
        CONTENT_LENGTH=str(len(body)),
        **{"wsgi.input": FakePayload(body)},
    )
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"] = int(status.split()[0])

    # As the test client does: the test's transaction keeps its connection across the request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        response = Handler()(environ, start_response)
        b"".join(response)
        response.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return answer["status"]


@pytest.mark.parametrize("charset", ["rot13", "base64", "zlib"])
def test_a_non_text_charset_with_a_query_string_is_answered(form_key, charset):
    # Given a body declaring a codec that is no text encoding, and a query string to decode
    before = Intake.objects.count()

    # When it reaches the web process
    status = _through_the_web_process(
        b"last_name=X", f"application/x-www-form-urlencoded; charset={charset}", f"form={form_key}"
    )

    # Then the charset is ignored like an unknown one: answered, and stored once
    assert status in {200, 303, 400, 403}, status
    assert Intake.objects.count() == before + 1


def test_the_web_process_runs_the_projects_handler():
    import subprocess
    import sys
    from pathlib import Path

    probe = "import leadcrm.wsgi as w; print(type(w.application).__module__, type(w.application).__name__)"
    out = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.split()[-2:] == ["core.http", "Handler"]
