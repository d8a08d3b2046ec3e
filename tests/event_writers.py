"""Every path that writes each kind of report event (mutations and periodic jobs), as a writer:
given the city, it prepares a report and returns the change that writes the kind. Shared by the
delivery test (tests/test_live_every_change.py) and the latency benchmark (bench/event_latency.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from models import Category, EventKind, PhotoKind, Report, ReportPhoto, Role
from resolvers.identity import Principal
from resolvers.photo_storage import LocalPhotoStorage
from resolvers.photos import IncomingPhoto, add_report_photo, remove_report_photo
from resolvers.service_levels import run_periodic_jobs
from resolvers.timeline import utcnow
from schema.ids import from_global_id, to_global_id
from tests.casework_api import TO_RESOLVED, change, move
from tests.graphql import citizen, file_report, gql, staff
from tests.images import jpeg_with_gps

Act = Callable[[], Awaitable[object]]


@dataclass
class City:
    dispatcher: Principal
    officer: Principal  # of DLH, which handles SAMPAH
    storage: LocalPhotoStorage
    people: int = 0

    async def person(self, name: str) -> Principal:
        """A new citizen (writers may run many times on one database)."""
        self.people += 1
        return await citizen(f"{name}{self.people}")

    async def filed(self, reporter: Principal | None = None) -> str:
        return str((await file_report(reporter))["id"])

    async def resolved(self, reporter: Principal) -> str:
        report_id = await self.filed(reporter)
        await move(report_id, TO_RESOLVED, self.officer)
        return report_id

    async def photo(self, report_id: str) -> None:
        await add_report_photo(
            _pk(report_id),
            PhotoKind.AFTER,
            IncomingPhoto(jpeg_with_gps(), "bukti.jpg", "file"),
            principal=self.officer,
            storage=self.storage,
        )


async def make_city(photo_folder: Path) -> City:
    await Category.all().update(requires_after_photo=False)  # the proof-of-fix rule: test_photos.py
    return City(
        dispatcher=await staff(Role.DISPATCHER, None, "Dispatcher"),
        officer=await staff(Role.OFFICER, "DLH", "Petugas DLH"),
        storage=LocalPhotoStorage(photo_folder),
    )


def _pk(report_id: str) -> int:
    return from_global_id(report_id, "Report")


async def _ok(name: str, principal: Principal, **fields: object) -> None:
    payload = await change(name, principal, **fields)
    assert payload["errors"] == [], payload["errors"]


async def _status(report_id: str, status: str, principal: Principal, **extra: object) -> None:
    await move(report_id, [status], principal, **extra)


# Each writer prepares a report and returns the change that writes the kind.
async def filing(city: City) -> Act:
    return lambda: city.filed()


async def status_change(city: City) -> Act:
    report_id = await city.filed()
    return lambda: _status(report_id, "ACKNOWLEDGED", city.dispatcher)


async def reporter_confirms(city: City) -> Act:
    reporter = await city.person("Pelapor")
    report_id = await city.resolved(reporter)
    return lambda: _ok("confirmResolution", reporter, id=report_id)


async def reporter_rates(city: City) -> Act:
    reporter = await city.person("Penilai")
    report_id = await city.resolved(reporter)
    return lambda: _ok("confirmResolution", reporter, id=report_id, rating=4)


async def automatic_close(city: City) -> Act:
    report_id = await city.resolved(await city.person("Diam"))
    await Report.filter(id=_pk(report_id)).update(resolved_at=utcnow() - timedelta(days=8))
    return run_periodic_jobs


async def escalation(city: City) -> Act:
    report_id = await city.filed()
    await Report.filter(id=_pk(report_id)).update(acknowledge_due_at=utcnow() - timedelta(minutes=1))
    return run_periodic_jobs


async def assignment(city: City) -> Act:
    report_id = await city.filed()
    assignee = city.officer.user
    assert assignee is not None
    mutation = "mutation($i: AssignReportInput!) { assignReport(input: $i) { errors { code } } }"
    variables = {"i": {"id": report_id, "assigneeId": to_global_id("User", assignee.id)}}
    return lambda: gql(mutation, variables, principal=city.dispatcher)


async def reroute(city: City) -> Act:
    report_id = await city.filed()
    other = await Category.get(code="PKL_LIAR")
    mutation = "mutation($i: RerouteReportInput!) { rerouteReport(input: $i) { errors { code } } }"
    variables = {"i": {"id": report_id, "categoryId": to_global_id("Category", other.id), "reason": "salah"}}
    return lambda: gql(mutation, variables, principal=city.dispatcher)


async def comment(city: City) -> Act:
    report_id = await city.filed()
    return lambda: _ok("addComment", city.officer, id=report_id, body="Segera kami tangani")


async def internal_note(city: City) -> Act:
    report_id = await city.filed()
    return lambda: _ok("addInternalNote", city.officer, id=report_id, body="Truk sedang rusak")


async def support(city: City) -> Act:
    report_id = await city.filed()
    supporter = await city.person("Pendukung")
    return lambda: _ok("supportReport", supporter, id=report_id)


async def follow(city: City) -> Act:
    report_id = await city.filed()
    follower = await city.person("Pengikut")
    return lambda: _ok("followReport", follower, id=report_id)


async def unfollow(city: City) -> Act:
    report_id = await city.filed()
    follower = await city.person("Berhenti")
    await _ok("followReport", follower, id=report_id)
    return lambda: _ok("unfollowReport", follower, id=report_id)


async def duplicate_merge(city: City) -> Act:
    original, duplicate = await city.filed(), await city.filed()
    return lambda: _status(duplicate, "DUPLICATE", city.dispatcher, duplicateOfId=original)


async def photo_added(city: City) -> Act:
    report_id = await city.filed()
    return lambda: city.photo(report_id)


async def photo_removed(city: City) -> Act:
    report_id = await city.filed()
    await city.photo(report_id)
    photo = await ReportPhoto.get(report_id=_pk(report_id))
    return lambda: remove_report_photo(photo.id, reason="wajah", principal=city.officer, storage=city.storage)


async def category_made_sensitive(city: City) -> Act:
    """The city admin changes the filed report's category's sensitivity: its place is re-made."""
    report_id = await city.filed()
    report = await Report.get(id=_pk(report_id)).prefetch_related("category")
    admin = await staff(Role.CITY_ADMIN, None, f"Admin{report_id}")
    mutation = "mutation($i: UpdateCategoryInput!) { updateCategory(input: $i) { errors { code } } }"
    flipped = {
        "id": to_global_id("Category", report.category.id),
        "isSensitive": not report.category.is_sensitive,
    }
    return lambda: gql(mutation, {"i": flipped}, principal=admin)


async def moderation(city: City) -> Act:
    report_id = await city.filed()
    return lambda: _ok(
        "moderateContent",
        city.officer,
        target="REPORT_TITLE",
        id=report_id,
        action="REDACT",
        reason="Kata kasar",
    )


WRITERS: dict[EventKind, list[Callable[[City], Awaitable[Act]]]] = {
    EventKind.FILED: [filing],
    EventKind.STATUS_CHANGED: [status_change, reporter_confirms, automatic_close],
    EventKind.ASSIGNED: [assignment],
    EventKind.REROUTED: [reroute],
    EventKind.COMMENTED: [comment],
    EventKind.INTERNAL_NOTE: [internal_note],
    EventKind.SUPPORTED: [support],
    EventKind.FOLLOWED: [follow],
    EventKind.UNFOLLOWED: [unfollow],
    EventKind.DUPLICATE_MERGED: [duplicate_merge],
    EventKind.ESCALATED: [escalation],
    EventKind.RATED: [reporter_rates],
    EventKind.PHOTO_ADDED: [photo_added],
    EventKind.PHOTO_REMOVED: [photo_removed],
    EventKind.PLACE_CHANGED: [category_made_sensitive],
    EventKind.MODERATED: [moderation],
}
