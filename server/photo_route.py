"""GET /photos/{name}: a stored photo, to the people allowed to see it, with headers that keep a
browser from treating it as anything but an image."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from models import PhotoFormat
from resolvers.identity import Principal
from resolvers.photo_cleaning import CONTENT_TYPE
from resolvers.photo_queries import photo_to_serve
from resolvers.photo_storage import NAME_PATTERN, PhotoStorage
from resolvers.photo_urls import PhotoUrls
from resolvers.privacy import sees_moderated, sees_photos, shows_content
from resolvers.tokens import TokenSigner
from server.authentication import Unauthenticated, authenticate

log = logging.getLogger("sigap.photos")

# Any report's photos can become private later (its category made sensitive, the report re-routed
# to a sensitive one): shared caches may store a public photo but must ask again before every use.
# A stored photo never changes, so the answer to that question is a cheap 304 (its name is its
# ETag) while it is still public, and a 404 that drops it from the cache once it is not.
PUBLIC_CACHING = "public, no-cache"
PRIVATE_CACHING = "private, no-store"


class PhotoEndpoint:
    def __init__(self, storage: PhotoStorage, urls: PhotoUrls, signer: TokenSigner) -> None:
        self.storage = storage
        self.urls = urls
        self.signer = signer

    async def serve(self, request: Request) -> Response:
        name = request.path_params["name"]
        if not NAME_PATTERN.fullmatch(name):
            return _not_found()
        row = await photo_to_serve(name)
        if row is None:
            return _not_found()
        # Private: a sensitive category's photo, or one a moderator hid (resolvers.privacy).
        private = bool(row["is_sensitive"]) or not shows_content(row["moderation"], sees_moderated=False)
        if private and not await self._may_see(request, name, row):
            return _not_found()  # not 403: whether a private photo exists is not for strangers
        headers = {
            "x-content-type-options": "nosniff",
            "content-disposition": f'inline; filename="{name}"',
            "content-security-policy": "default-src 'none'; sandbox",
            "cache-control": PRIVATE_CACHING if private else PUBLIC_CACHING,
        }
        if not private:
            headers["etag"] = f'"{name}"'
            if headers["etag"] in _etags(request.headers.get("if-none-match", "")):
                return Response(status_code=304, headers=headers)
        data = await self.storage.get(name)
        if data is None:
            log.error("photo %s has a row but no file in the storage", name)
            return _not_found()
        return Response(data, media_type=CONTENT_TYPE[PhotoFormat(row["format"])], headers=headers)

    async def _may_see(self, request: Request, name: str, row: dict[str, Any]) -> bool:
        """A signed address from a GraphQL answer, or credentials of someone allowed to see it."""
        now = datetime.now(UTC)
        params = request.query_params
        if self.urls.verify(name, params.get("expires"), params.get("signature"), now):
            return True
        client = f"ip:{request.client.host}" if request.client else "ip:unknown"
        try:
            principal: Principal = await authenticate(request.headers, client=client, signer=self.signer)
        except Unauthenticated:
            return False
        if not shows_content(
            row["moderation"], sees_moderated=sees_moderated(principal, agency_id=row["agency_id"])
        ):
            return False
        return sees_photos(
            principal,
            is_sensitive=bool(row["is_sensitive"]),
            agency_id=row["agency_id"],
            reporter_id=row["reporter_id"],
        )


def _etags(if_none_match: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}


def _not_found() -> Response:
    return PlainTextResponse("Not found", status_code=404, headers={"x-content-type-options": "nosniff"})
