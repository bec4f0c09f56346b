"""Follow-up work published after commits: at once per commit, or gathered over a run of many short
transactions and published once at its end."""

import pytest
from django.db import transaction

from core.registry import commits_gathered, publish_after_commit

# Serialized rollback: the flush after a transactional test would also empty the seeded field
# definitions and picklists the other tests read.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _rolled_back(record_id: int, publishers: dict) -> None:
    try:
        with transaction.atomic():
            publish_after_commit(record_id, **publishers)
            raise RuntimeError("rolled back")
    except RuntimeError:
        pass


def _stopped_early(record_id: int, publishers: dict) -> None:
    with commits_gathered():
        with transaction.atomic():
            publish_after_commit(record_id, **publishers)
        raise RuntimeError("the run stopped")


def _publishers():
    one, many = [], []
    return one, many, {"publish_one": one.append, "publish_many": many.append}


def test_outside_a_gathering_each_commit_publishes_its_record():
    one, many, publishers = _publishers()
    with transaction.atomic():
        publish_after_commit(7, **publishers)
        assert one == []  # not before the commit
    assert (one, many) == ([7], [])


def test_a_gathering_publishes_the_committed_records_once_at_its_end():
    one, many, publishers = _publishers()
    with commits_gathered():
        for record_id in (1, 2, 1):
            with transaction.atomic():
                publish_after_commit(record_id, **publishers)
        _rolled_back(3, publishers)
        with commits_gathered(), transaction.atomic():  # a nested gathering is the outer one
            publish_after_commit(4, **publishers)
        assert many == []  # not before the end
    assert (one, many) == ([], [[1, 2, 4]])


def test_what_was_gathered_is_published_even_when_the_run_stops_early():
    _one, many, publishers = _publishers()
    with pytest.raises(RuntimeError, match="stopped"):
        _stopped_early(5, publishers)
    assert many == [[5]]
