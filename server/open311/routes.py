"""Open311 GeoReport v2 under /open311/v2/: discovery, services, service definitions, requests
(GET and POST), one request, and tokens; `.json` or `.xml` by extension.

Filing goes through `resolvers.filing.file_report`, as GraphQL's `fileReport` does: the same
validation, routing, rate limits and events. It needs a partner's API key with `reports:file` as
`api_key`; the filer's names and phone are kept as any reporter's contact (private to the handling
agency). Reads are charged to the caller's query budget like a page of reports.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urljoin

from starlette.datastructures import FormData, QueryParams
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from models import Agency, ReportStatus
from resolvers import filing, photo_queries, report_queries
from resolvers.api_keys import key_principal
from resolvers.directory_queries import list_categories
from resolvers.errors import DomainError, ErrorCode, fail
from resolvers.exports import Directory, exported
from resolvers.identity import Principal
from resolvers.photo_urls import PhotoUrls
from resolvers.privacy import filter_as_seen, sees_photos, shows_content
from resolvers.report_queries import ReportOrder, report_batches
from resolvers.timeline import utcnow
from resolvers.tokens import TokenSigner
from schema.operation_limits import OperationLimits, charge
from schema.query_cost import OperationCost
from server.authentication import Unauthenticated
from server.exports import OBJECTS_PER_ROW, caller
from server.open311.documents import (
    as_xml,
    service,
    service_definition,
    service_request,
    statuses_of,
)
from server.settings import Settings

JURISDICTION_ID = "kupangkota.go.id"  # one city today; accepted when given, refused when another
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-30T00:00:00Z"  # when this endpoint's behaviour last changed
MAX_RESULTS = 1_000  # the specification's usual cap on one answer
DEFAULT_WINDOW = timedelta(days=90)  # without start_date, as the specification suggests
MAX_IDS = 100
STATUS_BY_CODE = {ErrorCode.FORBIDDEN: 403, ErrorCode.NOT_FOUND: 404, ErrorCode.RATE_LIMITED: 429}


class Open311Error(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def _answer(
    kind: str, root: str, document: Any, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    if kind == "xml":
        return Response(as_xml(root, document), status, headers, media_type="text/xml; charset=utf-8")
    return JSONResponse(document, status, headers)


class Open311:
    def __init__(self, settings: Settings, limits: OperationLimits, photo_urls: PhotoUrls) -> None:
        self.settings = settings
        self.limits = limits
        self.signer = TokenSigner(settings.jwt_secret)
        self.photo_urls = photo_urls

    def routes(self) -> list[Route]:
        base = "/open311/v2"
        return [
            Route(f"{base}/discovery.{{fmt}}", self._endpoint(self.discovery), methods=["GET"]),
            Route(f"{base}/services.{{fmt}}", self._endpoint(self.services), methods=["GET"]),
            Route(f"{base}/services/{{code}}.{{fmt}}", self._endpoint(self.definition), methods=["GET"]),
            Route(f"{base}/requests.{{fmt}}", self._endpoint(self.requests), methods=["GET"]),
            Route(f"{base}/requests.{{fmt}}", self._endpoint(self.file), methods=["POST"]),
            Route(f"{base}/requests/{{id}}.{{fmt}}", self._endpoint(self.request), methods=["GET"]),
            Route(f"{base}/tokens/{{token}}.{{fmt}}", self._endpoint(self.token), methods=["GET"]),
        ]

    def _endpoint(self, handler: Any) -> Any:
        async def endpoint(request: Request) -> Response:
            kind = request.path_params["fmt"]
            if kind not in ("json", "xml"):
                return _answer("json", "errors", [{"code": 404, "description": "Use .json or .xml"}], 404)
            try:
                params = request.query_params if request.method == "GET" else await request.form()
                _check_jurisdiction(params)
                root, document = await handler(request, params)
                return _answer(kind, root, document)
            except Open311Error as exc:
                return _answer(
                    kind, "errors", [{"code": exc.status, "description": exc.description}], exc.status
                )
            except Unauthenticated as exc:
                return _answer(kind, "errors", [{"code": 401, "description": str(exc)}], 401)
            except DomainError as exc:
                first = exc.errors[0]
                status = STATUS_BY_CODE.get(first.code, 400)
                retry = {"Retry-After": str(first.retry_after)} if first.retry_after else None
                described = f"{first.message_en} ({first.message})" + (
                    f" [{first.field}]" if first.field else ""
                )
                return _answer(kind, "errors", [{"code": status, "description": described}], status, retry)

        return endpoint

    async def discovery(self, request: Request, _params: Any) -> tuple[str, Any]:
        url = str(request.base_url).rstrip("/") + "/open311/v2"
        endpoint = {
            "specification": SPECIFICATION,
            "url": url,
            "changeset": CHANGESET,
            "type": "production",
            "formats": ["application/json", "text/xml"],
        }
        document = {
            "changeset": CHANGESET,
            "contact": "Pemerintah Kota Kupang",
            "key_service": url,
            "endpoints": [endpoint],
        }
        return "discovery", document

    async def services(self, _request: Request, _params: Any) -> tuple[str, Any]:
        return "services", [service(category) for category in await _categories()]

    async def definition(self, request: Request, _params: Any) -> tuple[str, Any]:
        code = request.path_params["code"].strip().upper()
        category = next((c for c in await _categories() if c["code"] == code), None)
        if category is None:
            raise Open311Error(404, f"Unknown service_code {code!r}")
        return "service_definition", service_definition(category)

    async def requests(self, request: Request, params: QueryParams) -> tuple[str, Any]:
        principal = await caller(request, self.signer)
        await charge(self.limits, principal, OperationCost(MAX_RESULTS * OBJECTS_PER_ROW))
        ids = _listed(params.get("service_request_id"))
        if ids:
            if len(ids) > MAX_IDS:
                raise Open311Error(400, f"At most {MAX_IDS} service_request_id values")
            rows = await report_queries.reports_by_codes(ids)
        else:
            flt = filter_as_seen(await _request_filter(params), principal)
            batches = report_batches(flt, order=ReportOrder.NEWEST, size=MAX_RESULTS)
            rows = await anext(batches, [])
            await batches.aclose()
        return "service_requests", await self._as_requests(rows, principal, str(request.base_url))

    async def request(self, request: Request, _params: Any) -> tuple[str, Any]:
        principal = await caller(request, self.signer)
        await charge(self.limits, principal, OperationCost(OBJECTS_PER_ROW))
        row = await report_queries.report_by_code(request.path_params["id"])
        if row is None:
            raise Open311Error(404, "No service request with this service_request_id")
        return "service_requests", await self._as_requests([row], principal, str(request.base_url))

    async def token(self, request: Request, _params: Any) -> tuple[str, Any]:
        token = request.path_params["token"]
        row = await report_queries.report_by_tracking_token(token)
        if row is None:
            raise Open311Error(404, "No service request with this token")
        return "service_requests", [{"service_request_id": row["code"], "token": token}]

    async def file(self, request: Request, form: FormData) -> tuple[str, Any]:
        principal = await self._filer(request, _text(form, "api_key"))
        description = _text(form, "description") or ""
        names = " ".join(part for part in (_text(form, "first_name"), _text(form, "last_name")) if part)
        data = filing.FilingInput(
            title=_title(description),
            description=description,
            latitude=_coordinate(form, "lat"),
            longitude=_coordinate(form, "long"),
            category_code=_text(form, "service_code") or None,
            address=_text(form, "address_string") or None,
            contact_name=names or None,
            contact_phone=_text(form, "phone") or None,
        )
        filed = await filing.file_report(
            data,
            principal=principal,
            service_area=self.settings.service_area,
            token_secret=self.settings.jwt_secret,
        )
        answer = {
            "service_request_id": filed.report.code,
            "token": filed.tracking_token,
            "service_notice": None,
            "account_id": None,
        }
        return "service_requests", [answer]

    async def _filer(self, request: Request, api_key: str | None) -> Principal:
        if not api_key:
            raise Open311Error(403, "api_key is required to file a service request")
        client = f"ip:{request.client.host}" if request.client else "ip:unknown"
        principal = await key_principal(api_key, client=client)
        if principal is None:
            raise Open311Error(403, "The api_key is not valid or was revoked")
        return principal

    async def _as_requests(
        self, rows: list[dict[str, Any]], principal: Principal, base_url: str
    ) -> list[dict[str, Any]]:
        directory = await Directory.load()
        photos = await photo_queries.photos_by_report([row["id"] for row in rows])
        return [
            service_request(
                row,
                exported(row, principal, directory),
                directory,
                self._media_url(row, found, principal, directory, base_url),
            )
            for row, found in zip(rows, photos, strict=True)
        ]

    def _media_url(
        self,
        row: dict[str, Any],
        photos: list[dict[str, Any]],
        principal: Principal,
        directory: Directory,
        base_url: str,
    ) -> str | None:
        """The first photo's address, where GraphQL would show the photos to this caller: public
        ones only (a sensitive report's photos need signed, expiring addresses; not offered here)."""
        sensitive = row["category_id"] in directory.sensitive
        visible = sees_photos(
            principal, is_sensitive=sensitive, agency_id=row["agency_id"], reporter_id=row["reporter_id"]
        )
        # A photo a moderator hid is served to staff through signed addresses only: never listed here.
        shown = [photo for photo in photos if shows_content(photo["moderation"], sees_moderated=False)]
        if not shown or not visible or sensitive:
            return None
        return urljoin(
            base_url, self.photo_urls.public(shown[0]["stored_name"])
        )  # absolute, as Open311 has it


async def _categories() -> list[dict[str, Any]]:
    agencies = dict(await Agency.all().values_list("id", "code"))
    return [{**row, "agency_code": agencies.get(row["agency_id"])} for row in await list_categories()]


def _check_jurisdiction(params: Any) -> None:
    given = params.get("jurisdiction_id")
    if given and given != JURISDICTION_ID:
        raise Open311Error(404, f"Unknown jurisdiction_id; this server serves {JURISDICTION_ID}")


def _listed(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


async def _request_filter(params: QueryParams) -> report_queries.ReportFilter:
    start, end = _moment(params, "start_date"), _moment(params, "end_date")
    if start is None:
        start = (end or utcnow()) - DEFAULT_WINDOW
    statuses: list[ReportStatus] = []
    for status in _listed(params.get("status")):
        if status not in ("open", "closed"):
            raise Open311Error(400, "status must be open, closed, or both separated by a comma")
        statuses += statuses_of(status)
    codes = [code.upper() for code in _listed(params.get("service_code"))]
    categories = {row["code"]: row["id"] for row in await _categories()}
    unknown = [code for code in codes if code not in categories]
    if unknown:
        raise Open311Error(400, f"Unknown service_code {unknown[0]!r}")
    return report_queries.ReportFilter(
        statuses=statuses,
        category_ids=[categories[code] for code in codes],
        created_after=start,
        created_before=end,
    )


def _moment(params: QueryParams, name: str) -> datetime | None:
    text = params.get(name)
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise Open311Error(
            400, f"{name} must be a W3C date and time, e.g. 2026-11-30T08:00:00+08:00"
        ) from exc
    if moment.tzinfo is None:
        raise Open311Error(400, f"{name} needs a time zone offset, e.g. 2026-11-30T08:00:00+08:00")
    return moment


def _text(form: Any, name: str) -> str | None:
    value = form.get(name)
    return value if isinstance(value, str) else None


def _coordinate(form: Any, name: str) -> float:
    try:
        return float(_text(form, name) or "")
    except ValueError as exc:
        raise fail(
            ErrorCode.INVALID_COORDINATES,
            "lat dan long wajib diisi (desimal)",
            "lat and long are required, as decimal degrees",
            name,
        ) from exc


def _title(description: str) -> str:
    """Open311 has no title: the description's first line, shortened (without a description the
    filing is refused for it, not for the title)."""
    line = description.strip().splitlines()[0] if description.strip() else "Laporan Open311"
    return line if len(line) <= 80 else line[:79].rstrip() + "…"
