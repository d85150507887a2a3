"""EPCIS capture: a trading partner's EPCIS 2.0 document (JSON-LD or XML) validated, its
events stored, and the events about units unitrace knows applied to the registry through the
same lifecycle services as the HTTP API, so that a partner's shipping event moves custody
exactly as an allocation does and the state table refuses what it refuses there.

The rooms:

- :mod:`.limits`: what one capture takes at most (events, bytes).
- :mod:`.reading`: a request body read into a document (JSON-LD or XML), within bounds.
- :mod:`.jobs`: capture jobs: a document queued (``start_capture``), captured off the
  request's path (``run_capture``, by :mod:`~unitrace.services.capture_runner`), its outcome
  recorded, and the jobs read back.
- :mod:`.capturing`: a document's events captured in the caller's unit of work (``capture``,
  with the ``rollback`` and ``proceed`` error behaviours), or one event (``capture_event``).
- :mod:`.resent_events`: an event sent under a captured eventID (the same event again, its
  error declaration, or another event).
- :mod:`.repeated_epcs`: an EPC an XML list names twice, kept once.
- :mod:`.registry_changes`: what each captured event does to the units and containers of
  unitrace it names, through the lifecycle services.
- :mod:`.event_words`: what an event's CBV words, ILMD and locations mean for the units.
"""

from unitrace.services.epcis_capture.capturing import (
    CAPTURERS,
    ERROR_BEHAVIOURS,
    MASTER_DATA_WRITERS,
    PROCEED,
    PROGRESS_EVERY,
    ROLLBACK,
    CaptureResult,
    capture,
    capture_event,
    problem_json,
)
from unitrace.services.epcis_capture.event_words import (
    STATES_BY_BIZ_STEP,
    STATES_BY_DISPOSITION,
    STATES_BY_STEP_AND_DISPOSITION,
)
from unitrace.services.epcis_capture.jobs import (
    ABANDONED_AFTER,
    CAPTURE_JOBS,
    CaptureInterrupted,
    capture_job_json,
    finish_abandoned,
    finish_failed,
    finish_interrupted,
    get_capture_job,
    list_capture_jobs,
    run_capture,
    start_capture,
)
from unitrace.services.epcis_capture.limits import CAPTURE_FILE_SIZE_LIMIT, CAPTURE_LIMIT
from unitrace.services.epcis_capture.reading import MAX_NESTING, is_xml, read_document
from unitrace.services.epcis_capture.resent_events import ALREADY_CAPTURED

__all__ = [
    "ABANDONED_AFTER",
    "ALREADY_CAPTURED",
    "CAPTURERS",
    "CAPTURE_FILE_SIZE_LIMIT",
    "CAPTURE_JOBS",
    "CAPTURE_LIMIT",
    "ERROR_BEHAVIOURS",
    "MASTER_DATA_WRITERS",
    "MAX_NESTING",
    "PROCEED",
    "PROGRESS_EVERY",
    "ROLLBACK",
    "STATES_BY_BIZ_STEP",
    "STATES_BY_DISPOSITION",
    "STATES_BY_STEP_AND_DISPOSITION",
    "CaptureInterrupted",
    "CaptureResult",
    "capture",
    "capture_event",
    "capture_job_json",
    "finish_abandoned",
    "finish_failed",
    "finish_interrupted",
    "get_capture_job",
    "is_xml",
    "list_capture_jobs",
    "problem_json",
    "read_document",
    "run_capture",
    "start_capture",
]
