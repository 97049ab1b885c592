"""The variant pipeline: formats, sizes, never upscaled, orientation, colour modes, metadata, hostile input."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from media.decode import decode
from media.errors import BadImage
from media.pipeline import process_original
from media.placeholder import MAX_PLACEHOLDER_CHARS, placeholder_data_uri
from media.variants import FORMATS, WIDTHS, plan_widths, read_variant_bytes
from tests.media_images import (
    encode,
    noisy_rgb,
    png_header_only,
    rotated_jpeg,
    smooth_rgb,
    swapped_primaries_icc,
)

LIMITS = {"max_bytes": 2_000_000, "max_pixels": 4_000_000}
PIL_NAMES = {"avif": "AVIF", "webp": "WEBP", "jpg": "JPEG"}


def run(tmp_path, data: bytes, **kw):
    return process_original(data, name="photo.x", data_dir=tmp_path, **{**LIMITS, **kw})


def open_variant(tmp_path, processed, width: int, fmt: str) -> Image.Image:
    image = Image.open(io.BytesIO(read_variant_bytes(tmp_path, processed.id, width, fmt)))
    image.load()
    return image


@pytest.mark.parametrize(
    ("original_width", "expected"),
    [
        (100, [(160, 100)]),
        (160, [(160, 160)]),
        (600, [(160, 160), (320, 320), (640, 600)]),
        (1280, [(w, w) for w in WIDTHS]),
        (3000, [(w, w) for w in WIDTHS]),
    ],
)
def test_widths_are_configured_and_never_upscaled(original_width, expected):
    assert expected == plan_widths(original_width)


def test_every_width_and_format_is_written_with_its_real_size(tmp_path):
    processed = run(tmp_path, encode(smooth_rgb((700, 350)), "PNG"))
    assert (700, 350) == (processed.width, processed.height)
    got = {(v.width, v.format): (v.pixel_width, v.pixel_height) for v in processed.variants}
    expected = {(w, f): (px, px // 2) for w, px in [(160, 160), (320, 320), (640, 640), (960, 700)] for f in FORMATS}
    assert expected == got
    for v in processed.variants:
        image = open_variant(tmp_path, processed, v.width, v.format)
        assert PIL_NAMES[v.format] == image.format
        assert (v.pixel_width, v.pixel_height) == image.size
        assert v.bytes == len(read_variant_bytes(tmp_path, processed.id, v.width, v.format))
    assert Image.open(io.BytesIO(read_variant_bytes(tmp_path, processed.id, 640, "jpg"))).info.get("progressive")


@pytest.mark.parametrize("fmt", FORMATS)
def test_exif_orientation_is_applied(tmp_path, fmt):
    processed = run(tmp_path, rotated_jpeg(6))
    assert (32, 64) == (processed.width, processed.height)
    image = open_variant(tmp_path, processed, 160, fmt).convert("RGB")
    assert (32, 64) == image.size
    top, bottom = image.getpixel((16, 8)), image.getpixel((16, 56))
    assert top[0] > 150 and top[2] < 90, (fmt, top)  # the red left half is now on top
    assert bottom[2] > 150 and bottom[0] < 90, (fmt, bottom)
    assert not image.getexif().get(0x0112), fmt


@pytest.mark.parametrize("fmt", FORMATS)
def test_metadata_and_profiles_are_stripped(tmp_path, fmt):
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    data = encode(noisy_rgb((60, 40)), "JPEG", exif=exif.tobytes(), icc_profile=swapped_primaries_icc(), comment=b"hi")
    processed = run(tmp_path, data)
    raw = read_variant_bytes(tmp_path, processed.id, 160, fmt)
    assert b"SecretCam" not in raw and b"swapped" not in raw
    assert not Image.open(io.BytesIO(raw)).info.get("icc_profile")


def test_embedded_icc_profile_is_converted_to_srgb(tmp_path):
    image = Image.new("RGB", (40, 30), (200, 40, 40))  # "red" numbers that mean green in the profile
    processed = run(tmp_path, encode(image, "PNG", icc_profile=swapped_primaries_icc()))
    r, g, b = open_variant(tmp_path, processed, 160, "webp").convert("RGB").getpixel((20, 15))
    assert g > 150 and r < 80, (r, g, b)


@pytest.mark.parametrize(
    ("make", "alpha_expected", "probe"),
    [
        ("cmyk", False, (250, 5, 5)),
        ("palette_transparent", True, (0, 0, 230)),
        ("la", True, (128, 128, 128)),
        ("gray16", False, (117, 117, 117)),
        ("rgba_opaque", False, (10, 200, 10)),
    ],
)
def test_colour_modes_become_8bit_srgb(tmp_path, make, alpha_expected, probe):
    if make == "cmyk":
        data = encode(Image.new("CMYK", (40, 30), (0, 255, 255, 0)), "JPEG", quality=95)
    elif make == "palette_transparent":
        image = Image.new("P", (40, 30), 1)
        image.putpalette([0, 0, 0, 0, 0, 230] + [0] * 762)
        image.paste(0, (0, 0, 20, 30))  # left half: index 0, transparent
        data = encode(image, "PNG", transparency=0)
    elif make == "la":
        image = Image.new("LA", (40, 30), (128, 255))
        image.paste((128, 0), (0, 0, 20, 30))
        data = encode(image, "PNG")
    elif make == "gray16":
        data = encode(Image.new("I;16", (40, 30), 30000), "PNG")
    else:
        data = encode(Image.new("RGBA", (40, 30), (10, 200, 10, 255)), "PNG")
    processed = run(tmp_path, data)
    webp = open_variant(tmp_path, processed, 160, "webp")
    assert ("RGBA" if alpha_expected else "RGB") == webp.mode
    pixel = webp.convert("RGB").getpixel((30, 15))
    assert all(abs(a - b) <= 12 for a, b in zip(probe, pixel)), pixel
    jpg = open_variant(tmp_path, processed, 160, "jpg")
    assert "RGB" == jpg.mode
    if alpha_expected:
        assert webp.getchannel("A").getpixel((5, 15)) < 10  # transparency kept where the format has it
        assert all(c > 240 for c in jpg.getpixel((5, 15)))  # and flattened onto white for JPEG


@pytest.mark.parametrize(
    ("case", "words"),
    [
        ("not_an_image", "not a readable image"),
        ("empty", "empty"),
        ("truncated", "not a readable image"),
        ("too_many_bytes", "bytes"),
        ("huge_dimensions_tiny_file", "decompression bomb"),
        ("over_pixel_limit", "pixels"),
        ("unaccepted_format", "not accepted"),
        ("freak_aspect_ratio", "side outside 1..16383"),
    ],
)
def test_hostile_input_is_refused_naming_the_file_and_nothing_is_written(tmp_path, case, words):
    data = {
        "not_an_image": lambda: b"<html>hello</html>" * 10,
        "empty": lambda: b"",
        "truncated": lambda: encode(noisy_rgb((300, 200)), "JPEG")[:2000],
        "too_many_bytes": lambda: b"\xff\xd8" + b"\0" * 3_000_000,
        "huge_dimensions_tiny_file": lambda: png_header_only(100_000, 100_000),
        "over_pixel_limit": lambda: encode(Image.new("L", (2500, 2000)), "PNG"),  # 5 MP, under twice the limit
        "unaccepted_format": lambda: encode(Image.new("RGB", (20, 20)), "BMP"),
        "freak_aspect_ratio": lambda: encode(Image.new("RGB", (10, 17_000)), "PNG"),  # taller than WebP allows
    }[case]()
    assert len(png_header_only(100_000, 100_000)) < 200
    with pytest.raises(BadImage) as info:
        process_original(data, name="evil.jpg", data_dir=tmp_path, **LIMITS)
    assert str(info.value).startswith("evil.jpg: ")
    assert words in str(info.value)
    assert [] == list(tmp_path.rglob("*"))


@pytest.mark.parametrize(
    ("width", "height", "max_pixels", "words"),
    [
        (1, 49_000_000, 50_000_000, "1x49000000 has a side outside 1..16383 pixels"),
        (4_000, 4_000, 50_000_000, "not a readable image"),  # the control: the header passes, decoding fails
        (16_000, 700, 50_000_000, "16000x700 is stretched more than 20:1"),
        (300, 6_001, 50_000_000, "stretched more than 20:1"),
        (7_000, 7_000, 40_000_000, "7000x7000 is more than the limit of 40000000 pixels"),
    ],
)
def test_sides_aspect_and_pixels_are_refused_from_the_header(tmp_path, width, height, max_pixels, words):
    # The files hold a header and 64 bytes of pixels: decoding them would fail as "not a readable image",
    # so the message shows that the header alone decided, before any pixel was decoded.
    with pytest.raises(BadImage) as info:
        process_original(png_header_only(width, height), name="strip.png", data_dir=tmp_path, max_bytes=1000, max_pixels=max_pixels)
    assert str(info.value).startswith("strip.png: ") and words in str(info.value)
    assert [] == list(tmp_path.rglob("*"))


def test_a_stretched_image_within_the_limits_is_taken(tmp_path):
    processed = run(tmp_path, encode(smooth_rgb((2000, 100)), "PNG"))
    assert (2000, 100) == (processed.width, processed.height)


def _frames(kind: str) -> bytes:
    frames = [Image.new("RGB", (40, 30), colour) for colour in ((250, 0, 0), (0, 0, 250))]
    fmt = {"gif": "GIF", "webp": "WEBP", "apng": "PNG"}[kind]
    return encode(frames[0], fmt, save_all=True, append_images=frames[1:], duration=100, loop=0)


@pytest.mark.parametrize("kind", ["gif", "webp", "apng"])
def test_animated_images_are_refused(tmp_path, kind):
    with pytest.raises(BadImage) as info:
        run(tmp_path, _frames(kind))
    assert "animated images are not accepted; upload a still" in str(info.value)
    assert [] == list(tmp_path.rglob("*"))


@pytest.mark.parametrize("fmt", ["GIF", "WEBP", "PNG"])
def test_a_single_frame_of_an_animatable_format_is_taken(tmp_path, fmt):
    processed = run(tmp_path, encode(Image.new("RGB", (40, 30), (0, 200, 0)), fmt))
    assert (40, 30) == (processed.width, processed.height)


def test_pixel_limit_is_set_explicitly(tmp_path):
    run(tmp_path, encode(noisy_rgb((30, 20)), "PNG"), max_pixels=123_456)
    assert 123_456 == Image.MAX_IMAGE_PIXELS


def test_large_jpeg_is_drafted_and_still_exact(tmp_path):
    processed = run(tmp_path, encode(smooth_rgb((2600, 1300)), "JPEG", quality=80), formats=["jpg"])
    assert [(w, w // 2) for w in WIDTHS] == [(v.pixel_width, v.pixel_height) for v in processed.variants]


def test_large_jpeg_decodes_at_a_reduced_scale():
    data = encode(smooth_rgb((2600, 1300)), "JPEG", quality=80)
    decoded = decode(data, name="big.jpg", max_width=1280, **LIMITS)
    assert (2600, 1300) == (decoded.width, decoded.height)  # the original's size is reported...
    assert (1300, 650) == decoded.image.size  # ...but DCT scaling decoded only half of each side


def test_draft_respects_exif_rotation(tmp_path):
    exif = Image.Exif()
    exif[0x0112] = 6
    data = encode(smooth_rgb((2600, 1300)), "JPEG", quality=80, exif=exif.tobytes())
    processed = run(tmp_path, data, formats=["jpg"])
    assert (1300, 2600) == (processed.width, processed.height)
    assert [(w, 2 * w) for w in WIDTHS] == [(v.pixel_width, v.pixel_height) for v in processed.variants]


def test_same_bytes_same_id_and_files_written_once(tmp_path):
    data = encode(noisy_rgb((50, 40)), "PNG")
    first = run(tmp_path, data)
    assert first.id == run(tmp_path, data).id
    assert not [p for p in tmp_path.rglob(".tmp-*")]


@pytest.mark.parametrize("size", [(1280, 960), (1, 1), (2000, 20), (20, 2000), (333, 333)])
def test_placeholder_is_small_enough_to_inline(size):
    uri = placeholder_data_uri(noisy_rgb(size))
    assert uri.startswith("data:image/webp;base64,")
    assert len(uri) <= MAX_PLACEHOLDER_CHARS
