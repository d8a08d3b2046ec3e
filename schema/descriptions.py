# ruff: noqa: E501 - tables of descriptions read best one entry a line
"""Descriptions shared across the schema: the enumerations (which live in models/ and resolvers/,
never importing Strawberry, and are described here before any schema is built), the root types
(which `merge_types` builds from each domain's part, in the embedded schema and in each subgraph
alike, so the supergraph keeps them) and the arguments many fields take."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import strawberry
from strawberry.types.base import get_object_definition
from strawberry.types.enum import has_enum_definition

from models.deliveries import DeliveryStatus
from models.enums import (
    ApiKeyKind,
    AreaLevel,
    EscalationTarget,
    EventKind,
    FlagReason,
    FlagResolution,
    FlagTarget,
    IntakeChannel,
    ModerationAction,
    ModerationState,
    ModerationTarget,
    NotificationChannel,
    NotificationGroup,
    NotificationKind,
    PhotoFormat,
    PhotoKind,
    PublicGroup,
    ReportStatus,
    ResolutionOutcome,
    Role,
)
from models.webhooks import WebhookStatus
from resolvers.errors import ErrorCode
from resolvers.moderation_queue import FlagState
from resolvers.my_reports import ReportRelation
from resolvers.report_queries import ReportOrder

INPUT_HELP = "Masukan mutasi; lihat kolom jenisnya / The mutation's input; see its type's fields"

PageSize = Annotated[int, strawberry.argument(description="Jumlah per halaman, 1..100 / Page size, 1..100")]
After = Annotated[
    str | None,
    strawberry.argument(
        description="`endCursor` halaman sebelumnya; kosong = halaman pertama / "
        "The previous page's `endCursor`; none = the first page"
    ),
]
Order = Annotated[ReportOrder, strawberry.argument(description="Urutan laporan / Order of the reports")]
FILTER_HELP = (
    "Saring laporan; kosong = semua yang boleh Anda lihat / Narrows the reports; none = all you may see"
)


ROOT_DESCRIPTIONS = {
    "Query": "Bacaan: laporan, antrean, statistik, direktori, akun / Reads: reports, queues, statistics, "
    "directory, accounts",
    "Mutation": "Perubahan; penolakan datang sebagai `errors` bertipe / Changes; refusals come back as "
    "typed `errors`",
}


def describe_roots(*roots: type) -> None:
    for root in roots:
        definition = get_object_definition(root, strict=True)
        definition.description = ROOT_DESCRIPTIONS[definition.name]


def describe(enum: type[Enum], description: str, values: dict[str, str]) -> None:
    """Give `enum` and each of its values a description; every value must be described."""
    if set(values) != set(enum.__members__):
        raise ValueError(f"{enum.__name__}: described {sorted(values)}, has {sorted(enum.__members__)}")
    if not has_enum_definition(enum):
        strawberry.enum(enum)
    definition = enum.__strawberry_definition__  # type: ignore[attr-defined]
    definition.description = description
    for value in definition.values:
        value.description = values[value.name]


describe(
    ReportStatus,
    "Tahap laporan dalam penanganan / Where a report is in its handling",
    {
        "SUBMITTED": "Baru dikirim, belum dibaca petugas / Filed, not yet seen by staff",
        "ACKNOWLEDGED": "Diterima dinas yang berwenang / Acknowledged by the responsible agency",
        "IN_PROGRESS": "Sedang dikerjakan / Being worked on",
        "RESOLVED": "Dinyatakan selesai, menunggu konfirmasi pelapor / Fixed, awaiting the reporter's confirmation",
        "CLOSED": "Ditutup; lihat `resolutionOutcome` / Closed; see `resolutionOutcome`",
        "REJECTED": "Ditolak dengan alasan / Refused, with a reason",
        "DUPLICATE": "Duplikat laporan lain; lihat `duplicateOf` / A duplicate of another report; see `duplicateOf`",
    },
)
describe(
    PublicGroup,
    "Tiga warna yang dikenal warga: merah, kuning, hijau / The three states citizens know: red, yellow, green",
    {
        "WAITING": "Merah: menunggu ditangani / Red: waiting to be handled",
        "IN_PROCESS": "Kuning: sedang diproses / Yellow: being handled",
        "DONE": "Hijau: selesai atau ditutup / Green: resolved or closed",
    },
)
describe(
    Role,
    "Peran akun, menentukan apa yang boleh dilihat dan diubah / An account's role: what it may see and change",
    {
        "CITIZEN": "Warga: melapor dan mengikuti laporan / Citizen: files and follows reports",
        "OFFICER": "Petugas lapangan sebuah dinas / Field officer of one agency",
        "DISPATCHER": "Penyalur: menugaskan dan mengalihkan laporan / Dispatcher: assigns and reroutes reports",
        "AGENCY_ADMIN": "Admin dinas: mengelola staf dinasnya / Agency admin: manages the agency's staff",
        "CITY_ADMIN": "Admin kota: mengelola seluruh direktori / City admin: manages the whole directory",
    },
)
describe(
    AreaLevel,
    "Tingkat wilayah administratif / Level of an administrative area",
    {
        "KECAMATAN": "Kecamatan (district)",
        "KELURAHAN": "Kelurahan (village, within a kecamatan)",
    },
)
describe(
    EventKind,
    "Jenis kejadian pada riwayat laporan / What happened in a report's history",
    {
        "FILED": "Laporan dikirim / The report was filed",
        "STATUS_CHANGED": "Status berubah / The status changed",
        "ASSIGNED": "Ditugaskan ke petugas / Assigned to an officer",
        "REROUTED": "Dialihkan ke dinas lain / Rerouted to another agency",
        "COMMENTED": "Komentar publik pelapor atau staf / A public comment by the reporter or staff",
        "INTERNAL_NOTE": "Catatan internal, hanya untuk staf / Internal note, shown to staff only",
        "SUPPORTED": "Warga mendukung laporan / A citizen backed the report",
        "FOLLOWED": "Warga mulai mengikuti / A citizen started following",
        "UNFOLLOWED": "Warga berhenti mengikuti / A citizen stopped following",
        "DUPLICATE_MERGED": "Pendukung duplikat dipindah ke sini / A duplicate's supporters moved here",
        "ESCALATED": "Target layanan terlewati / A service-level target passed with the report open",
        "RATED": "Pelapor menilai perbaikan / The reporter rated the fix",
        "PHOTO_ADDED": "Foto ditambahkan / A photo was added",
        "PHOTO_REMOVED": "Foto dihapus / A photo was removed",
        "PLACE_CHANGED": "Lokasi dibulatkan atau dipulihkan karena kategori sensitif / "
        "Place rounded or restored as the category became or stopped being sensitive",
        "MODERATED": "Staf menyembunyikan, menyunting, atau memulihkan konten; alasannya hanya untuk staf / Staff hid, redacted or restored content; the reason is for staff only",
    },
)
describe(
    PhotoKind,
    "Jenis foto laporan / What a report's photo shows",
    {
        "BEFORE": "Masalah saat dilaporkan / The problem, as reported",
        "AFTER": "Bukti perbaikan, diambil staf / Proof of the fix, taken by staff",
    },
)
describe(
    PhotoFormat,
    "Format foto tersimpan (hasil dekode, bukan nama berkas) / A stored photo's format, decoded, never from its file name",
    {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP"},
)
describe(
    ApiKeyKind,
    "Jenis kunci API / Kind of API key",
    {
        "PARTNER": "Mitra: membaca data laporan publik dengan anggaran per jam / Partner: reads public report data within an hourly budget",
        "DISPLAY": "Layar publik (dinding laporan) / A public display (the report wall)",
    },
)
describe(
    ResolutionOutcome,
    "Cara laporan yang selesai ditutup: diperbaiki tidak sama dengan ditutup / How a resolved report was closed",
    {
        "CONFIRMED": "Pelapor mengonfirmasi perbaikan / The reporter confirmed the fix",
        "AUTO_CLOSED": "Tidak ada jawaban dalam batas waktu / Nobody answered within the confirmation window",
        "CLOSED_DESPITE_DISPUTE": "Dibantah, lalu ditutup tanpa konfirmasi / Disputed, then closed without a confirmation",
        "CLOSED_BY_STAFF": "Ditutup staf sebelum pelapor menjawab / Staff closed it before the reporter answered",
    },
)
describe(
    EscalationTarget,
    "Target layanan yang dapat terlewati, masing-masing dieskalasi sekali / A service-level target, escalated once",
    {
        "ACKNOWLEDGE": "Batas waktu untuk diterima dinas / Deadline to acknowledge",
        "RESOLVE": "Batas waktu untuk diselesaikan / Deadline to resolve",
    },
)
describe(
    IntakeChannel,
    "Jalur masuk laporan / How a report reached the city",
    {
        "APP": "Aplikasi atau web, oleh warga atau integrasi mitra / The app or web, by the citizen or a partner's integration",
        "PHONE": "Telepon ke pusat panggilan / A call to the call center",
        "SMS": "SMS",
        "WHATSAPP": "WhatsApp",
        "WALK_IN": "Datang ke loket / At a counter",
        "SOCIAL_MEDIA": "Unggahan atau pesan media sosial / A social media post or message",
    },
)
describe(
    NotificationKind,
    "Apa yang diberitahukan kepada pengikut laporan / What a report's followers are told",
    {
        "ACKNOWLEDGED": "Laporan diterima dinas / The report was acknowledged",
        "IN_PROGRESS": "Laporan sedang dikerjakan / Work on the report started",
        "RESOLVED": "Laporan selesai ditangani / The report was resolved",
        "CLOSED": "Laporan ditutup / The report was closed",
        "REJECTED": "Laporan ditolak / The report was rejected",
        "DUPLICATE": "Laporan ditandai duplikat / The report was marked a duplicate",
        "STAFF_COMMENT": "Petugas menanggapi / Staff commented",
    },
)
describe(
    NotificationGroup,
    "Kelompok jenis pemberitahuan yang salurannya diatur bersama / Kinds whose channels are set together",
    {
        "STATUS": "Perubahan status / Status changes",
        "COMMENTS": "Tanggapan petugas / Staff comments",
    },
)
describe(
    NotificationChannel,
    "Saluran pemberitahuan di luar aplikasi / Where notifications go besides the in-app inbox",
    {
        "EMAIL": "Email ke alamat akun / Email to the account's address",
        "WEB_PUSH": "Web Push ke perangkat yang terdaftar / Web Push to registered devices",
        "SMS": "SMS ke nomor akun / SMS to the account's phone",
        "WHATSAPP": "WhatsApp ke nomor akun / WhatsApp to the account's phone",
    },
)
describe(
    ReportRelation,
    "Hubungan Anda dengan laporan / How you relate to a report",
    {
        "FILED": "Anda yang melapor / You filed it",
        "FOLLOWED": "Anda mengikutinya / You follow it",
        "SUPPORTED": "Anda mendukungnya / You support it",
    },
)
describe(
    ErrorCode,
    "Kode galat yang stabil, untuk dicek klien / A stable error code clients switch on",
    {
        "INVALID_INPUT": "Masukan tidak valid / Invalid input",
        "REQUIRED": "Kolom wajib kosong / A required field is empty",
        "TOO_LONG": "Teks terlalu panjang / Text too long",
        "INVALID_ID": "ID tidak valid / Malformed ID",
        "NOT_FOUND": "Tidak ditemukan atau tidak terlihat oleh Anda / Not found or not visible to you",
        "UNKNOWN_CATEGORY": "Kategori tidak dikenal / Unknown category",
        "INACTIVE_CATEGORY": "Kategori tidak aktif / The category is inactive",
        "INVALID_COORDINATES": "Koordinat tidak valid / Invalid coordinates",
        "CATEGORY_MISMATCH": "categoryId dan categoryCode menyebut kategori berbeda / categoryId and categoryCode name different categories",
        "INVALID_PHONE": "Nomor telepon tidak valid / Invalid phone number",
        "OUTSIDE_SERVICE_AREA": "Di luar wilayah layanan kota / Outside the city's service area",
        "ILLEGAL_TRANSITION": "Perubahan status tidak diizinkan / Status change not allowed",
        "REASON_REQUIRED": "Alasan wajib diisi / A reason is required",
        "INVALID_DUPLICATE": "Laporan asli tidak valid / Invalid original for a duplicate",
        "NOT_STAFF": "Bukan staf / Not a staff member",
        "WRONG_AGENCY": "Bukan dinas yang berwenang / Not the responsible agency",
        "NOTHING_CHANGED": "Tidak ada yang berubah / Nothing to change",
        "INVALID_PAGE_SIZE": "Ukuran halaman di luar batas / Page size out of range",
        "INVALID_CURSOR": "Kursor tidak valid / Invalid cursor",
        "UNAUTHENTICATED": "Harus masuk dulu / Sign-in required",
        "FORBIDDEN": "Tidak berhak / Not allowed",
        "INVALID_CREDENTIALS": "Email atau kata sandi salah / Wrong email or password",
        "INVALID_TOKEN": "Token tidak valid atau kedaluwarsa / Invalid or expired token",
        "TOKEN_EXPIRED": "Token kedaluwarsa; minta yang baru / The token expired; ask for a new one",
        "TOKEN_USED": "Token sudah dipakai / The token was used already",
        "EMAIL_TAKEN": "Email sudah terdaftar / Email already registered",
        "WEAK_PASSWORD": "Kata sandi terlalu lemah / Password too weak",
        "NESTED_CONNECTION": "Daftar berhalaman di dalam daftar lain / A paged list nested in another",
        "CURSOR_EXPIRED": "Kursor umpan langsung sudah lewat; mulai ulang / Live-feed cursor expired; start again",
        "FEED_OVERRUN": "Klien tertinggal dari umpan langsung / The client fell behind the live feed",
        "TOO_MANY_SUBSCRIPTIONS": "Terlalu banyak langganan / Too many subscriptions",
        "LIVE_FEED_UNAVAILABLE": "Umpan langsung tidak tersedia sementara / Live feed temporarily unavailable",
        "NOT_OPEN": "Laporan sudah selesai / The report is finished",
        "OWN_REPORT": "Tidak bisa mendukung/mengikuti laporan sendiri / Cannot support or follow your own report",
        "ALREADY_SUPPORTED": "Sudah didukung / Already supported",
        "ALREADY_FLAGGED": "Sudah Anda tandai; satu tanda per orang / Already flagged; one flag per person",
        "WINDOW_CLOSED": "Waktu konfirmasi atau bantahan sudah lewat / The time to confirm or dispute has passed",
        "INVALID_WINDOW": "Rentang waktu tidak valid / Invalid time window",
        "INVALID_UPLOAD": "Unggahan tidak valid / Invalid upload",
        "INVALID_FILE_NAME": "Nama berkas tidak valid / Invalid file name",
        "EMPTY_FILE": "Berkas kosong / Empty file",
        "FILE_TOO_LARGE": "Berkas terlalu besar / File too large",
        "UNSUPPORTED_IMAGE": "Format gambar tidak didukung / Unsupported image format",
        "IMAGE_TOO_LARGE": "Dimensi gambar terlalu besar / Image dimensions too large",
        "DAMAGED_IMAGE": "Gambar rusak / Damaged image",
        "TOO_MANY_PHOTOS": "Foto terlalu banyak / Too many photos",
        "AFTER_PHOTO_REQUIRED": "Foto sesudah wajib untuk menyelesaikan / An after photo is required to resolve",
        "RATE_LIMITED": "Terlalu banyak permintaan; lihat retryAfter / Too many requests; see retryAfter",
        "IDEMPOTENCY_KEY_REUSED": "Kunci idempotensi dipakai untuk permintaan lain / Idempotency key reused for another request",
        "QUERY_TOO_COSTLY": "Perkiraan biaya kueri melebihi batas / The operation's estimated cost is over the maximum",
        "INTROSPECTION_DISABLED": "Introspeksi hanya untuk staf dan mitra di produksi / Introspection is for staff and partners in production",
        "QUERY_TIMEOUT": "Kueri basis data melewati batas waktu / A database statement ran past its time limit",
        "INVALID_URL": "Alamat webhook tidak valid / Not a valid webhook address",
        "ADDRESS_NOT_ALLOWED": "Alamat webhook privat atau khusus ditolak / A private or reserved webhook address is refused",
    },
)
describe(
    ReportOrder,
    "Urutan daftar laporan / Order of a list of reports",
    {
        "NEWEST": "Terbaru dulu / Newest first",
        "OLDEST": "Terlama dulu / Oldest first",
        "DUE_SOONEST": "Tenggat terdekat dulu / Soonest due first",
        "RECENTLY_UPDATED": "Baru berubah dulu / Most recently changed first",
    },
)
describe(
    ModerationState,
    "Hasil moderasi sebuah konten / What a moderator made of a piece of content",
    {
        "HIDDEN": "Disembunyikan dari publik; staf masih melihatnya / Hidden from the public; staff still see it",
        "REDACTED": "Teksnya diganti penanda untuk publik; staf melihat aslinya / Its text replaced by a marker in public; staff see the original",
    },
)
describe(
    ModerationTarget,
    "Konten yang dimoderasi / The content a moderator acts on",
    {
        "COMMENT": "Komentar publik (ID kejadiannya) / A public comment (its event's ID)",
        "PHOTO": "Foto laporan / A report's photo",
        "REPORT_TITLE": "Judul laporan (ID laporan) / A report's title (the report's ID)",
        "REPORT_DESCRIPTION": "Uraian laporan (ID laporan) / A report's description (the report's ID)",
    },
)
describe(
    ModerationAction,
    "Tindakan moderasi / A moderation action",
    {
        "HIDE": "Sembunyikan (komentar, foto) / Hide (comments, photos)",
        "REDACT": "Ganti teks dengan penanda (komentar, judul, uraian) / Replace the text by a marker (comments, title, description)",
        "RESTORE": "Tampilkan lagi seperti aslinya / Show it as written again",
    },
)
describe(
    FlagTarget,
    "Konten yang ditandai warga / What a citizen flags",
    {
        "REPORT": "Teks laporan (judul, uraian) / A report's text (title, description)",
        "COMMENT": "Komentar publik / A public comment",
        "PHOTO": "Foto laporan / A report's photo",
    },
)
describe(
    FlagReason,
    "Alasan menandai / Why content is flagged",
    {
        "SPAM": "Spam atau iklan / Spam or advertising",
        "ABUSIVE": "Kasar, menghina, atau mengancam / Abusive, insulting or threatening",
        "PERSONAL_DATA": "Memuat data pribadi orang / Shows someone's personal data",
        "WRONG_PLACE": "Lokasi atau kategori salah / Wrong place or category",
        "OTHER": "Lainnya, dengan keterangan / Other, with details",
    },
)
describe(
    FlagResolution,
    "Bagaimana tanda diselesaikan / How a flagged item was resolved",
    {
        "MODERATED": "Konten disembunyikan atau disunting / The content was hidden or redacted",
        "DISMISSED": "Tanda ditolak; konten tetap / Flags dismissed; the content stays",
    },
)
describe(
    FlagState,
    "Keadaan entri antrean moderasi / State of a moderation queue entry",
    {
        "OPEN": "Menunggu moderator / Waiting for a moderator",
        "RESOLVED": "Sudah dimoderasi atau ditolak / Moderated or dismissed",
    },
)
describe(
    DeliveryStatus,
    "Status pengiriman keluar / Status of an outbound delivery",
    {
        "PENDING": "Menunggu atau dicoba lagi / Waiting, or to be retried",
        "DELIVERED": "Diterima penerima (2xx) / Accepted by the receiver (2xx)",
        "FAILED": "Dihentikan: kedaluwarsa atau ditolak / Given up: expired or refused",
        "CANCELLED": "Dibatalkan sebelum terkirim / Withdrawn before delivery",
    },
)
describe(
    WebhookStatus,
    "Status webhook / Status of a webhook",
    {
        "ACTIVE": "Menerima kejadian / Receives events",
        "DISABLED": "Dinonaktifkan setelah pengiriman gagal / Disabled after deliveries were given up",
    },
)
