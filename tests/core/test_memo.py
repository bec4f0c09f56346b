"""The configuration scope: reads made once inside it, afresh outside it."""

import pytest

from core.fields import custom_definitions
from core.memo import config_scope, in_scope, memoized
from core.services import custom_field_create


def test_outside_a_scope_every_call_reads():
    calls = []

    assert memoized("k", lambda: calls.append(1) or len(calls)) == 1
    assert memoized("k", lambda: calls.append(1) or len(calls)) == 2
    assert not in_scope()


def test_inside_a_scope_a_key_is_read_once_and_nested_scopes_share_it():
    calls = []

    def read():
        calls.append(1)
        return len(calls)

    with config_scope():
        assert memoized("k", read) == 1
        with config_scope():
            assert memoized("k", read) == 1
            assert memoized("other", read) == 2
        assert memoized("k", read) == 1
        assert in_scope()
    assert not in_scope()
    assert memoized("k", read) == 3


def _fail_in_scope():
    with config_scope():
        memoized("k", lambda: 1)
        raise RuntimeError("boom")


def test_a_scope_ends_even_when_its_block_fails():
    with pytest.raises(RuntimeError):
        _fail_in_scope()
    assert not in_scope()
    assert memoized("k", lambda: 2) == 2


@pytest.mark.django_db
def test_field_definitions_are_read_once_in_a_scope_and_afresh_after(marketing_admin, django_assert_num_queries):
    with config_scope():
        with django_assert_num_queries(1):
            custom_definitions("lead")
            custom_definitions("lead")
        custom_field_create(object_name="lead", label="Region", field_type="text", acting_user=marketing_admin)
        assert [d.api_name for d in custom_definitions("lead")] == []  # the scope's snapshot
    assert [d.api_name for d in custom_definitions("lead")] == ["Region__c"]
