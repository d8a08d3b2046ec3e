"""CSRF guard for GraphQL multipart requests (file uploads).

A browser sends multipart/form-data to any site without asking first (a "simple" request, as an
HTML form does), carrying the victim's cookies. A custom header turns it into a request that needs
a CORS preflight, which Sigap never grants to other sites. So a multipart request must carry one of
these headers (Apollo Client's and Apollo Server's convention, or Sigap's own), with any value.
"""

from __future__ import annotations

from collections.abc import Mapping

PREFLIGHT_HEADERS = ("x-sigap-csrf", "apollo-require-preflight")


def is_multipart(content_type: str | None) -> bool:
    return (content_type or "").split(";", 1)[0].strip().lower() == "multipart/form-data"


def multipart_without_preflight(headers: Mapping[str, str]) -> bool:
    """True for a multipart request that a page of another site could have sent: refuse it."""
    if not is_multipart(headers.get("content-type")):
        return False
    return not any(headers.get(name, "").strip() for name in PREFLIGHT_HEADERS)
