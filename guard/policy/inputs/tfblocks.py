"""A Terraform block as the config policies see it, whichever syntax (HCL or JSON) it was read from."""

from __future__ import annotations

from typing import Any


def block_entry(block_type: str, labels: list[str], line: int, end_line: int, config: Any,
                lines: dict[str, int]) -> dict[str, Any]:
    """{"block", "type", "name", "labels", "line", "end_line", "config", "lines"}, plus "mode" and
    "address" for a resource or data source (see `is_resource`)."""
    item = {"block": block_type, "type": labels[0] if labels else None,
            "name": labels[1] if len(labels) > 1 else (labels[0] if labels else None), "labels": labels,
            "line": line, "end_line": end_line, "config": config, "lines": lines}
    if block_type in ("resource", "data") and len(labels) == 2:
        item["mode"] = "managed" if block_type == "resource" else "data"
        item["address"] = ".".join(labels) if block_type == "resource" else "data." + ".".join(labels)
    return item


def is_resource(item: dict[str, Any]) -> bool:
    """Whether a `block_entry` is a resource or data source (it has an address)."""
    return "address" in item
