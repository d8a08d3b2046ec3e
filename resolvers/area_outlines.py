"""Area outlines: the one parser of an outline (for every reader: routing, the directory, the wall),
what makes one acceptable (the one check for every writer), and loading many from a GeoJSON
FeatureCollection in one transaction."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from shapely.errors import GEOSException
from shapely.geometry import box, shape
from shapely.geometry.base import BaseGeometry
from shapely.prepared import PreparedGeometry, prep
from shapely.validation import explain_validity
from tortoise.transactions import in_transaction

from models import Area, AreaLevel
from resolvers.errors import DomainError, ErrorCode, FieldError
from resolvers.geo import METRES_PER_DEGREE_LAT, BoundingBox
from resolvers.timeline import utcnow

MAX_OUTLINE_BYTES = 2_000_000  # one area's GeoJSON
MAX_IMPORT_BYTES = 50_000_000  # a whole file: a city's kelurahan at survey precision
MAX_FEATURES = 500  # the directory's own bound (resolvers.directory_queries.MAX_AREAS)
MAX_REPORTED_PROBLEMS = 20  # a file wrong throughout: the first ones say enough
# Official boundaries run a little into the sea and past the shore the service area draws.
NEAR_CITY_M = 2_000.0


def near_city(frame: BoundingBox) -> BaseGeometry:
    """The service area's frame, widened by NEAR_CITY_M: every outline must lie within it."""
    dlat = NEAR_CITY_M / METRES_PER_DEGREE_LAT
    dlon = dlat / max(math.cos(math.radians((frame.min_lat + frame.max_lat) / 2)), 1e-6)
    return box(frame.min_lon - dlon, frame.min_lat - dlat, frame.max_lon + dlon, frame.max_lat + dlat)


