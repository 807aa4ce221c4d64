"""The bounded, ordered queues behind the results-database and PLC safety (runtime/retry_queue.py):
policies, order, counts. The end-to-end tests use a real full file system and a real Modbus server
(test_full_disk.py, test_plc_outage.py); these pin the bookkeeping."""

from __future__ import annotations

import pytest

from workbench.core.errors import WorkbenchError
from workbench.runtime.retry_queue import BoundedQueue, RetryQueue


def test_bounded_queue_policies():
    keep = BoundedQueue(3, "queue")
    assert [keep.put(i) for i in range(5)] == [True, True, True, False, False]
    assert keep.drain(lost=False) == [0, 1, 2] and keep.dropped == 2 and keep.max_len == 3
    newest = BoundedQueue(3, "drop-oldest")
    assert all(newest.put(i) for i in range(5))
    assert newest.peek() == 2 and newest.pop(2) and not newest.pop(2) and len(newest) == 2
    assert newest.drain() == [3, 4] and newest.dropped == 4  # 2 pushed out + 2 drained as lost
    with pytest.raises(WorkbenchError, match="queue policy 'latest'"):
        BoundedQueue(3, "latest")
    with pytest.raises(WorkbenchError, match="queue size 0"):
        BoundedQueue(0)


class Store:
    """A write target that refuses while ``full`` (as a full disk does, with OSError)."""

    def __init__(self) -> None:
        self.items, self.full = [], False

    def write(self, item):
        if self.full:
            raise OSError(28, "No space left on device")
        self.items.append(item)
        return len(self.items)


def test_retry_queue_keeps_order_across_an_outage_and_counts():
    store = Store()
    q = RetryQueue(store.write, what="store", maxlen=100, retry_s=0.0)
    assert q.submit(0) == 1 and q.alarm == ""
    store.full = True
    assert [q.submit(i) for i in range(1, 6)] == [None] * 5
    assert q.alarm == "store: No space left on device - 5 waiting"
    store.full = False
    assert q.submit(6) == 7  # the waiting ones first, then the new one: order kept
    assert store.items == list(range(7)) and q.alarm == ""
    s = q.close()
    assert (s.written, s.queued, s.retried, s.dropped, s.pending, s.max_pending) == (7, 5, 5, 0, 0, 5)


def test_retry_queue_drops_by_policy_and_at_close_and_says_so():
    store = Store()
    store.full = True
    q = RetryQueue(store.write, what="store", maxlen=3, policy="drop-oldest", retry_s=0.0, close_timeout_s=0.0)
    for i in range(10):
        q.submit(i)
    assert q.queue.drain(lost=False) == [7, 8, 9] and q.stats.queued == 10
    for i in range(10, 12):
        q.submit(i)
    s = q.close()
    assert s.dropped == 9 and s.pending == 0 and store.items == []
    assert q.alarm == "store: No space left on device - 9 lost"


def test_retry_waits_retry_s_between_failed_attempts():
    store = Store()
    store.full = True
    q = RetryQueue(store.write, maxlen=10, retry_s=3600)
    q.submit("a")
    attempts = q.stats.failures
    store.full = False
    q.submit("b")  # not yet time to retry: "b" waits behind "a", no write attempt hammers the disk
    assert q.stats.failures == attempts and store.items == [] and len(q.queue) == 2
    assert q.retry(force=True) and store.items == ["a", "b"]


def test_a_claimed_head_is_never_dropped_while_it_is_written():
    """The PLC thread writes the head while the output thread keeps putting: the item being written
    is neither dropped nor counted as waiting; after a failed write it is the oldest again."""
    q = BoundedQueue(2, "drop-oldest")
    q.put("a")
    assert q.claim() == "a"
    q.put("b")
    q.put("c")  # "a" is being written: 2 waiting besides it, no drop yet
    assert q.dropped == 0 and q.max_len == 2
    q.put("d")  # full: the oldest *waiting* one goes ("b"), not "a"
    assert q.dropped == 1 and q.pop("a") and q.drain(lost=False) == ["c", "d"]
    q.put("x")
    q.claim()
    q.release()  # the write failed: "x" waits again and a full queue may drop it
    q.put("y")
    q.put("z")
    assert q.dropped == 2 and q.drain(lost=False) == ["y", "z"]
