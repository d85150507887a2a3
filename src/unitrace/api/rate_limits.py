"""Rate limits for the public routes (scans and the Digital Link resolver): a token bucket per
client, in the worker's memory. A client over its limit gets 429 with Retry-After.

Per worker on purpose: a verification must never wait on a shared store; behind a load
balancer each worker enforces its share, which is what stops a guessing script.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from threading import Lock


@dataclass(frozen=True, slots=True)
class RateLimit:
    #: requests a client may make per minute, sustained
    per_minute: int = 120
    #: requests a client may make at once before the rate applies
    burst: int = 30

    def __post_init__(self) -> None:
        if self.per_minute < 1 or self.burst < 1:
            raise ValueError("rate limit: per_minute and burst must be at least 1")


class RateLimiter:
    """Token buckets per client, the least recently seen forgotten beyond ``clients``.

    >>> limiter = RateLimiter(RateLimit(per_minute=60, burst=2), clock=lambda: 0.0)
    >>> [limiter.retry_after("a") for _ in range(3)]
    [None, None, 1]
    """

    def __init__(
        self,
        limit: RateLimit,
        *,
        clients: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self._clients = clients
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        #: clients refused until a time, whatever their rate
        self._holds: OrderedDict[str, float] = OrderedDict()
        self._lock = Lock()

    def retry_after(self, client: str) -> int | None:
        """None if ``client`` may go ahead now (and counts the request), else the whole
        seconds until it may."""
        held = self.held(client)
        if held is not None:
            return held
        rate = self.limit.per_minute / 60
        now = self._clock()
        with self._lock:
            tokens, then = self._buckets.pop(client, (float(self.limit.burst), now))
            tokens = min(float(self.limit.burst), tokens + (now - then) * rate)
            if tokens >= 1:
                self._buckets[client] = (tokens - 1, now)
                answer = None
            else:
                self._buckets[client] = (tokens, now)
                answer = max(1, math.ceil((1 - tokens) / rate))
            while len(self._buckets) > self._clients:
                self._buckets.popitem(last=False)
        return answer

    def hold(self, client: str, seconds: int) -> None:
        """Refuse ``client`` for the next ``seconds`` whatever its rate (a client found
        guessing codes).

        >>> limiter = RateLimiter(RateLimit(per_minute=60, burst=5), clock=lambda: 0.0)
        >>> limiter.hold("a", 600)
        >>> limiter.retry_after("a"), limiter.held("a"), limiter.held("b")
        (600, 600, None)
        """
        with self._lock:
            self._holds.pop(client, None)
            self._holds[client] = self._clock() + seconds
            while len(self._holds) > self._clients:
                self._holds.popitem(last=False)

    def held(self, client: str) -> int | None:
        """The whole seconds ``client`` is still refused for, if it is held; counts nothing."""
        with self._lock:
            until = self._holds.get(client)
            if until is None:
                return None
            left = until - self._clock()
            if left <= 0:
                del self._holds[client]
                return None
        return max(1, math.ceil(left))
