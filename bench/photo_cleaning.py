"""What cleaning one uploaded photo costs, against Pillow doing less on the same file in the same run.

A 12-megapixel phone photo (4032 x 3024, with camera and GPS EXIF, orientation 6) is measured as:
  decode only        Image.open + load: the floor any image check pays
  decode + encode    decode and re-encode with the same settings: the floor for dropping metadata
  clean_photo        Sigap's whole path: decode, bomb checks, orientation, strip, encode, thumbnail

Run: .venv/bin/python -m bench.photo_cleaning [--rounds 5] [--formats JPEG,WEBP,PNG]
One process, one thread: it measures CPU per photo, not the server's concurrency.
"""

from __future__ import annotations

import argparse
import io
import resource
import statistics
import time
from collections.abc import Callable

from PIL import Image, ImageFilter

from resolvers.photo_cleaning import JPEG_QUALITY, PNG_COMPRESS_LEVEL, WEBP_METHOD, WEBP_QUALITY, clean_photo
from tests.images import camera_exif

SIZE = (4032, 3024)


def phone_photo(fmt: str) -> bytes:
    """Noise blurred into soft texture over a gradient: compresses like a photo, not like a flat fill."""
    noise = Image.effect_noise((SIZE[0] // 4, SIZE[1] // 4), 64).filter(ImageFilter.GaussianBlur(1))
    gradient = Image.linear_gradient("L").resize(noise.size)
    small = Image.merge("RGB", (noise, gradient, Image.blend(noise, gradient, 0.5)))
    image = small.resize(SIZE, Image.Resampling.BICUBIC)
    out = io.BytesIO()
    image.save(out, fmt, exif=camera_exif(orientation=6), **({"quality": 90} if fmt != "PNG" else {}))
    return out.getvalue()


def decode_only(data: bytes) -> None:
    with Image.open(io.BytesIO(data)) as image:
        image.load()


def decode_encode(data: bytes) -> None:
    with Image.open(io.BytesIO(data)) as image:
        fmt = image.format or "JPEG"
        params = {
            "JPEG": {"quality": JPEG_QUALITY},
            "WEBP": {"quality": WEBP_QUALITY, "method": WEBP_METHOD},
            "PNG": {"compress_level": PNG_COMPRESS_LEVEL},
        }[fmt]
        image.save(io.BytesIO(), fmt, **params)


def timed(step: Callable[[bytes], object], data: bytes, rounds: int) -> list[float]:
    step(data)  # warm-up: first-use costs (plugin imports, allocator) are not per photo
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        step(data)
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--formats", default="JPEG,WEBP,PNG")
    args = parser.parse_args()
    megapixels = SIZE[0] * SIZE[1] / 1e6
    print(f"{SIZE[0]} x {SIZE[1]} ({megapixels:.1f} MP), {args.rounds} rounds each, one thread\n")
    header = f"{'format':<6} {'input':>9}  {'step':<16} {'median ms':>9} {'max ms':>8} {'photos/s':>8}"
    print(header + "  relative")
    for fmt in args.formats.split(","):
        data = phone_photo(fmt)
        steps: list[tuple[str, Callable[[bytes], object]]] = [
            ("decode only", decode_only),
            ("decode + encode", decode_encode),
            ("clean_photo", lambda d: clean_photo(d, "bench")),
        ]
        floor = None
        for name, step in steps:
            times = timed(step, data, args.rounds)
            median = statistics.median(times)
            floor = floor or median
            print(
                f"{fmt:<6} {len(data) / 1e6:>7.1f}MB  {name:<16} {median:>9.0f} {max(times):>8.0f}"
                f" {1000 / median:>8.1f}  {median / floor:.2f}x"
            )
        cleaned = clean_photo(data, "bench")
        print(
            f"{'':<6} {'':>9}  stored {len(cleaned.data) / 1e6:.1f} MB ({cleaned.width} x {cleaned.height}),"
            f" thumbnail {len(cleaned.thumbnail) / 1e3:.0f} KB\n"
        )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory of this process: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
