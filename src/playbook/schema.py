"""JSON Schemas (2020-12) generated from the models: the published contract for editors.

`playbook schema` writes one file per kind into `schema/`; `--check` reports drift.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from playbook.delivery.wecom_schema import schema_texts as wecom_schema_texts
from playbook.exporters.json_messages import schema_text as bundle_schema_text
from playbook.models import KINDS

DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_DIR = "schema"


def file_name(kind: str) -> str:
    """`GroupRules` -> `group-rules.schema.json`."""
    return re.sub(r"(?<!^)(?=[A-Z])", "-", kind).lower() + ".schema.json"


def schema_for(kind: str) -> dict[str, Any]:
    model = KINDS[kind]
    body = model.model_json_schema(by_alias=True, mode="validation")
    return {
        "$schema": DIALECT,
        "$id": f"urn:playbook:schema:v1:{file_name(kind).removesuffix('.schema.json')}",
        **body,
    }


def render_all() -> dict[str, str]:
    """file name -> schema text, deterministic (key order from the models, sorted $defs)."""
    result = {}
    for kind in KINDS:
        schema = schema_for(kind)
        if "$defs" in schema:
            schema["$defs"] = dict(sorted(schema["$defs"].items()))
        result[file_name(kind)] = json.dumps(schema, ensure_ascii=False, indent=2) + "\n"
    result["bundle.schema.json"] = bundle_schema_text()  # messages.json of `playbook export`
    result.update(wecom_schema_texts())  # wecom/ payloads of `playbook export --format wecom`
    return result


def drift(folder: Path) -> list[str]:
    """Schema files in `folder` that are missing or differ from what the models generate."""
    stale = []
    for name, text in render_all().items():
        path = folder / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            stale.append(name)
    return stale
