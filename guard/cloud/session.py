"""AWS sessions: profile, assume-role into other accounts, adaptive retries, one endpoint for tests.

An `Account` hands out thread-safe boto3 clients (created under a lock: boto3 sessions are not
thread-safe, clients are). `--endpoint-url` sends every service to one host (moto, LocalStack);
such a host cannot serve S3 Control's per-account host names, so the account prefix is dropped.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import boto3
import botocore.exceptions
from botocore.config import Config


class CloudError(Exception):
    """The cloud run cannot start (no credentials, role cannot be assumed, bad endpoint): exit 2."""


@dataclass
class Account:
    """One AWS account reached through one boto3 session."""

    id: str
    session: boto3.session.Session
    endpoint_url: str | None = None
    max_attempts: int = 8
    via: str = ""  # how it was reached: "profile default", "role arn:aws:iam::...:role/x"
    _clients: dict[tuple[str, str], Any] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def client(self, service: str, region: str) -> Any:
        key = (service, region)
        with self._lock:
            if key not in self._clients:
                self._clients[key] = make_client(self.session, service, region, self.endpoint_url, self.max_attempts)
            return self._clients[key]


def retry_config(max_attempts: int) -> Config:
    """botocore adaptive retries (client-side rate limiting on throttling), `max_attempts` tries in all
    (botocore's own `max_attempts` key counts retries only, so `total_max_attempts` is used)."""
    return Config(retries={"mode": "adaptive", "total_max_attempts": max_attempts}, connect_timeout=10, read_timeout=60,
                  user_agent_extra="guard-cloud")


def make_client(session: boto3.session.Session, service: str, region: str, endpoint_url: str | None,
                max_attempts: int) -> Any:
    client = session.client(service, region_name=region, endpoint_url=endpoint_url, config=retry_config(max_attempts))
    if endpoint_url and service == "s3control":
        client.meta.events.register("before-send.s3-control", _drop_account_host_prefix)
    return client


def _drop_account_host_prefix(request: Any, **_: Any) -> None:
    parts = urlsplit(request.url)
    head, _, rest = parts.netloc.partition(".")
    if head.isdigit() and len(head) == 12 and rest:
        request.url = urlunsplit(parts._replace(netloc=rest))


def open_accounts(profile: str | None = None, role_arns: tuple[str, ...] = (), endpoint_url: str | None = None,
                  max_attempts: int = 8, region: str = "us-east-1", external_id: str | None = None) -> list[Account]:
    """The accounts to assess: the profile's own account, or each role assumed from it."""
    try:
        base = boto3.session.Session(profile_name=profile)
    except botocore.exceptions.ProfileNotFound as exc:
        raise CloudError(str(exc)) from None
    home = base.region_name or region
    if not role_arns:
        return [Account(_account_id(base, home, endpoint_url, max_attempts), base, endpoint_url, max_attempts,
                        via=f"profile {profile or 'default'}")]
    sts = make_client(base, "sts", home, endpoint_url, max_attempts)
    accounts = []
    for arn in role_arns:
        params: dict[str, Any] = {"RoleArn": arn, "RoleSessionName": "guard-cloud"}
        if external_id:
            params["ExternalId"] = external_id
        try:
            creds = sts.assume_role(**params)["Credentials"]
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
            raise CloudError(f"cannot assume role {arn}: {exc}") from None
        session = boto3.session.Session(aws_access_key_id=creds["AccessKeyId"],
                                        aws_secret_access_key=creds["SecretAccessKey"],
                                        aws_session_token=creds["SessionToken"], region_name=home)
        accounts.append(Account(_account_id(session, home, endpoint_url, max_attempts), session, endpoint_url,
                                max_attempts, via=f"role {arn}"))
    return accounts


def _account_id(session: boto3.session.Session, region: str, endpoint_url: str | None, max_attempts: int) -> str:
    try:
        return make_client(session, "sts", region, endpoint_url, max_attempts).get_caller_identity()["Account"]
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
        raise CloudError(f"cannot identify the AWS account (sts get-caller-identity): {exc}") from None
