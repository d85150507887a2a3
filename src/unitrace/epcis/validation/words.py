"""The checks of fields that hold a word of a vocabulary: an action, and the CBV 2.0 and GS1
Web Vocabulary words (:mod:`unitrace.epcis.cbv`), which the JSON-LD binding writes bare; a
URI outside the standard's own namespaces stands for an extension's word.
"""

from __future__ import annotations

import re
from typing import Any

from unitrace.epcis import cbv
from unitrace.epcis.validation.checks import Check, Report, quoted
from unitrace.epcis.validation.formats import URI

# CBV words are written bare in JSON-LD: their URI forms are refused by the schema
_CBV_URI = re.compile(r"urn:epcglobal:cbv|https?://ns\.gs1\.org/cbv/")
_WEB_VOCABULARY_URI = re.compile(r"https?://gs1\.org/voc/|https?://www\.gs1\.org/voc/")


def _word(
    kind: cbv.CbvKind,
    standard: str = "CBV 2.0",
    reserved: re.Pattern[str] = _CBV_URI,
    writes: str = "CBV words",
) -> Check:
    """A check of a vocabulary field: one of the words of ``kind``, or a URI outside the
    standard's own namespace (whose terms are written bare)."""
    words = kind.words
    what = f"a {standard} {kind.name}"

    def check(value: Any, path: str, report: Report) -> None:
        if not isinstance(value, str):
            report(path, f"must be a string, not {quoted(value)}")
        elif value in words:
            return
        elif URI.fullmatch(value) is None:
            report(path, f'"{value}" is not {what}')
        elif reserved.match(value) is not None:
            report(path, f'"{value}": {writes} are written bare in JSON-LD, without their URI')

    return check


check_biz_step = _word(cbv.BIZ_STEP)
check_disposition = _word(cbv.DISPOSITION)
check_biz_transaction_type = _word(cbv.BIZ_TRANSACTION_TYPE)
check_source_dest_type = _word(cbv.SOURCE_DEST_TYPE)
check_error_reason = _word(cbv.ERROR_REASON)
check_component = _word(cbv.COMPONENT)
_WEB_VOCABULARY = ("GS1 Web Vocabulary", _WEB_VOCABULARY_URI, "GS1 Web Vocabulary terms")
check_measurement_type = _word(cbv.MEASUREMENT_TYPE, *_WEB_VOCABULARY)
check_sensor_alert_type = _word(cbv.SENSOR_ALERT_TYPE, *_WEB_VOCABULARY)


def check_action(value: Any, path: str, report: Report) -> None:
    if value not in ("ADD", "OBSERVE", "DELETE") or not isinstance(value, str):
        report(path, f"{quoted(value)} is not an action (ADD, OBSERVE, DELETE)")
