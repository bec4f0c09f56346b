from hypothesis import given
from hypothesis import strategies as st

from webhooks.signing import new_secret, signature_header, verify


def test_a_signed_body_verifies_with_its_secret():
    secret = new_secret()
    header = signature_header(secret, b'{"a":1}', timestamp=1_700_000_000)
    assert header.startswith("t=1700000000,v1=")
    assert verify(secret, header, b'{"a":1}', now=1_700_000_010)


def test_another_secret_a_changed_body_or_an_old_time_do_not_verify():
    secret = new_secret()
    header = signature_header(secret, b"body", timestamp=1_700_000_000)
    assert not verify(new_secret(), header, b"body", now=1_700_000_000)
    assert not verify(secret, header, b"body!", now=1_700_000_000)
    assert not verify(secret, header, b"body", now=1_700_000_000 + 301)
    assert not verify(secret, "t=abc,v1=00", b"body", now=1_700_000_000)
    assert not verify(secret, "", b"body")


def test_secrets_differ_and_are_long():
    first, second = new_secret(), new_secret()
    assert first != second
    assert len(first) >= 48


@given(body=st.binary(max_size=2000), timestamp=st.integers(min_value=0, max_value=2**33))
def test_any_body_verifies_only_unchanged(body, timestamp):
    secret = "whsec_test"
    header = signature_header(secret, body, timestamp=timestamp)
    assert verify(secret, header, body, now=timestamp)
    assert not verify(secret, header, body + b"x", now=timestamp)
