from __future__ import annotations

import io
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from unitrace.gs1 import InvalidCheckDigit, InvalidCode, UnitIdentity, UnrecognisedCode
from unitrace.symbols import Symbology, UnreadableImage, read, render_png

from .samples import UNITS

PHARMA_PACK = UNITS["pharma pack"]


def _image(png: bytes) -> Image.Image:
    return Image.open(io.BytesIO(png))


def _encoded(image: Image.Image, image_format: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **options)
    return buffer.getvalue()


def test_a_path_and_its_bytes_read_the_same(tmp_path: Path) -> None:
    png = render_png(PHARMA_PACK)
    path = tmp_path / "pack.png"
    path.write_bytes(png)
    assert (
        [s.identity() for s in read(path)]
        == [s.identity() for s in read(str(path))]
        == [s.identity() for s in read(png)]
    )


@pytest.mark.parametrize("symbology", list(Symbology))
def test_a_jpeg_photo_of_a_symbol_reads_back(symbology: Symbology) -> None:
    # a grey, lossy, slightly turned picture, as a phone or a line camera takes it; bars
    # turned less, so that one scan line still crosses them all
    image = _image(render_png(PHARMA_PACK, symbology, module_size=6)).convert("L")
    angle = 7 if symbology.is_matrix else 2
    photo = image.rotate(angle, expand=True, fillcolor=255, resample=Image.Resampling.BILINEAR)
    jpeg = _encoded(photo.point(lambda v: 40 + v * 0.7), "JPEG", quality=60)
    assert [scan.identity() for scan in read(jpeg)] == [PHARMA_PACK]


def test_every_symbol_in_one_picture_is_read() -> None:
    units = [UNITS["pharma pack"], UNITS["gtin and serial only"], UNITS["expiry day 00"]]
    symbologies = [Symbology.DATAMATRIX, Symbology.GS1_QR, Symbology.DL_QR]
    pictures = [_image(render_png(u, s)) for u, s in zip(units, symbologies, strict=True)]
    sheet = Image.new("1", (sum(p.width for p in pictures) + 40, 200), 255)
    left = 10
    for picture in pictures:
        sheet.paste(picture, (left, 10))
        left += picture.width + 10
    found = {(scan.symbology, scan.identity()) for scan in read(_encoded(sheet, "PNG"))}
    assert found == {(s.symbology_identifier, u) for u, s in zip(units, symbologies, strict=True)}


@pytest.mark.parametrize(
    ("picture", "message"),
    [
        (b"", "image: not a picture format Pillow can open"),
        (b"not an image at all", "image: not a picture format Pillow can open"),
        (_encoded(Image.new("L", (120, 80), 255), "PNG"), "image: no barcode found"),
        (_encoded(Image.new("RGB", (64, 64), (200, 30, 30)), "JPEG"), "image: no barcode found"),
    ],
)
def test_a_picture_without_a_symbol_is_refused(picture: bytes, message: str) -> None:
    with pytest.raises(UnreadableImage) as raised:
        read(picture)
    assert str(raised.value) == message


def test_a_truncated_png_is_refused() -> None:
    png = render_png(PHARMA_PACK, module_size=8)
    with pytest.raises(UnreadableImage, match=r"^image: cannot be decoded \("):
        read(png[: len(png) // 2])


def test_a_file_that_is_not_an_image_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "notes.png"
    path.write_text("a label, honestly")
    with pytest.raises(UnreadableImage) as raised:
        read(path)
    assert str(raised.value) == f"image {str(path)!r}: not a picture format Pillow can open"


def test_a_missing_file_is_a_file_not_found_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read(tmp_path / "nowhere.png")


def _plain_symbol(content: str, barcode_format: zxingcpp.BarcodeFormat) -> bytes:
    """A symbol unitrace would never print, written with zxing-cpp directly."""
    barcode = zxingcpp.create_barcode(content, barcode_format)
    return _encoded(Image.fromarray(barcode.to_image(scale=4)), "PNG")


@pytest.mark.parametrize(
    ("picture", "error", "message"),
    [
        (
            _plain_symbol("hello", zxingcpp.BarcodeFormat.QRCode),
            UnrecognisedCode,
            "image: code: not a GS1 Digital Link URI, element string, (01)… string or EPC URI: "
            "'hello'",
        ),
        # a GS1 symbol written without checking, as zxing-cpp allows
        (
            _encoded(
                Image.fromarray(
                    zxingcpp.create_barcode(
                        "[01]09506000134353[21]X1", zxingcpp.BarcodeFormat.DataMatrix, gs1=True
                    ).to_image(scale=4)
                ),
                "PNG",
            ),
            InvalidCheckDigit,
            "image: AI (01): check digit 2 expected, got 3",
        ),
    ],
)
def test_a_symbol_whose_data_breaks_a_gs1_rule_is_refused(
    picture: bytes, error: type[InvalidCode], message: str
) -> None:
    with pytest.raises(InvalidCode) as raised:
        read(picture)
    assert (type(raised.value), str(raised.value)) == (error, message)


def test_the_bad_symbol_among_several_is_named() -> None:
    good = _image(render_png(PHARMA_PACK, Symbology.GS1_QR))
    bad = _image(_plain_symbol("hello", zxingcpp.BarcodeFormat.QRCode)).convert("1")
    sheet = Image.new("1", (good.width + bad.width + 30, max(good.height, bad.height) + 20), 255)
    sheet.paste(good, (10, 10))
    sheet.paste(bad, (good.width + 20, 10))
    with pytest.raises(UnrecognisedCode, match=r"^image, symbol [12] of 2: code: not a GS1"):
        read(_encoded(sheet, "PNG"))


def test_reading_gives_the_unit_not_just_its_data() -> None:
    (scan,) = read(render_png(PHARMA_PACK))
    identity: UnitIdentity = scan.identity()
    assert (identity, scan.hri()) == (
        PHARMA_PACK,
        "(01)09506000134352(17)261231(10)ABC123(21)X7KQ2M9P4R3T",
    )


def test_a_symbol_on_a_transparent_background_reads_as_on_paper() -> None:
    # dark modules opaque black, light ones fully transparent black, as design tools export
    modules = _image(render_png(PHARMA_PACK)).convert("L")
    picture = Image.new("RGBA", modules.size, (0, 0, 0, 0))
    picture.paste((0, 0, 0, 255), mask=modules.point(lambda v: 255 if v == 0 else 0))
    assert [scan.identity() for scan in read(_encoded(picture, "PNG"))] == [PHARMA_PACK]
