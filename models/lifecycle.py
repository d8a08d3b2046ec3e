"""The report status machine: the one table every status change is checked against."""

from datetime import timedelta

from models.enums import PublicGroup, ReportStatus
from models.labels import Label

S = ReportStatus

# Allowed moves. RESOLVED -> IN_PROGRESS is the citizen's "not fixed" dispute or a reopen.
TRANSITIONS: dict[ReportStatus, frozenset[ReportStatus]] = {
    S.SUBMITTED: frozenset({S.ACKNOWLEDGED, S.REJECTED, S.DUPLICATE}),
    S.ACKNOWLEDGED: frozenset({S.IN_PROGRESS, S.REJECTED, S.DUPLICATE}),
    S.IN_PROGRESS: frozenset({S.RESOLVED, S.REJECTED, S.DUPLICATE}),
    S.RESOLVED: frozenset({S.CLOSED, S.IN_PROGRESS}),
    S.CLOSED: frozenset(),
    S.REJECTED: frozenset(),
    S.DUPLICATE: frozenset(),
}

PUBLIC_GROUP: dict[ReportStatus, PublicGroup] = {
    S.SUBMITTED: PublicGroup.WAITING,
    S.ACKNOWLEDGED: PublicGroup.IN_PROCESS,
    S.IN_PROGRESS: PublicGroup.IN_PROCESS,
    S.RESOLVED: PublicGroup.DONE,
    S.CLOSED: PublicGroup.DONE,
    S.REJECTED: PublicGroup.DONE,
    S.DUPLICATE: PublicGroup.DONE,
}

# What citizens and staff read for each status, so that no client hard-codes it.
STATUS_LABELS: dict[ReportStatus, Label] = {
    S.SUBMITTED: Label("Baru dilaporkan", "Submitted"),
    S.ACKNOWLEDGED: Label("Diterima petugas", "Acknowledged"),
    S.IN_PROGRESS: Label("Sedang dikerjakan", "In progress"),
    S.RESOLVED: Label("Selesai dikerjakan", "Resolved"),
    S.CLOSED: Label("Ditutup", "Closed"),
    S.REJECTED: Label("Ditolak", "Rejected"),
    S.DUPLICATE: Label("Laporan ganda", "Duplicate"),
}

# Qlue's red, yellow and green, in words.
PUBLIC_GROUP_LABELS: dict[PublicGroup, Label] = {
    PublicGroup.WAITING: Label("Menunggu", "Waiting"),
    PublicGroup.IN_PROCESS: Label("Diproses", "In process"),
    PublicGroup.DONE: Label("Selesai", "Done"),
}

# How long a reporter has to confirm or dispute a resolution; then it closes by itself.
CONFIRMATION_WINDOW = timedelta(days=7)

# Statuses in which the city still owes the citizen work (used for overdue and queues).
OPEN_STATUSES = frozenset({S.SUBMITTED, S.ACKNOWLEDGED, S.IN_PROGRESS})


def can_transition(current: ReportStatus, target: ReportStatus) -> bool:
    return target in TRANSITIONS[current]


def statuses_in_group(group: PublicGroup) -> frozenset[ReportStatus]:
    return frozenset(status for status, g in PUBLIC_GROUP.items() if g is group)
