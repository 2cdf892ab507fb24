"""The collector seam: one module per AWS service, each a `Collector`.

A collector only calls read-only APIs through `Api` (which records every response as raw
evidence) and applies no judgement; its `normalize` turns the recorded responses into resources
of the documented shape (README.md). Errors that mean "this is not configured" (no encryption
configuration, no password policy) are expected answers listed per call in `absent`; any other
error (AccessDenied, throttling after retries, an unreachable endpoint) aborts the collector and
its checks are reported "not assessed".
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol, Sequence

import botocore.exceptions
from botocore import xform_name

from guard.cloud.raw import RawStore, RawView
from guard.cloud.session import Account

GLOBAL = "global"
THROTTLING = {"Throttling", "ThrottlingException", "ThrottledException", "RequestLimitExceeded",
              "TooManyRequestsException", "RequestThrottled", "SlowDown"}
DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedAccess",
          "AuthorizationError", "AuthFailure", "UnrecognizedClientException", "InvalidClientTokenId"}


class CollectError(Exception):
    """A collector could not finish; the message names the call and the AWS error."""


Resource = dict[str, Any]  # {"arn", "account", "region", "type", "attributes"}


class Api:
    """Read-only AWS calls for one collector in one account and region, each recorded raw."""

    def __init__(self, account: Account, region: str, service: str, store: RawStore, home_region: str = "us-east-1"):
        self.account, self.region, self.service, self.store = account, region, service, store
        self.client_region = home_region if region == GLOBAL else region

    def call(self, operation: str, *, key: str | None = None, absent: Sequence[str] = (), service: str | None = None,
             **params: Any) -> dict[str, Any] | None:
        """One call; None when AWS answered with one of the `absent` error codes (recorded too)."""
        pages = self._run(operation, key, absent, service, params, paginate=False)
        return pages[0] if pages else None

    def pages(self, operation: str, *, key: str | None = None, absent: Sequence[str] = (), service: str | None = None,
              **params: Any) -> list[dict[str, Any]]:
        """Every page of a call (through botocore's paginator when the operation has one)."""
        return self._run(operation, key, absent, service, params, paginate=True) or []

    def _run(self, operation: str, key: str | None, absent: Sequence[str], service: str | None,
             params: dict[str, Any], paginate: bool) -> list[dict[str, Any]] | None:
        svc = service or self.service
        client = self.account.client(svc, self.client_region)
        method = xform_name(operation)
        record: dict[str, Any] = {"operation": operation if svc == self.service else f"{svc}.{operation}",
                                  "service": self.service, "account": self.account.id, "region": self.region,
                                  "params": params, "collected_at": _now()}
        where = f"{svc}:{operation}" + (f" ({key})" if key else "") + f" in {self.region}"
        try:
            if paginate and client.can_paginate(method):
                responses = list(client.get_paginator(method).paginate(**params))
            else:
                responses = [getattr(client, method)(**params)]
        except botocore.exceptions.ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in absent:
                record["error"] = exc.response
                self.store.write(record, key)
                return None
            record["error"] = exc.response
            self.store.write(record, key)
            raise CollectError(_describe(where, code, exc)) from None
        except botocore.exceptions.BotoCoreError as exc:
            raise CollectError(f"{where}: {exc}") from None
        record["responses"] = responses
        self.store.write(record, key)
        return responses


def _describe(where: str, code: str, exc: botocore.exceptions.ClientError) -> str:
    message = " ".join((exc.response.get("Error", {}).get("Message", "") or str(exc)).split())[:300]
    attempts = exc.response.get("ResponseMetadata", {}).get("RetryAttempts", 0)
    if code in THROTTLING:
        return f"{where}: throttled after {attempts + 1} attempt(s): {code}: {message}"
    if code in DENIED:
        return f"{where}: access denied: {code}: {message}"
    return f"{where}: {code or 'error'}: {message}"


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


class Collector(Protocol):
    """One AWS service. `scope` is "regional" (run per region) or "global" (once per account)."""

    service: str
    scope: str

    def collect(self, api: Api) -> None:
        """Make the service's read-only calls through `api` (which records them)."""

    def normalize(self, raw: RawView, account: str, region: str) -> list[Resource]:
        """Resources from the recorded responses of one account and region."""


def resource(arn: str, account: str, region: str, type_: str, attributes: dict[str, Any]) -> Resource:
    return {"arn": arn, "account": account, "region": region, "type": type_, "attributes": attributes}
