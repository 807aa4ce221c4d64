"""Bounded, ordered queues for data that must not be lost silently (results-database records, PLC
verdicts). No Qt.

A write that fails keeps its item, in order, in a bounded memory queue; the queue is retried
(oldest first, so the order is kept) before anything newer is written. When the queue is full the
policy decides what is lost:

* ``"queue"``       keep what is waiting; the new item is lost (the delivered items stay a gap-free
                    run from the start of the outage);
* ``"drop-oldest"`` lose the oldest waiting item; the newest ones are kept.

Every lost item is counted (``dropped``). ``alarm`` is a one-line description while items wait or
once any was lost, "" when all is well.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from dataclasses import asdict, dataclass
from typing import Any, Callable, Generic, TypeVar

from workbench.core.errors import WorkbenchError

log = logging.getLogger(__name__)

T = TypeVar("T")
POLICIES = ("queue", "drop-oldest")


def check_policy(policy: str, maxlen: int) -> None:
    if policy not in POLICIES:
        raise WorkbenchError(f"queue policy {policy!r}: expected one of {', '.join(POLICIES)}")
    if int(maxlen) < 1:
        raise WorkbenchError(f"queue size {maxlen}: must be 1 or more")


class BoundedQueue(Generic[T]):
    """A thread-safe bounded FIFO with a loss policy. ``put`` never blocks; the consumer reads the
    head with ``peek`` and removes it with ``pop`` once it is delivered. A consumer in another
    thread takes the head with ``claim`` instead: while it is being written the policy never drops
    it (it would be counted lost and delivered), and it does not count as waiting; ``release`` gives
    it back after a failed write."""

    def __init__(self, maxlen: int = 1000, policy: str = "drop-oldest") -> None:
        check_policy(policy, maxlen)
        self.maxlen, self.policy = int(maxlen), policy
        self._items: deque[T] = deque()
        self._lock = threading.Lock()
        self.put_count = 0  # items offered
        self.dropped = 0  # items lost to the policy (or to drain)
        self.max_len = 0  # the most items that have waited at once
        self._claimed: T | None = None

    def _waiting(self) -> int:
        claimed = self._items and self._items[0] is self._claimed
        return len(self._items) - (1 if claimed else 0)

    def put(self, item: T) -> bool:
        """Queue ``item``; False when it was lost (policy "queue" with a full queue)."""
        with self._lock:
            self.put_count += 1
            if self._waiting() >= self.maxlen:
                self.dropped += 1
                if self.policy == "queue":
                    return False
                if self._items[0] is self._claimed:
                    del self._items[1]  # the oldest waiting one, not the one being written
                else:
                    self._items.popleft()
            self._items.append(item)
            self.max_len = max(self.max_len, self._waiting())
            return True

    def peek(self) -> T | None:
        with self._lock:
            return self._items[0] if self._items else None

    def claim(self) -> T | None:
        """The head, marked as being written (see the class notes); None when empty."""
        with self._lock:
            self._claimed = self._items[0] if self._items else None
            return self._claimed

    def release(self) -> None:
        with self._lock:
            self._claimed = None

    def pop(self, item: T) -> bool:
        """Remove ``item`` if it is still the head (it may have been dropped meanwhile)."""
        with self._lock:
            if self._claimed is item:
                self._claimed = None
            if self._items and self._items[0] is item:
                self._items.popleft()
                return True
            return False

    def drain(self, *, lost: bool = True) -> list[T]:
        """Take every waiting item out; counted as dropped unless ``lost`` is False."""
        with self._lock:
            items = list(self._items)
            self._items.clear()
            self._claimed = None
            if lost:
                self.dropped += len(items)
            return items

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)


@dataclass
class WriteStats:
    written: int = 0  # items written (at once, or after waiting)
    failures: int = 0  # failed write attempts
    queued: int = 0  # items that had to wait in the queue at least once
    retried: int = 0  # items written after waiting
    dropped: int = 0  # items lost (queue full, or still waiting when closed)
    pending: int = 0  # waiting now
    max_pending: int = 0
    last_error: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class RetryQueue(Generic[T]):
    """Calls ``write(item)``; an item whose write raises waits in a :class:`BoundedQueue` and is
    retried (at most every ``retry_s`` seconds, oldest first) on the next ``submit`` or ``tick``.
    ``close`` retries for up to ``close_timeout_s`` and counts what is still waiting as dropped.
    Used from one thread at a time (the stream's output thread)."""

    def __init__(self, write: Callable[[T], Any], *, what: str = "results database", maxlen: int = 1000,
                 policy: str = "drop-oldest", retry_s: float = 0.5, close_timeout_s: float = 2.0,
                 errors: tuple[type[BaseException], ...] = (Exception,)) -> None:
        self.write, self.what = write, what
        self.queue: BoundedQueue[T] = BoundedQueue(maxlen, policy)
        self.retry_s, self.close_timeout_s = float(retry_s), float(close_timeout_s)
        self.errors = errors
        self.stats = WriteStats()
        self._next_retry = 0.0

    # -- writing ----------------------------------------------------------------------------------
    def submit(self, item: T) -> Any:
        """Write ``item`` now (after the waiting ones); returns what ``write`` returned, or None when
        the item had to wait (or was lost)."""
        if len(self.queue) and not self.retry():
            self._enqueue(item)
            return None
        try:
            result = self.write(item)
        except self.errors as exc:
            self._failed(exc)
            self._enqueue(item)
            return None
        self.stats.written += 1
        return result

    def tick(self) -> int:
        """Retry the waiting items if it is time (call it when idle)."""
        return self.retry() if len(self.queue) else 0

    def retry(self, force: bool = False) -> bool:
        """Write waiting items oldest first, stopping at the first failure; True when none waits."""
        if not force and time.monotonic() < self._next_retry:
            return False
        while (item := self.queue.peek()) is not None:
            try:
                self.write(item)
            except self.errors as exc:
                self._failed(exc)
                return False
            self.queue.pop(item)
            self.stats.written += 1
            self.stats.retried += 1
        self._sync()
        return True

    def close(self) -> WriteStats:
        """Last tries for up to ``close_timeout_s``; what still waits is dropped (counted)."""
        end = time.monotonic() + self.close_timeout_s
        while len(self.queue) and not self.retry(force=True) and time.monotonic() < end:
            time.sleep(min(0.2, max(0.0, end - time.monotonic())))
        lost = self.queue.drain()
        if lost:
            log.info("%s: %d item(s) could not be written and are lost: %s", self.what, len(lost),
                      self.stats.last_error)
        self._sync()
        return self.stats

    # -- state ------------------------------------------------------------------------------------
    @property
    def alarm(self) -> str:
        s = self._sync()
        if not s.pending and not s.dropped:
            return ""
        parts = [f"{self.what}: {s.last_error}" if s.last_error else self.what]
        if s.pending:
            parts.append(f"{s.pending} waiting")
        if s.dropped:
            parts.append(f"{s.dropped} lost")
        return " - ".join(parts)

    def _sync(self) -> WriteStats:
        self.stats.pending = len(self.queue)
        self.stats.dropped = self.queue.dropped
        self.stats.max_pending = self.queue.max_len
        return self.stats

    def _failed(self, exc: BaseException) -> None:
        self.stats.failures += 1
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        self.stats.last_error = why or type(exc).__name__
        self._next_retry = time.monotonic() + self.retry_s
        if self.stats.failures == 1 or self.stats.failures % 100 == 0:
            log.error("%s: write failed (%d so far): %s", self.what, self.stats.failures, exc)

    def _enqueue(self, item: T) -> None:
        self.stats.queued += 1  # each item waits at most once: retries never queue it again
        self.queue.put(item)
        self._sync()
