"""Turning an uploaded file into the copy Sigap stores: decoded, checked, re-encoded, stripped.

What a file is gets decided by decoding its content with the JPEG, PNG and WebP decoders only,
never by its name or declared type. Only the pixels survive: the copy is re-encoded from them, so
EXIF (GPS, camera, owner), XMP, comments, text chunks, colour profiles and anything appended to the
file (an HTML page after a JPEG) are gone. The EXIF orientation is applied to the pixels first, so
the photo still stands the right way up. Runs in a worker thread: Pillow releases the GIL while it
decodes and encodes.
"""

from __future__ import annotations

import io
import secrets
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from models import PhotoFormat
from resolvers.errors import DomainError, ErrorCode, fail

MAX_FILE_BYTES = 10 * 1024 * 1024
# A 50-megapixel phone photo decodes to 150-200 MB of pixels; more than that is refused before any
# pixel is decoded (a 40,000 x 40,000 PNG of one colour compresses to kilobytes).
MAX_PIXELS = 50_000_000
MAX_SIDE = 20_000
THUMBNAIL_SIDE = 400
JPEG_QUALITY = 85
WEBP_QUALITY = 80
# Encoder effort, measured on a 12-megapixel photo (bench/photo_cleaning.py): WebP method 2 and PNG
# level 3 take a third of the default time for files 5% and 16% larger.
WEBP_METHOD = 2
PNG_COMPRESS_LEVEL = 3

# Pillow's own bomb check, applied by Image.open to every image in the process: warn above
# MAX_IMAGE_PIXELS and fail above twice that. The warning is made an error, as Pillow's docs advise,
# so nothing past our limit is ever decoded, whoever opens it.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
warnings.simplefilter("error", Image.DecompressionBombWarning)

_DECODERS = ("JPEG", "PNG", "WEBP")
_FORMAT_OF = {
    "JPEG": PhotoFormat.JPEG,
    "MPO": PhotoFormat.JPEG,
    "PNG": PhotoFormat.PNG,
    "WEBP": PhotoFormat.WEBP,
}
EXTENSION = {PhotoFormat.JPEG: "jpg", PhotoFormat.PNG: "png", PhotoFormat.WEBP: "webp"}
CONTENT_TYPE = {PhotoFormat.JPEG: "image/jpeg", PhotoFormat.PNG: "image/png", PhotoFormat.WEBP: "image/webp"}


@dataclass(frozen=True)
class CleanPhoto:
    format: PhotoFormat
    width: int
    height: int
    data: bytes
    thumbnail: bytes
    name: str  # random storage names, nothing of the upload's
    thumbnail_name: str

    @property
    def content_type(self) -> str:
        return CONTENT_TYPE[self.format]


def clean_photo(data: bytes, field: str) -> CleanPhoto:
    """The stored copy of one uploaded image; DomainError (naming `field`) if it is not one we take."""
    if not data:
        raise fail(ErrorCode.EMPTY_FILE, "Berkas foto kosong", "The photo file is empty", field)
    if len(data) > MAX_FILE_BYTES:
        raise _too_large_file(field)
    image = _open(data, field)
    try:
        photo_format = _FORMAT_OF[image.format or ""]
        try:
            image.load()
            upright = ImageOps.exif_transpose(image)  # a new image: the upload's stays untouched
        except Exception as exc:
            raise _damaged(field) from exc
        pixels = _pixels_only(upright, photo_format)
        token = secrets.token_hex(16)
        extension = EXTENSION[photo_format]
        thumbnail = pixels.copy()
        thumbnail.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
        return CleanPhoto(
            format=photo_format,
            width=pixels.width,
            height=pixels.height,
            data=_encode(pixels, photo_format),
            thumbnail=_encode(thumbnail, photo_format),
            name=f"{token}.{extension}",
            thumbnail_name=f"{token}-thumb.{extension}",
        )
    finally:
        image.close()


def _open(data: bytes, field: str) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(data), formats=_DECODERS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_many_pixels(field) from exc
    except UnidentifiedImageError as exc:
        raise fail(
            ErrorCode.UNSUPPORTED_IMAGE,
            "Berkas bukan foto JPEG, PNG atau WebP",
            "The file is not a JPEG, PNG or WebP image",
            field,
        ) from exc
    except Exception as exc:
        raise _damaged(field) from exc
    width, height = image.size
    # Checked again here, before any pixel is decoded, whatever the process-wide setting says.
    if width * height > MAX_PIXELS or width > MAX_SIDE or height > MAX_SIDE:
        image.close()
        raise _too_many_pixels(field)
    if width < 1 or height < 1:
        image.close()
        raise _damaged(field)
    return image


def _pixels_only(image: Image.Image, photo_format: PhotoFormat) -> Image.Image:
    """The pixels in a mode the format stores, with every piece of metadata dropped. `image` is
    our own copy (from exif_transpose), changed in place when its mode already fits."""
    has_alpha = "A" in image.getbands() or "transparency" in image.info
    if photo_format is PhotoFormat.JPEG:
        wanted = "L" if image.mode in {"1", "L"} else "RGB"
    elif image.mode in {"L", "LA", "RGB", "RGBA"}:
        wanted = image.mode
    else:
        wanted = "RGBA" if has_alpha else "RGB"
    clean = image.convert(wanted) if image.mode != wanted else image
    clean.info = {}  # encoders copy some of it (JPEG comments, PNG colour profiles) into the output
    return clean


def _encode(image: Image.Image, photo_format: PhotoFormat) -> bytes:
    out = io.BytesIO()
    if photo_format is PhotoFormat.JPEG:
        image.save(out, "JPEG", quality=JPEG_QUALITY)
    elif photo_format is PhotoFormat.PNG:
        image.save(out, "PNG", compress_level=PNG_COMPRESS_LEVEL)
    else:
        image.save(out, "WEBP", quality=WEBP_QUALITY, method=WEBP_METHOD)
    return out.getvalue()


def _too_large_file(field: str) -> DomainError:
    mib = MAX_FILE_BYTES // (1024 * 1024)
    return fail(
        ErrorCode.FILE_TOO_LARGE,
        f"Foto lebih dari {mib} MiB",
        f"The photo is larger than {mib} MiB",
        field,
    )


def _too_many_pixels(field: str) -> DomainError:
    megapixels = MAX_PIXELS // 1_000_000
    return fail(
        ErrorCode.IMAGE_TOO_LARGE,
        f"Ukuran gambar lebih dari {megapixels} megapiksel atau {MAX_SIDE} piksel per sisi",
        f"The image has more than {megapixels} megapixels or {MAX_SIDE} pixels on a side",
        field,
    )


def _damaged(field: str) -> DomainError:
    return fail(
        ErrorCode.DAMAGED_IMAGE,
        "Foto rusak atau terpotong",
        "The image is damaged or truncated",
        field,
    )
