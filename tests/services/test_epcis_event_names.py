"""A capture's events named by their CBV 2.0 hash all at once: with the canonical forms and
times each read once per distinct text, and in a pool of worker processes, they get the very
names (and the very errors) the event hash gives each event alone; a worker that dies or hangs
leaves the capture to hash in its own process."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.epcis.hash_events import NAMESPACES, event
from unitrace.epcis.hashing import canonical, event_hash, extensions, json_values, ordering
from unitrace.epcis.hashing.batch import Unnamed, hash_events
from unitrace.epcis.model import InvalidEvent
from unitrace.services.epcis_capture import event_names

#: Events the hash refuses, each for a reason of its own.
REFUSED: list[dict[str, Any]] = [
    {"type": "ObjectEvent", "eventTime": "2024-02-30T00:00:00Z", "action": "OBSERVE"},
    {"type": "ObjectEvent", "eventTime": "2024-01-01T00:00:00Z", "epcList": ["urn:epc:id:sgtin:1.2"]},
    {"type": "ObjectEvent", "eventTime": "2024-01-01T00:00:00Z", "nope:field": "1"},
]  # fmt: skip


@contextmanager
def uncached() -> Iterator[None]:
    """The hash as it was before it cached anything: each text read anew every time."""
    with pytest.MonkeyPatch.context() as patch:
        plain = canonical.canonical_text.__wrapped__
        for module in (canonical, ordering, extensions):
            patch.setattr(module, "canonical_text", plain)
        patch.setattr(json_values, "_utc_text", json_values._utc_text.__wrapped__)
        yield


def one_by_one(events: list[Unnamed]) -> list[str]:
    """Each event's hash, or its error's text, computed alone without caches."""
    names = []
    with uncached():
        for index, sent, namespaces in events:
            try:
                names.append(event_hash(sent, namespaces, index=index))
            except InvalidEvent as error:
                names.append(f"refused: {error}")
    return names


def texts(names: list[str | InvalidEvent]) -> list[str]:
    return [name if isinstance(name, str) else f"refused: {name}" for name in names]


@st.composite
def document_events(draw: st.DrawFn) -> list[Unnamed]:
    """A document's events: random ones, some sent again word for word, some refused."""
    events = draw(st.lists(event(), min_size=1, max_size=6))
    events += draw(st.lists(st.sampled_from(events), max_size=4))
    events += draw(st.lists(st.sampled_from(REFUSED), max_size=2))
    order = draw(st.permutations(range(len(events))))
    return [(index, events[place], NAMESPACES) for index, place in enumerate(order)]


@settings(max_examples=100, deadline=None)
@given(document_events())
def test_a_document_hashed_with_caches_names_each_event_as_the_hash_alone(
    events: list[Unnamed],
) -> None:
    assert texts(hash_events(events)) == one_by_one(events)


@pytest.fixture
def pool(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Two workers, taking documents of any size, a few events at a time."""
    monkeypatch.setattr(event_names, "POOL_FROM", 1)
    monkeypatch.setattr(event_names, "CHUNK", 7)
    event_names.use_hash_workers(2)
    yield
    event_names.use_hash_workers(0)


# one pool for every example, as one process keeps it for every capture
@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(document_events(), min_size=1, max_size=3).map(
        lambda parts: [item for part in parts for item in part]
    )
)
def test_a_document_hashed_in_worker_processes_names_each_event_as_the_hash_alone(
    pool: None, events: list[Unnamed]
) -> None:
    events = [(index, sent, namespaces) for index, (_, sent, namespaces) in enumerate(events)]
    assert texts(event_names.event_names(events)) == one_by_one(events)
    assert event_names._pool is not None  # the pool did the work, and stays for the next


def some_events(count: int) -> list[Unnamed]:
    return [
        (
            index,
            {
                "type": "ObjectEvent",
                "eventTime": f"2024-01-01T00:00:{index % 60:02d}Z",
                "eventTimeZoneOffset": "+00:00",
                "epcList": [f"urn:epc:id:sgtin:9506000.013435.S{index % 13}"],
                "action": "OBSERVE",
            },
            {},
        )
        for index in range(count)
    ]


def test_a_bad_event_gives_the_same_error_from_a_worker(pool: None) -> None:
    events = [*some_events(20), (20, REFUSED[1], {})]
    *named, refused = event_names.event_names(events)
    assert named == hash_events(events[:20])
    assert isinstance(refused, InvalidEvent)
    assert str(refused) == (
        "event 20: epcList.[0]: 'urn:epc:id:sgtin:1.2' must have 3 dot-separated fields "
        "after urn:epc:id:sgtin:"
    )


def pool_started(events: list[Unnamed]) -> Any:
    """The pool, once it has hashed ``events``."""
    event_names.event_names(events)
    started = event_names._pool
    assert started is not None
    return started


def test_a_killed_worker_leaves_the_events_hashed_here(
    pool: None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger=event_names.logger.name)
    events = some_events(30)
    started = pool_started(events)
    for process in list(started._processes.values()):
        process.kill()
        process.join()
    assert event_names.event_names(events) == hash_events(events)
    assert "failed (BrokenProcessPool): hashing them here" in caplog.text
    assert event_names._pool is not started  # the broken pool is let go; the next starts anew
    assert event_names.event_names(events) == hash_events(events)
    assert event_names._pool is not None


def test_a_worker_that_does_not_answer_in_time_leaves_the_events_hashed_here(
    pool: None, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger=event_names.logger.name)
    monkeypatch.setattr(event_names, "_BASE_WAIT", 0.0)
    monkeypatch.setattr(event_names, "_WAIT_PER_EVENT", 0.0)
    events = some_events(500)
    assert event_names.event_names(events) == hash_events(events)
    assert "failed (TimeoutError): hashing them here" in caplog.text
    assert event_names._pool is None


def test_a_pool_shut_down_meanwhile_leaves_the_events_hashed_here(
    pool: None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger=event_names.logger.name)
    events = some_events(30)
    started = pool_started(events)
    started.shutdown(wait=True)  # as the interpreter ending would, say
    assert event_names.event_names(events) == hash_events(events)
    assert "failed (RuntimeError): hashing them here" in caplog.text
    assert event_names._pool is not started


def test_python_m_unitrace_imported_again_runs_no_command() -> None:
    """A worker process may import its parent's main module again (as ``__mp_main__``)."""
    import runpy

    runpy.run_module("unitrace.__main__", run_name="__mp_main__")


def test_without_workers_no_process_is_started(monkeypatch: pytest.MonkeyPatch) -> None:
    """The default, and the HTTP service's way: events hashed in its own process."""
    monkeypatch.setattr(event_names, "POOL_FROM", 1)
    events = some_events(50)
    assert event_names.event_names(events) == hash_events(events)
    assert event_names._pool is None
