"""A running OPA server reached through `opa-python-client` (`--opa-url`).

guard pushes its modules (`PUT /v1/policies/{path}`) and data (`PUT /v1/data/{key}`), then asks
for every policy of one input kind in one ad-hoc query (`POST /v1/query`) with the whole batch as
input (`evaluate` alone uses `POST /v1/data/{package}/{rule}`). Auth: a bearer token read from the
environment variable named in config; TLS: https URLs, an optional CA bundle, optional no-verify.
An unreachable or failing server is a PolicyError, never an empty result.
"""

from __future__ import annotations

import os
from typing import Any, Mapping, Sequence
from urllib.parse import urlsplit

import requests
from opa_client import OpaClient
from opa_client.errors import RegoParseError

from guard.policy.base import UNDEFINED, PolicyError


class OpaServerEngine:
    name = "opa-server"

    def __init__(self, url: str, *, token: str | None = None, ca_bundle: str | None = None,
                 verify_tls: bool = True, timeout: float = 30.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise PolicyError(f"opa-server: bad URL {url!r} (expected http(s)://host:port)")
        https = parts.scheme == "https"
        self.url = f"{parts.scheme}://{parts.hostname}:{parts.port or (443 if https else 80)}"
        self._client = OpaClient(host=parts.hostname, port=parts.port or (443 if https else 80),
                                 ssl=(ca_bundle or True) if https else False, token=token, timeout=timeout)
        if https and not verify_tls:
            self._client._session.verify = False  # the client has no switch for this
        self._modules: list[tuple[str, str]] = []
        self._data: dict[str, Any] = {}

    @classmethod
    def from_settings(cls, url: str | None, token_env: str, ca_bundle: str | None, verify_tls: bool) -> "OpaServerEngine":
        if not url:
            raise PolicyError("engine opa-server needs an OPA URL (--opa-url or policies.opa_url)")
        return cls(url, token=os.environ.get(token_env) or None, ca_bundle=ca_bundle, verify_tls=verify_tls)

    def version(self) -> str:
        return f"opa-server {self.url}"

    def add_module(self, path: str, source: str) -> None:
        self._modules.append((path, source))

    def add_data(self, data: Mapping[str, Any]) -> None:
        for key, value in data.items():
            if not isinstance(value, Mapping):
                raise PolicyError(f"opa-server: top-level data key {key!r} must hold an object")
            self._data[key] = dict(value)

    def prepare(self, checked: bool = False) -> None:
        """Check health, push data and modules (retrying modules whose imports arrive later)."""
        if not self._client.check_health():
            raise PolicyError(f"opa-server: OPA at {self.url} is unreachable or unhealthy (GET /health)")
        for key, value in self._data.items():
            self._call(self._client.update_or_create_data, value, key)
        pending = list(self._modules)
        while pending:
            failed: list[tuple[str, str, str]] = []
            for path, source in pending:
                try:
                    self._call(self._client.update_policy_from_string, source, path, rego_compat=False)
                except _Unavailable:
                    raise  # the server is broken, not the module: no point pushing the rest
                except PolicyError as exc:
                    failed.append((path, source, str(exc)))
            if len(failed) == len(pending):
                raise PolicyError(failed[0][2])
            pending = [(p, s) for p, s, _ in failed]

    def evaluate(self, ref: str, input: Any) -> Any:
        package, _, rule = (ref[len("data."):] if ref.startswith("data.") else ref).rpartition(".")
        body = self._call(self._client.query_rule, input, package, rule)
        if not isinstance(body, dict):
            raise PolicyError(f"opa-server: OPA at {self.url} answered {ref} with a {type(body).__name__}, not an object")
        return body["result"] if "result" in body else UNDEFINED

    def load_input(self, input: Any) -> None:
        """Nothing to do: the input goes with each query."""

    def evaluate_many(self, refs: Sequence[str], input: Any) -> list[Any]:
        """One ad-hoc query (`POST /v1/query`) for all refs: one round-trip, one compile."""
        if not refs:
            return []
        query = "; ".join(f"r{i} := [x | x := {ref}]" for i, ref in enumerate(refs))
        body = self._call(self._client.ad_hoc_query, query, input if input else {"_": None})
        rows = (body.get("result") if isinstance(body, dict) else None) or []
        if not rows:
            raise PolicyError(f"opa-server: batched query returned no result for {len(refs)} rules")
        try:
            return [rows[0][f"r{i}"][0] if rows[0][f"r{i}"] else UNDEFINED for i in range(len(refs))]
        except (TypeError, KeyError, IndexError, AttributeError):
            raise PolicyError(f"opa-server: OPA at {self.url} answered the batched query with an unexpected shape") from None

    def close(self) -> None:
        self._client.close_connection()

    def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except RegoParseError as exc:  # without compile errors it is the server failing, not the module
            raise (PolicyError if exc.errors else _Unavailable)(_errors(exc.errors) or f"opa-server: {exc.message}") from None
        except requests.HTTPError as exc:
            status = exc.response.status_code if exc.response is not None else 0
            raise (_Unavailable if status >= 500 else PolicyError)(f"opa-server: {_http_message(exc)}") from None
        except requests.RequestException as exc:
            raise _Unavailable(f"opa-server: OPA at {self.url} unreachable: {type(exc).__name__}") from None
        except ValueError as exc:  # a body that is not JSON
            raise _Unavailable(f"opa-server: OPA at {self.url} answered with invalid JSON ({exc})") from None


class _Unavailable(PolicyError):
    """The server failed (5xx, unreachable, not JSON), whatever the request was."""


def _errors(errors: list[Mapping[str, Any]]) -> str:
    out = []
    for err in errors:
        loc = err.get("location") or {}
        where = f"{loc.get('file')}:{loc.get('row')}: " if loc.get("file") else ""
        out.append(f"{where}{err.get('code', 'error')}: {err.get('message', '')}")
    return "; ".join(out)


def _http_message(exc: requests.HTTPError) -> str:
    try:
        body = exc.response.json()
    except (ValueError, AttributeError):
        return str(exc)
    if not isinstance(body, dict):
        return str(exc)
    return _errors(body.get("errors") or []) or f"{body.get('code', 'error')}: {body.get('message', '')}"
