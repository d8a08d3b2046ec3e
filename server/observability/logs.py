"""Logging for `sigap serve` and its workers: one line per record, plain text or JSON
(LOG_FORMAT=json), each carrying the id of the request it belongs to. uvicorn's own loggers
write through the same handler; its access log stays off (it costs ~12% of throughput, see
PERFORMANCE.md): requests are counted in /metrics instead."""

from __future__ import annotations

import logging
import sys

from pythonjsonlogger.json import JsonFormatter

from resolvers.request_ids import current_request_id
from server.settings import Settings

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s"


class RequestIdFilter(logging.Filter):
    """Adds `request_id` (None outside requests) to every record a handler writes."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get()
        record.__dict__.pop("color_message", None)  # uvicorn's copy of the message with ANSI colours
        return True


def configure_logging(settings: Settings) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RequestIdFilter())
    if settings.log_format == "json":
        handler.setFormatter(
            JsonFormatter(
                JSON_FIELDS, rename_fields={"levelname": "level", "name": "logger", "asctime": "time"}
            )
        )
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(settings.log_level.upper())
