"""One exporter per bundle format, by the name `--format` takes. Each is a pure function from
the bundle's `Selection` to `{relative path: bytes}`; the manifest is written last, over them."""

from __future__ import annotations

from playbook.exporters import csv_messages, ics, json_messages, runsheet, wecom, xlsx_messages
from playbook.exporters.base import Exporter, Filters, Selection

EXPORTERS: dict[str, Exporter] = {
    "json": json_messages.export,
    "csv": csv_messages.export,
    "xlsx": xlsx_messages.export,
    "md": runsheet.export,
    "ics": ics.export,
    "wecom": wecom.export,
}
"""`--format` name -> exporter. replies.json and manifest.json are always written."""

__all__ = ["EXPORTERS", "Exporter", "Filters", "Selection"]
