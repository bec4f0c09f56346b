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


def test_a_shared_snapshot_serves_later_scopes_until_it_ages_or_is_forgotten(monkeypatch):
    from core import memo

    clock = [1000.0]
    monkeypatch.setattr(memo.time, "monotonic", lambda: clock[0])
    shared = memo.SharedConfig(ttl=5.0)
    calls = []

    def read():
        calls.append(1)
        return len(calls)

    with shared.scope():
        assert memoized("k", read) == 1
    clock[0] += 4
    with shared.scope():
        assert memoized("k", read) == 1  # another request, same process, within the ttl
    clock[0] += 2
    with shared.scope():
        assert memoized("k", read) == 2  # aged out
    memo.forget_shared()
    with shared.scope():
        assert memoized("k", read) == 3
    assert not in_scope()


@pytest.mark.django_db
def test_saving_a_field_definition_empties_the_shared_snapshots(marketing_admin):
    from core.memo import SharedConfig

    shared = SharedConfig(ttl=3600)
    with shared.scope():
        assert custom_definitions("lead") == []
    custom_field_create(object_name="lead", label="Region", field_type="text", acting_user=marketing_admin)
    with shared.scope():
        assert [d.api_name for d in custom_definitions("lead")] == ["Region__c"]
