"""Recall, from scope to recovery: a recall's scope (lots, unit codes, component lots) traced
to every affected unit and blocked in one transaction (:mod:`.opening`), a task per party
holding affected units, their answers (:mod:`.answering`), recovery counted from the events
(:mod:`.progress`), and closing (:mod:`.closing`).

The API (``/api/recalls``), the command line (``unitrace recall``) and the console's recall
pages all call these functions.
"""

from __future__ import annotations

from unitrace.services.recall.answering import COUNTS, answer_recall
from unitrace.services.recall.closing import close_recall
from unitrace.services.recall.opening import CLASSIFICATIONS, affected_count, open_recall
from unitrace.services.recall.progress import (
    Affected,
    PartyLine,
    RecallProgress,
    Recovered,
    find_recall,
    list_recalls,
    progress_of,
    recall_progress,
    recall_rows,
)
from unitrace.services.recall.scope import Scope, read_scope

__all__ = [
    "CLASSIFICATIONS",
    "COUNTS",
    "Affected",
    "PartyLine",
    "RecallProgress",
    "Recovered",
    "Scope",
    "affected_count",
    "answer_recall",
    "close_recall",
    "find_recall",
    "list_recalls",
    "open_recall",
    "progress_of",
    "read_scope",
    "recall_progress",
    "recall_rows",
]
