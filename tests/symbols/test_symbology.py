from __future__ import annotations

import pytest

from unitrace.symbols import Symbology


@pytest.mark.parametrize(
    ("name", "facts"),
    [
        ("datamatrix", (Symbology.DATAMATRIX, "]d2", True, False, 1, None)),
        ("gs1-qr", (Symbology.GS1_QR, "]Q3", True, False, 4, None)),
        ("dl-qr", (Symbology.DL_QR, "]Q1", True, True, 4, None)),
        ("gs1-128", (Symbology.GS1_128, "]C1", False, False, 10, 48)),
    ],
)
def test_each_symbology_by_its_command_line_name(name: str, facts: tuple[object, ...]) -> None:
    symbology = Symbology(name)
    assert (
        symbology,
        symbology.symbology_identifier,
        symbology.is_matrix,
        symbology.carries_digital_link,
        symbology.minimum_quiet_zone,
        symbology.maximum_data_characters,
    ) == facts


def test_the_command_line_names_are_all_there_are() -> None:
    assert [s.value for s in Symbology] == ["datamatrix", "gs1-qr", "dl-qr", "gs1-128"]


def test_an_unknown_name_is_refused() -> None:
    with pytest.raises(ValueError, match="'qr' is not a valid Symbology"):
        Symbology("qr")
