"""The described arguments every paged list of reports takes, declared once."""

from __future__ import annotations

from typing import Annotated

import strawberry

from resolvers.report_queries import ReportOrder

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
