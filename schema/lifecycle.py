"""The report lifecycle as clients show it: each status's label in Indonesian and English, its
public group (Qlue's red, yellow, green) and where it may go next. Clients read these instead of
hard-coding them."""

from __future__ import annotations

import strawberry

from models import PublicGroup, ReportStatus
from models.labels import Label
from models.lifecycle import OPEN_STATUSES, PUBLIC_GROUP, PUBLIC_GROUP_LABELS, STATUS_LABELS, TRANSITIONS
from schema.query_cost import list_size


@strawberry.type(
    name="Label",
    description="Teks untuk dibaca orang, dalam bahasa Indonesia (`id`) dan bahasa Inggris (`en`). / "
    "Text for people to read, in Indonesian (`id`) and English (`en`).",
)
class TextLabel:
    id: str = strawberry.field(description="Bahasa Indonesia (kode bahasa `id`) / Indonesian")
    en: str = strawberry.field(description="Bahasa Inggris / English")

    @classmethod
    def of(cls, label: Label) -> TextLabel:
        return cls(id=label.id, en=label.en)


@strawberry.type(
    description="Satu status laporan dengan labelnya, kelompok publiknya dan status berikutnya yang "
    "diizinkan. / One report status with its label, its public group and the statuses it may move to."
)
class StatusInfo:
    status: ReportStatus = strawberry.field(description="Status / The status")
    label: TextLabel = strawberry.field(description="Nama status untuk orang / The status's name for people")
    public_group: PublicGroup = strawberry.field(
        description="Kelompok yang dilihat warga: menunggu, diproses, selesai (merah, kuning, hijau). / "
        "The group citizens see: waiting, in process, done (red, yellow, green)."
    )
    public_group_label: TextLabel = strawberry.field(
        description="Nama kelompok publik untuk orang / The public group's name for people"
    )
    is_open: bool = strawberry.field(
        description="Kota masih berutang pekerjaan (dihitung untuk keterlambatan). / The city still owes "
        "work (counted for lateness)."
    )
    next_statuses: list[ReportStatus] = strawberry.field(
        description="Status yang boleh dituju berikutnya. / The statuses it may move to next."
    )

    @classmethod
    def of(cls, status: ReportStatus) -> StatusInfo:
        group = PUBLIC_GROUP[status]
        return cls(
            status=status,
            label=TextLabel.of(STATUS_LABELS[status]),
            public_group=group,
            public_group_label=TextLabel.of(PUBLIC_GROUP_LABELS[group]),
            is_open=status in OPEN_STATUSES,
            next_statuses=sorted(TRANSITIONS[status], key=list(ReportStatus).index),
        )


@strawberry.type
class LifecycleQuery:
    @strawberry.field(
        description="Semua status laporan, berurutan sesuai alur, dengan label Indonesia dan Inggris. / "
        "Every report status in lifecycle order, with Indonesian and English labels.",
        metadata=list_size(len(ReportStatus)),
    )
    def statuses(self) -> list[StatusInfo]:
        return [StatusInfo.of(status) for status in ReportStatus]
