"""Terraform JSON (`*.tf.json`, as CDK for Terraform writes it): the entries `.tf` files give.

Terraform's JSON syntax nests a block's labels as object keys (`{"resource": {"aws_s3_bucket": {"b":
{...}}}}`), and any level may instead be an array of such objects. Expressions are already `"${...}"`
strings; `${jsonencode(...)}` literals are decoded as in `.tf` files. Which nested objects are blocks and
which are map values only a provider's schema says, so they are kept as written (policies read blocks
with `lib.items`, which takes an object for a one-item list). `"//"` keys (comments) are dropped.
"""

from __future__ import annotations

from bisect import bisect_left
from typing import Any, Iterator

from guard.policy.base import InputError
from guard.policy.inputs.structured import load_json
from guard.policy.inputs.tfblocks import block_entry, is_resource

LABELS = {"resource": 2, "data": 2, "provider": 1, "module": 1, "variable": 1, "output": 1}
_COMMENT = "//"


def load_terraform_json(path: str, text: str) -> dict[str, Any]:
    """{"resources": [...managed and data...], "blocks": [...other top-level blocks...]}, as `load_terraform`."""
    from guard.policy.inputs.terraform import decoded  # python-hcl2: for jsonencode literals only

    doc = load_json(path, text)[0]
    if not isinstance(doc.content, dict):
        raise InputError(path, 1, "invalid Terraform JSON: the document is not an object")
    resources: list[dict[str, Any]] = []
    blocks: list[dict[str, Any]] = []
    keys = sorted(doc.lines)  # a block's keys (`<its path>.<attribute path>`) are one run of these
    for block_type, value in doc.content.items():
        if block_type == _COMMENT:
            continue
        for labels, config, at in _blocks(value, LABELS.get(block_type, 0), [], block_type):
            if not isinstance(config, dict):
                raise InputError(path, doc.lines.get(at, 1),
                                 f"invalid Terraform JSON: {' '.join([block_type, *labels])} is not an object")
            inner = {k: doc.lines[k] for k in keys[bisect_left(keys, at + "."):bisect_left(keys, at + "/")]}
            line = doc.lines.get(at, 1)
            item = block_entry(block_type, labels, line, max(inner.values(), default=line),
                               decoded({k: v for k, v in config.items() if k != _COMMENT}),
                               {k[len(at) + 1:]: n for k, n in inner.items()})
            (resources if is_resource(item) else blocks).append(item)
    return {"resources": resources, "blocks": blocks}


def _blocks(value: Any, depth: int, labels: list[str], at: str) -> Iterator[tuple[list[str], Any, str]]:
    """(labels, body, dotted path of the body) of each block under `value`, `depth` labels still to read."""
    if isinstance(value, list):
        for i, item in enumerate(value):
            yield from _blocks(item, depth, labels, f"{at}.{i}")
    elif depth == 0 or not isinstance(value, dict):
        yield labels, value, at
    else:
        for key, sub in value.items():
            if key != _COMMENT:
                yield from _blocks(sub, depth - 1, [*labels, key], f"{at}.{key}")
