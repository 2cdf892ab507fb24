"""The append-only ledger: one entry per stored run, each chained to the previous by hash.

Entry (canonical JSON, named `<seq>.json`): seq, run_id, manifest_sha256, started (UTC),
kind (branch | pull_request), branch, default_branch, prev (hash of the previous entry) and
hash (sha256 of the entry without `hash`). Altering an entry breaks its hash; deleting one from
the middle leaves a gap in seq and breaks the next entry's `prev`.
"""

from __future__ import annotations

import json
from typing import Any, Iterable, Mapping

from guard.evidence.manifest import canonical, sha256_bytes
from guard.evidence.store import EvidenceStore, StoreError

GENESIS = "0" * 64
FIELDS = ("seq", "run_id", "manifest_sha256", "started", "kind", "branch", "default_branch", "prev", "hash")
MAX_RACES = 20


class LedgerError(Exception):
    """The ledger is broken; the message lists what is wrong."""


def entry_name(seq: int) -> str:
    return f"{seq:010d}.json"


def seal(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The entry with its `hash` set."""
    body = {k: v for k, v in doc.items() if k != "hash"}
    return {**body, "hash": sha256_bytes(canonical(body))}


def parse(name: str, data: bytes) -> dict[str, Any]:
    try:
        doc = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise LedgerError(f"ledger entry {name}: not valid JSON") from None
    if not isinstance(doc, dict) or set(doc) != set(FIELDS) or not isinstance(doc.get("seq"), int):
        raise LedgerError(f"ledger entry {name}: malformed")
    return doc


def check_chain(entries: Iterable[tuple[str, dict[str, Any]]]) -> list[str]:
    """Problems with a sequence of (name, entry): gaps, altered entries, broken links, duplicates."""
    problems: list[str] = []
    prev, expected, seen = GENESIS, 1, set()
    for name, doc in entries:
        seq = doc["seq"]
        if name != entry_name(seq):
            problems.append(f"ledger entry {name}: named for another sequence number ({seq})")
        if seq > expected:
            problems.append(f"ledger entries {expected}..{seq - 1}: missing (deleted from the middle of the ledger)")
        elif seq < expected:
            problems.append(f"ledger entry {seq}: out of order or duplicated")
        if seal(doc)["hash"] != doc["hash"]:
            problems.append(f"ledger entry {seq} (run {doc['run_id']}): altered (hash mismatch)")
        elif doc["prev"] != prev:
            problems.append(f"ledger entry {seq} (run {doc['run_id']}): chain broken (previous entry altered or removed)")
        if doc["run_id"] in seen:
            problems.append(f"ledger entry {seq}: run {doc['run_id']} recorded twice")
        seen.add(doc["run_id"])
        prev, expected = doc["hash"], seq + 1
    return problems


def read(store: EvidenceStore) -> list[tuple[str, dict[str, Any]]]:
    """Every entry of the store's ledger, parsed, in order (not yet checked)."""
    return [(name, parse(name, store.read_ledger(name))) for name in store.ledger_names()]


def append(store: EvidenceStore, run_id: str, manifest_sha256: str, meta: Mapping[str, Any]) -> dict[str, Any]:
    """Add a run to the ledger after the current last entry; retries when another writer got there first."""
    for _ in range(MAX_RACES):
        names = store.ledger_names()
        if names:
            last = parse(names[-1], store.read_ledger(names[-1]))
            if seal(last)["hash"] != last["hash"] or names[-1] != entry_name(last["seq"]):
                raise LedgerError(f"ledger entry {names[-1]}: altered; refusing to extend a broken ledger")
            seq, prev = last["seq"] + 1, last["hash"]
        else:
            seq, prev = 1, GENESIS
        entry = seal({"seq": seq, "run_id": run_id, "manifest_sha256": manifest_sha256,
                      "started": meta.get("started"), "kind": meta.get("kind"), "branch": meta.get("branch"),
                      "default_branch": meta.get("default_branch"), "prev": prev})
        if store.append_ledger(entry_name(seq), canonical(entry)):
            return entry
    raise StoreError(f"{store.location}: ledger busy ({MAX_RACES} concurrent appends lost); try again")
