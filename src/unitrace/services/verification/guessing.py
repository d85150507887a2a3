"""The guessing detector: a caller with so many counterfeit answers lately (``guess_limit``
within ``guess_window``) that it is taken for someone guessing codes, and throttled. Pure: a
function of the caller's :class:`CounterfeitAnswers`, which the verdict counts from the scan
log (by the caller's hashed address, else its client id)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from unitrace.registry.detection import DEFAULT_RULES, DetectionRules
from unitrace.services.verification.findings import AlertType, Findings

__all__ = ["CounterfeitAnswers", "guessing", "throttles"]


@dataclass(frozen=True, slots=True)
class CounterfeitAnswers:
    """A caller's counterfeit answers within the rules' ``guess_window``, the scan being
    judged included where it is one; None where the caller is not known."""

    count: int | None
    rules: DetectionRules = DEFAULT_RULES


def throttles(answers: CounterfeitAnswers) -> bool:
    """Whether the caller has reached the ``guess_limit``."""
    return answers.count is not None and answers.count >= answers.rules.guess_limit


def guessing(answers: CounterfeitAnswers) -> Findings:
    """``guessing``, with an alert about the caller, once it reaches the ``guess_limit``."""
    findings = Findings()
    if throttles(answers):
        findings.add(
            "guessing",
            AlertType.GUESSING,
            counterfeit_answers=answers.count,
            window_minutes=answers.rules.guess_window / dt.timedelta(minutes=1),
        )
    return findings