class OutlineError(ValueError):
    """Why a value is not an outline, in Indonesian and English."""

    def __init__(self, message: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message, self.message_en = message, message_en


@dataclass(frozen=True, eq=False)
class Outline:
    """An area's outline, parsed: the GeoJSON geometry as loaded (a Feature gives its geometry) and
    its shape; the box and the prepared shape (for many point tests) computed once when asked."""

    geometry: dict[str, Any]
    shape: BaseGeometry

    @cached_property
    def bounds(self) -> BoundingBox:
        min_lon, min_lat, max_lon, max_lat = self.shape.bounds
        return BoundingBox(min_lat, min_lon, max_lat, max_lon)

    @cached_property
    def prepared(self) -> PreparedGeometry:
        return prep(self.shape)


def _outline(value: object) -> Outline:
    """`value` (decoded GeoJSON: a geometry, or a Feature holding one) as a valid polygon's Outline;
    OutlineError when it is not one."""
    geometry = value.get("geometry") if isinstance(value, dict) and value.get("type") == "Feature" else value
    if not isinstance(geometry, dict) or geometry.get("type") not in {"Polygon", "MultiPolygon"}:
        kind = geometry.get("type") if isinstance(geometry, dict) else type(geometry).__name__
        raise OutlineError(
            f"Batas wilayah harus Polygon atau MultiPolygon GeoJSON, bukan {kind}",
            f"An outline must be a GeoJSON Polygon or MultiPolygon, not {kind}",
        )
    try:
        parsed = shape(geometry)
    except (ValueError, TypeError, KeyError, AttributeError, IndexError, GEOSException) as exc:
        raise OutlineError(
            f"Koordinat batas wilayah rusak: {exc}", f"The outline's coordinates are malformed: {exc}"
        ) from exc
    if parsed.is_empty or not parsed.is_valid:
        why = "empty" if parsed.is_empty else explain_validity(parsed)
        raise OutlineError(f"Batas wilayah bukan poligon yang valid ({why})", f"Not a valid polygon ({why})")
    return Outline(geometry, parsed)


@lru_cache(maxsize=MAX_FEATURES)
def parse_outline(stored: str) -> Outline:
    """A stored outline (an area's `polygon` text), parsed once per text: every reader asks here, so
    a page of areas or a routing refresh parses only outlines it has not seen. Keyed by the text
    itself, a changed outline (`setAreaOutline`, `sigap areas import`, from any process) is parsed
    anew and the old one ages out. Callers must not change what it returns. OutlineError (a
    ValueError) when the text is not a valid polygon's GeoJSON."""
    try:
        decoded = json.loads(stored)
    except ValueError as exc:
        raise OutlineError("Batas wilayah bukan JSON", "The outline is not JSON") from exc
    return _outline(decoded)


def outline_problem(geometry: object, frame: BoundingBox) -> tuple[str, str] | None:
    """Why `geometry` (decoded GeoJSON, a geometry or a Feature holding one) cannot be an area's
    outline, in Indonesian and English; None when it can."""
    try:
        parsed = _outline(geometry).shape
    except OutlineError as exc:
        return exc.message, exc.message_en
    if not near_city(frame).contains(parsed):
        min_lon, min_lat, max_lon, max_lat = parsed.bounds
        return (
            "Batas wilayah berada di luar kota (lebih dari 2 km dari wilayah layanan)",
            f"The outline lies outside the city (lat {min_lat:.4f}..{max_lat:.4f}, lon "
            f"{min_lon:.4f}..{max_lon:.4f}; more than 2 km from the service area)",
        )
    return None


@dataclass(frozen=True)
class LoadedOutline:
    code: str
    name: str
    level: AreaLevel


@dataclass(frozen=True)
class OutlineFile:
    """A FeatureCollection's outlines, checked: geometry by area code, in the file's order."""

    outlines: dict[str, dict[str, Any]]
    code_property: str


def read_outline_file(text: str, frame: BoundingBox, code_property: str = "code") -> OutlineFile:
    """Check a whole GeoJSON FeatureCollection before anything is written: DomainError with every
    problem found (up to MAX_REPORTED_PROBLEMS) when one feature is wrong."""
    return OutlineFile(_read_features(text, frame, code_property), code_property)


async def import_outlines(file: OutlineFile) -> list[LoadedOutline]:
    """Set the outlines of the areas the file names, all or none: an unknown code refuses the whole
    file. Routing sees the new outlines at once: its index re-reads areas whose `updated_at` moved,
    and cached answers follow the database."""
    outlines, code_property = file.outlines, file.code_property
    async with in_transaction() as connection:
        areas = {
            area.code: area
            for area in await Area.filter(code__in=list(outlines)).select_for_update().using_db(connection)
        }
        order = list(outlines)
        unknown = [code for code in order if code not in areas]
        if unknown:
            raise DomainError(
                *(
                    FieldError(
                        ErrorCode.NOT_FOUND,
                        f"Tidak ada wilayah berkode {code!r}",
                        f"No area has the code {code!r} (see `areas {{ code }}`)",
                        f"features[{order.index(code)}].properties.{code_property}",
                    )
                    for code in unknown[:MAX_REPORTED_PROBLEMS]
                )
            )
        now = utcnow()
        for code, geometry in outlines.items():
            area = areas[code]
            area.polygon = json.dumps(geometry, separators=(",", ":"))  # type: ignore[assignment]
            area.updated_at = now
            await area.save(using_db=connection, update_fields=["polygon", "updated_at"])
    return [LoadedOutline(code, areas[code].name, AreaLevel(areas[code].level)) for code in outlines]


def _read_features(text: str, frame: BoundingBox, code_property: str) -> dict[str, dict[str, Any]]:
    """Each feature's geometry by area code, checked; DomainError with the problems otherwise."""
    if len(text) > MAX_IMPORT_BYTES:
        raise _refused(
            f"Berkas lebih dari {MAX_IMPORT_BYTES} bait", f"The file is over {MAX_IMPORT_BYTES} bytes"
        )
    try:
        collection = json.loads(text)
    except ValueError as exc:
        raise _refused(f"Berkas bukan JSON: {exc}", f"The file is not JSON: {exc}") from exc
    features = collection.get("features") if isinstance(collection, dict) else None
    if (
        not isinstance(collection, dict)
        or collection.get("type") != "FeatureCollection"
        or not isinstance(features, list)
    ):
        raise _refused(
            "Berkas harus FeatureCollection GeoJSON", "The file must be a GeoJSON FeatureCollection"
        )
    if not features or len(features) > MAX_FEATURES:
        raise _refused(
            f"FeatureCollection harus berisi 1 sampai {MAX_FEATURES} fitur",
            f"The FeatureCollection must hold 1 to {MAX_FEATURES} features",
        )
    problems: list[FieldError] = []
    outlines: dict[str, dict[str, Any]] = {}
    for index, feature in enumerate(features):
        where = f"features[{index}]"
        properties = feature.get("properties") if isinstance(feature, dict) else None
        code = properties.get(code_property) if isinstance(properties, dict) else None
        if not isinstance(code, str) or not code.strip():
            problems.append(
                _problem(
                    f"Fitur tanpa kode wilayah di properti {code_property!r}",
                    f"The feature has no area code in its {code_property!r} property",
                    f"{where}.properties.{code_property}",
                )
            )
            continue
        code = code.strip()
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        if code in outlines:
            problems.append(
                _problem(f"Kode {code!r} muncul dua kali", f"The code {code!r} appears twice", where)
            )
        elif len(json.dumps(geometry)) > MAX_OUTLINE_BYTES:
            problems.append(
                _problem(
                    f"Batas {code} terlalu besar",
                    f"{code}'s outline is over {MAX_OUTLINE_BYTES} bytes",
                    where,
                )
            )
        elif (problem := outline_problem(geometry, frame)) is not None:
            problems.append(_problem(f"{code}: {problem[0]}", f"{code}: {problem[1]}", f"{where}.geometry"))
        else:
            outlines[code] = geometry  # type: ignore[assignment]  # checked to be a geometry dict
    if problems:
        raise DomainError(*problems[:MAX_REPORTED_PROBLEMS])
    return outlines


def _problem(message: str, message_en: str, field: str) -> FieldError:
    return FieldError(ErrorCode.INVALID_INPUT, message, message_en, field)


def _refused(message: str, message_en: str) -> DomainError:
    return DomainError(_problem(message, message_en, "file"))
