"""What a service refuses, and why. Every message names the thing, the field or the state, and
the rule; the faces turn these into HTTP problem details or a one-line CLI error."""

from __future__ import annotations


class Refused(Exception):
    """A request the registry refuses; nothing was changed."""


class InvalidRequest(Refused):
    """A value that breaks a rule on its own: a count of 0, an expiry in the past."""


class NotFound(Refused):
    """A GTIN, lot, party, unit or request the registry does not know."""


class Conflict(Refused):
    """A request that clashes with what the registry holds: a GTIN registered twice, units
    already shipped elsewhere, a container that would contain itself."""


class AlreadyExists(Conflict):
    """What would be created a second time: an eventID captured already, a query name taken."""


class TransitionRefused(Conflict):
    """A state change the state table forbids, naming the unit, its state and the rule."""

    def __init__(self, unit: str, state: str, rule: str) -> None:
        super().__init__(f"unit {unit} is {state}: {rule}")
        self.unit = unit
        self.state = state
        self.rule = rule


class Forbidden(Refused):
    """A caller whose role or party may not do this."""
