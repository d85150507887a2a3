"""The EPCIS 2.0 master-data query parameters (section 8.2.7.1) read into
:class:`~unitrace.store.epcis_query.attribute_conditions.AttributeCondition` s:

- ``HASATTR_<field>`` takes attribute names: the events whose ``field`` (``readPoint``,
  ``bizLocation``, ``bizStep`` or ``disposition``) names an element whose master data has one
  of them;
- ``EQ_ATTR_<field>_<attribute>`` takes values: the events whose element's ``attribute`` is
  one of them (compared as text).

An attribute is named as master data names it, in any spelling: ``urn:epcglobal:cbv:mda#city``,
``cbvmda:city``, or a CURIE whose prefix the query declares (see
:mod:`~unitrace.services.epcis_query.field_parameters`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Final

from unitrace.epcis.extension_fields import attribute_name
from unitrace.services.epcis_query.values import QueryParameterException
from unitrace.store.epcis_query.attribute_conditions import ATTRIBUTE_FIELDS, AttributeCondition

__all__ = ["attribute_condition_of", "is_attribute_parameter"]

_HAS: Final = re.compile(r"HASATTR_(.*)")
_EQ: Final = re.compile(r"EQ_ATTR_([A-Za-z]+)_(.+)")
_FIELDS: Final = ", ".join(ATTRIBUTE_FIELDS)


def is_attribute_parameter(key: str) -> bool:
    """Whether ``key`` is a master-data parameter (both take lists)."""
    return key.startswith(("HASATTR_", "EQ_ATTR_"))


def attribute_condition_of(
    key: str, values: Sequence[str], namespaces: Mapping[str, str]
) -> AttributeCondition | None:
    """The condition of the master-data parameter ``key``; None where ``key`` is none;
    :class:`QueryParameterException` for a field this repository has no master data for."""
    if (has := _HAS.fullmatch(key)) is not None:
        field = _field(key, has.group(1))
        return AttributeCondition(field, frozenset(_name(value, namespaces) for value in values))
    if key.startswith("EQ_ATTR_"):
        equal = _EQ.fullmatch(key)
        if equal is None:
            raise QueryParameterException(key, "is EQ_ATTR_<field>_<attribute name>")
        field = _field(key, equal.group(1))
        return AttributeCondition(
            field, frozenset({_name(equal.group(2), namespaces)}), frozenset(values)
        )
    return None


def _field(key: str, field: str) -> str:
    if field not in ATTRIBUTE_FIELDS:
        raise QueryParameterException(
            key, f"{field!r} is not a field whose values have master data ({_FIELDS})"
        )
    return field


def _name(text: str, namespaces: Mapping[str, str]) -> str:
    prefix, colon, local = text.partition(":")
    if colon and prefix in namespaces and not local.startswith("//"):
        text = namespaces[prefix] + local
    return attribute_name(text)
