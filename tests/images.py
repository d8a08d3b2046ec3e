"""Real image files made with Pillow for the photo tests: with GPS and camera EXIF, rotated, broken,
disguised, and a decompression bomb."""

from __future__ import annotations

import io
import struct
import zlib
from functools import cache

from PIL import ExifTags, Image

RED = (220, 20, 20)
BLUE = (20, 20, 220)
GPS_KUPANG = {
    ExifTags.GPS.GPSLatitudeRef: "S",
    ExifTags.GPS.GPSLatitude: (10.0, 10.0, 12.5),
    ExifTags.GPS.GPSLongitudeRef: "E",
    ExifTags.GPS.GPSLongitude: (123.0, 36.0, 25.2),
}


def two_colour(width: int = 240, height: int = 120, mode: str = "RGB") -> Image.Image:
    """Left half red, right half blue: shows which way a photo was turned."""
    image = Image.new("RGB", (width, height), BLUE)
    image.paste(RED, (0, 0, width // 2, height))
    return image.convert(mode)


def camera_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Canon"
    exif[ExifTags.Base.Model] = "Canon EOS 5D Mark IV"
    exif[ExifTags.Base.Artist] = "Budi Santoso"
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.IFD.GPSInfo] = GPS_KUPANG
    return exif


def encode(image: Image.Image, fmt: str, **params: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **params)
    return out.getvalue()


def jpeg_with_gps(width: int = 240, height: int = 120, orientation: int = 1) -> bytes:
    return encode(two_colour(width, height), "JPEG", exif=camera_exif(orientation), comment=b"<b>hi</b>")


def png_with_gps() -> bytes:
    return encode(two_colour(mode="RGBA"), "PNG", exif=camera_exif())


def webp_with_gps() -> bytes:
    return encode(two_colour(), "WEBP", exif=camera_exif())


def gif() -> bytes:
    return encode(two_colour().convert("P"), "GIF")


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="9" height="9"/></svg>'
HTML = b"<!doctype html><html><script>alert(document.cookie)</script></html>"


def gif_javascript_polyglot() -> bytes:
    """A GIF whose header also parses as JavaScript (GIF89a=...): a classic XSS carrier."""
    return b"GIF89a/*" + gif()[8:] + b"*/=1;alert(document.domain);"


def jpeg_with_html_appended() -> bytes:
    return jpeg_with_gps() + HTML


@cache
def png_bomb(side: int = 40_000) -> bytes:
    """A valid 1-bit PNG of side x side pixels (1.6 gigapixels) that compresses to about 200 KB."""
    row = b"\x00" + b"\x00" * ((side + 7) // 8)
    compressor = zlib.compressobj(9)
    chunks = [compressor.compress(row * 1000) for _ in range(side // 1000)]
    idat = b"".join(chunks) + compressor.flush()

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


# Keys Pillow's decoders add themselves (JFIF density, WebP animation defaults): not from the upload.
DECODER_DEFAULTS = {"jfif", "jfif_version", "jfif_unit", "jfif_density", "dpi", "background", "loop"}


def metadata_of(data: bytes) -> dict[str, object]:
    """What a viewer could read out of stored bytes besides the pixels."""
    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
        return {
            "format": image.format,
            "size": image.size,
            "exif_tags": dict(exif),
            "gps": dict(exif.get_ifd(ExifTags.IFD.GPSInfo)),
            "info_keys": sorted(set(image.info) - DECODER_DEFAULTS),
        }
