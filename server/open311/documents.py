"""Open311 GeoReport v2 documents: Sigap's categories as services, reports as service requests,
and both formats of the specification (JSON, and XML with its element names).

Status: SUBMITTED, ACKNOWLEDGED and IN_PROGRESS are `open`; RESOLVED, CLOSED, REJECTED and
DUPLICATE are `closed`, with `status_notes` saying which (and why, when staff gave a reason).
A report's place, address and photo are as the caller may see them (resolvers.exports, which asks
resolvers.privacy); its reporter's identity and contact never appear.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

from models import ReportStatus
from models.lifecycle import OPEN_STATUSES
from resolvers.exports import Directory

OPEN, CLOSED = "open", "closed"

# The element of each item of a list, by the list's element (the specification's XML examples).
XML_ITEMS = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "keywords": "keyword",
    "errors": "error",
}


def open311_status(status: ReportStatus) -> str:
    return OPEN if status in OPEN_STATUSES else CLOSED


def statuses_of(open311: str) -> list[ReportStatus]:
    return sorted((s for s in ReportStatus if open311_status(s) == open311), key=list(ReportStatus).index)


def service(category: Mapping[str, Any]) -> dict[str, Any]:
    """A category as a service: no extra questions today, so `metadata` is false."""
    return {
        "service_code": category["code"],
        "service_name": category["name"],
        "description": f"{category['name']} ({category['name_en']})",
        "metadata": False,
        "type": "realtime",
        "keywords": category["name_en"].lower(),
        "group": category["agency_code"],
    }


def service_definition(category: Mapping[str, Any]) -> dict[str, Any]:
    return {"service_code": category["code"], "attributes": []}


def service_request(
    row: Mapping[str, Any], seen: Mapping[str, Any], directory: Directory, media_url: str | None
) -> dict[str, Any]:
    """A report (its `row`), as `resolvers.exports.exported` shows it to the caller (`seen`)."""
    status = ReportStatus(seen["status"])
    notes = status.value if seen["statusReason"] is None else f"{status.value}: {seen['statusReason']}"
    return {
        "service_request_id": seen["code"],
        "status": open311_status(status),
        "status_notes": notes,
        "service_name": directory.category_names.get(row["category_id"]),
        "service_code": seen["category"],
        "description": seen["description"],
        "agency_responsible": directory.agency_names.get(row["agency_id"]),
        "service_notice": None,
        "requested_datetime": seen["createdAt"],
        "updated_datetime": seen["updatedAt"],
        "expected_datetime": seen["dueAt"],
        "address": seen["address"],
        "address_id": None,
        "zipcode": None,
        "lat": seen["lat"],
        "long": seen["lon"],
        "media_url": media_url,
    }


def as_xml(root: str, document: Any) -> bytes:
    """The XML of the specification: `root` holds the document; a list's items are named by
    XML_ITEMS after their list; null values are empty elements."""
    element = Element(root)
    _fill(element, root, document)
    return b'<?xml version="1.0" encoding="utf-8"?>' + tostring(element, encoding="unicode").encode()


def _fill(element: Element, name: str, value: Any) -> None:
    if isinstance(value, Mapping):
        for key, item in value.items():
            _fill(SubElement(element, key), key, item)
    elif isinstance(value, Sequence) and not isinstance(value, str):
        for item in value:
            _fill(SubElement(element, XML_ITEMS.get(name, "item")), XML_ITEMS.get(name, "item"), item)
    elif value is None:
        return
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    else:
        element.text = str(value)
