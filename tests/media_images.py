"""Small images made in code for the media tests: colour modes, EXIF rotation, an ICC profile, hostile files."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image


def encode(image: Image.Image, fmt: str, **params) -> bytes:
    buf = io.BytesIO()
    image.save(buf, fmt, **params)
    return buf.getvalue()


def halves(size=(64, 32), left=(220, 20, 20), right=(20, 20, 220)) -> Image.Image:
    """Left half one colour, right half another: orientation shows in where each ends up."""
    image = Image.new("RGB", size, right)
    image.paste(left, (0, 0, size[0] // 2, size[1]))
    return image


def rotated_jpeg(orientation: int = 6) -> bytes:
    """A 64x32 JPEG (red left, blue right) whose EXIF says to rotate it for display."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    return encode(halves(), "JPEG", quality=95, exif=exif.tobytes())


def _s15(v: float) -> bytes:
    return struct.pack(">i", round(v * 65536))


def swapped_primaries_icc() -> bytes:
    """An ICC v2 RGB matrix/TRC profile whose red and green colorants are sRGB's green and red."""
    def xyz(x, y, z):
        return b"XYZ " + b"\0" * 4 + _s15(x) + _s15(y) + _s15(z)

    curve = b"curv" + b"\0" * 4 + struct.pack(">IH", 1, round(2.2 * 256)) + b"\0\0"
    text = b"swapped"
    desc = (b"desc" + b"\0" * 4 + struct.pack(">I", len(text) + 1) + text + b"\0" + b"\0" * 8 + b"\0\0\0" + b"\0" * 67)
    tags = [
        (b"desc", desc),
        (b"wtpt", xyz(0.9642, 1.0, 0.8249)),
        (b"rXYZ", xyz(0.3851, 0.7169, 0.0971)),  # sRGB green
        (b"gXYZ", xyz(0.4361, 0.2225, 0.0139)),  # sRGB red
        (b"bXYZ", xyz(0.1431, 0.0606, 0.7141)),
        (b"rTRC", curve), (b"gTRC", curve), (b"bTRC", curve),
        (b"cprt", b"text" + b"\0" * 4 + b"none\0\0\0\0"),
    ]
    offset = 128 + 4 + 12 * len(tags)
    table, body = b"", b""
    for sig, data in tags:
        while len(data) % 4:
            data += b"\0"
        table += sig + struct.pack(">II", offset + len(body), len(data))
        body += data
    total = offset + len(body)
    header = (struct.pack(">I", total) + b"\0" * 4 + bytes([2, 0x10, 0, 0]) + b"mntrRGB XYZ " + b"\0" * 12 + b"acsp"
              + b"\0" * 24 + b"\0" * 4 + _s15(0.9642) + _s15(1.0) + _s15(0.8249) + b"\0" * 4 + b"\0" * 16 + b"\0" * 28)
    assert 128 == len(header)
    return header + struct.pack(">I", len(tags)) + table + body


def png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG that claims enormous dimensions (a decompression bomb in a few dozen bytes)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\0" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def noisy_rgb(size=(200, 150), seed: int = 1) -> Image.Image:
    """A noise image: not trivially compressible, so encoders do real work."""
    return Image.merge("RGB", [Image.effect_noise(size, 30 + 10 * i + seed) for i in range(3)])


def smooth_rgb(size=(200, 150)) -> Image.Image:
    """Gradients: cheap to make and to encode, for tests about sizes rather than compression."""
    g = Image.linear_gradient("L")
    r = Image.radial_gradient("L")
    return Image.merge("RGB", [g.resize(size), r.resize(size), g.transpose(Image.Transpose.ROTATE_90).resize(size)])
