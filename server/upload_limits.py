"""Bounds on GraphQL multipart requests: the byte cap (server.http_guards enforces it while the body
arrives) and the parser's bounds on files, fields and field sizes."""

from __future__ import annotations

from cross_web import FormData, HTTPException, StarletteRequestAdapter
from starlette.exceptions import HTTPException as StarletteHTTPException

from resolvers.photo_cleaning import MAX_FILE_BYTES
from resolvers.photos import MAX_PHOTOS_PER_KIND

# Five photos near the per-file limit fit; a few more would not.
MAX_UPLOAD_REQUEST_BYTES = 3 * MAX_FILE_BYTES
MAX_FILES_PER_REQUEST = MAX_PHOTOS_PER_KIND
MAX_FORM_FIELDS = 8  # `operations` and `map`, with room for clients that add a field or two
MAX_FIELD_BYTES = 256 * 1024  # `operations` holds the query and variables, never a file


class BoundedFormRequestAdapter(StarletteRequestAdapter):
    """Starlette's form parser with Sigap's bounds on files, fields and field sizes."""

    async def get_form_data(self) -> FormData:
        try:
            form = await self._request.form(
                max_files=MAX_FILES_PER_REQUEST, max_fields=MAX_FORM_FIELDS, max_part_size=MAX_FIELD_BYTES
            )
        except StarletteHTTPException as exc:  # too many files or fields, a part too large
            raise HTTPException(400, f"Multipart request refused: {exc.detail}") from exc
        return FormData(files=form, form=form)
