"""S3 (or any S3-compatible endpoint) as the evidence store, through boto3.

Options: SSE-KMS (`kms_key_id`), Object Lock retention (`object_lock_mode` GOVERNANCE or
COMPLIANCE for `retention_days`; the bucket must have Object Lock enabled), multipart upload
for large files (boto3's TransferConfig). Throttling and 5xx responses are retried with
exponential backoff (botocore's "standard" retry mode); what still fails becomes a StoreError
that names the bucket, key and cause. A run's files go up first, its manifest last; the ledger
entry that makes the run count is written only after that.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, BinaryIO, Callable, TypeVar

import boto3
from boto3.exceptions import S3UploadFailedError
from boto3.s3.transfer import TransferConfig
from botocore.config import Config as BotoConfig
from botocore.exceptions import BotoCoreError, ClientError

from guard.evidence.manifest import MANIFEST, SIGNATURE, walk
from guard.evidence.store import StoreError

MULTIPART_THRESHOLD = 16 * 1024 * 1024
LOCK_MODES = ("GOVERNANCE", "COMPLIANCE")
_DENIED = ("AccessDenied", "AllAccessDisabled", "InvalidAccessKeyId", "SignatureDoesNotMatch", "403")
T = TypeVar("T")


class S3Store:
    """Runs under s3://BUCKET/PREFIX/runs/<id>/, ledger entries under .../ledger/."""

    def __init__(self, url: str, *, endpoint_url: str | None = None, kms_key_id: str | None = None,
                 object_lock_mode: str | None = None, retention_days: int = 0, max_attempts: int = 6,
                 multipart_threshold: int = MULTIPART_THRESHOLD) -> None:
        bucket, _, prefix = url[len("s3://"):].partition("/")
        if not bucket:
            raise StoreError(f"{url}: no bucket (expected s3://BUCKET/PREFIX)")
        if object_lock_mode is not None and object_lock_mode.upper() not in LOCK_MODES:
            raise StoreError(f"evidence.object_lock_mode: {object_lock_mode!r} is not one of {', '.join(LOCK_MODES)}")
        if object_lock_mode and retention_days <= 0:
            raise StoreError("evidence.retention_days: Object Lock needs a retention of at least 1 day")
        self.bucket, self.prefix = bucket, prefix.strip("/")
        self.location = f"s3://{bucket}/{self.prefix}" if self.prefix else f"s3://{bucket}"
        self.client = boto3.client("s3", endpoint_url=endpoint_url, config=BotoConfig(
            retries={"mode": "standard", "total_max_attempts": max_attempts}, connect_timeout=10, read_timeout=60))
        self.transfer = TransferConfig(multipart_threshold=multipart_threshold, multipart_chunksize=multipart_threshold)
        self.extra: dict[str, Any] = {}
        if kms_key_id:
            self.extra.update(ServerSideEncryption="aws:kms", SSEKMSKeyId=kms_key_id)
        if object_lock_mode:
            self.extra.update(ObjectLockMode=object_lock_mode.upper(), ObjectLockRetainUntilDate=(
                dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=retention_days)))

    def _key(self, *parts: str) -> str:
        return "/".join(p for p in (self.prefix, *parts) if p)

    def _call(self, what: str, key: str, fn: Callable[[], T]) -> T:
        try:
            return fn()
        except ClientError as exc:
            raise self._error(exc, what, key) from None
        except S3UploadFailedError as exc:
            code = next((c for c in _DENIED if c in str(exc)), "UploadFailed")
            raise StoreError(_message(self.bucket, key, what, code, str(exc))) from None
        except (BotoCoreError, OSError) as exc:
            raise StoreError(f"s3://{self.bucket}/{key}: {what} failed: {exc}") from None

    def _error(self, exc: ClientError, what: str, key: str) -> StoreError:
        err = exc.response.get("Error", {})
        code = str(err.get("Code") or exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", ""))
        return StoreError(_message(self.bucket, key, what, code, str(err.get("Message") or exc)))

    def put_run(self, run_id: str, staging: Path) -> str:
        names = [name for name, _ in walk(staging)]
        last = [n for n in (SIGNATURE, MANIFEST) if n in names]
        for name in [n for n in names if n not in last] + last:
            path, key = staging / name, self._key("runs", run_id, name)
            if path.stat().st_size < self.transfer.multipart_threshold:
                self._call("upload", key, lambda: self.client.put_object(
                    Bucket=self.bucket, Key=key, Body=path.read_bytes(), **self.extra))
            else:  # multipart, parts uploaded concurrently
                self._call("upload", key, lambda: self.client.upload_file(
                    str(path), self.bucket, key, ExtraArgs=dict(self.extra), Config=self.transfer))
        return f"s3://{self.bucket}/{self._key('runs', run_id)}"

    def _list(self, prefix: str) -> list[str]:
        def run() -> list[str]:
            keys: list[str] = []
            for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
                keys.extend(obj["Key"] for obj in page.get("Contents", ()))
            return keys

        return self._call("list", prefix, run)

    def run_files(self, run_id: str) -> list[str]:
        base = self._key("runs", run_id) + "/"
        return sorted(k[len(base):] for k in self._list(base))

    def open_file(self, run_id: str, name: str) -> BinaryIO:
        key = self._key("runs", run_id, name)
        return self._call("download", key, lambda: self.client.get_object(Bucket=self.bucket, Key=key)["Body"])

    def ledger_names(self) -> list[str]:
        base = self._key("ledger") + "/"
        return sorted(k[len(base):] for k in self._list(base))

    def read_ledger(self, name: str) -> bytes:
        key = self._key("ledger", name)
        return self._call("download", key, lambda: self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read())

    def append_ledger(self, name: str, data: bytes) -> bool:
        key = self._key("ledger", name)
        try:
            self.client.put_object(Bucket=self.bucket, Key=key, Body=data, IfNoneMatch="*", **self.extra)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("PreconditionFailed", "ConditionalRequestConflict"):
                return False
            raise self._error(exc, "write ledger entry", key) from None
        except (BotoCoreError, OSError) as exc:
            raise StoreError(f"s3://{self.bucket}/{key}: write ledger entry failed: {exc}") from None
        return True


def _message(bucket: str, key: str, what: str, code: str, detail: str) -> str:
    where = f"s3://{bucket}/{key}"
    if code in _DENIED:
        return (f"{where}: access denied during {what} ({code}); the credentials need s3:PutObject, "
                f"s3:GetObject and s3:ListBucket on this bucket and prefix (and kms:GenerateDataKey with SSE-KMS)")
    if code == "NoSuchBucket":
        return f"{where}: bucket {bucket} does not exist"
    return f"{where}: {what} failed ({code}: {detail})"
