"""The guessing detector, as a table: a caller's counterfeit answers lately against the
guess limit."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from unitrace.registry.detection import DEFAULT_RULES, DetectionRules
from unitrace.services.verification.findings import AlertType
from unitrace.services.verification.guessing import CounterfeitAnswers, guessing, throttles

FIVE_MINUTES = DetectionRules(guess_limit=3, guess_window=dt.timedelta(minutes=5))

# (counterfeit answers, rules) → the guessing alert's evidence, None where there is none
CASES: list[tuple[int | None, DetectionRules, dict[str, Any] | None]] = [
    (None, DEFAULT_RULES, None),  # a caller not known is never a guesser
    (0, DEFAULT_RULES, None),
    (9, DEFAULT_RULES, None),
    (10, DEFAULT_RULES, {"counterfeit_answers": 10, "window_minutes": 10.0}),
    (250, DEFAULT_RULES, {"counterfeit_answers": 250, "window_minutes": 10.0}),
    (2, FIVE_MINUTES, None),
    (3, FIVE_MINUTES, {"counterfeit_answers": 3, "window_minutes": 5.0}),
]


@pytest.mark.parametrize(("count", "rules", "alert"), CASES)
def test_a_caller_reaching_the_guess_limit_is_a_guesser_and_throttled(
    count: int | None, rules: DetectionRules, alert: dict[str, Any] | None
) -> None:
    answers = CounterfeitAnswers(count, rules)
    found = guessing(answers)
    assert throttles(answers) is (alert is not None)
    if alert is None:
        assert (found.reasons, found.alerts) == ([], {})
    else:
        assert found.reasons == ["guessing"]
        assert found.alerts == {AlertType.GUESSING: {"reasons": ["guessing"], **alert}}
