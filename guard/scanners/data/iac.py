"""Severity and CWE for infrastructure checks whose tools give none (checkov offline, trivy's CWE).

Three layers, first match wins (see README.md in this folder):
1. `OVERRIDES`: hand-picked checkov checks with well-known impact (public buckets, open admin ports,
   wildcard IAM, privileged containers, docker socket ...).
2. `KEYWORDS`: the check's title says what it is about (encryption, public exposure, logging ...).
   The same table gives trivy's misconfiguration titles their CWE, so the same problem found by
   checkov and trivy shares a CWE and deduplicates.
3. `CATEGORY`: checkov's own check category.
"""

from __future__ import annotations

import re
from functools import lru_cache

from guard.model import Severity

C, H, M, L, I = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.INFO

# check id -> (severity, CWE ids)
OVERRIDES: dict[str, tuple[Severity, tuple[str, ...]]] = {
    "CKV_AWS_20": (H, ("CWE-284",)),  # S3 ACL allows public READ
    "CKV_AWS_57": (C, ("CWE-284",)),  # S3 ACL allows public WRITE
    "CKV2_AWS_6": (H, ("CWE-284",)),  # S3 without public access block
    "CKV_AWS_53": (H, ("CWE-284",)),
    "CKV_AWS_54": (H, ("CWE-284",)),
    "CKV_AWS_55": (H, ("CWE-284",)),
    "CKV_AWS_56": (H, ("CWE-284",)),
    "CKV_AWS_24": (H, ("CWE-284",)),  # SSH open to the internet
    "CKV_AWS_25": (H, ("CWE-284",)),  # RDP open to the internet
    "CKV_AWS_260": (M, ("CWE-284",)),
    "CKV_AWS_382": (L, ("CWE-284",)),  # unrestricted egress
    "CKV_AWS_17": (H, ("CWE-284",)),  # RDS publicly accessible
    "CKV_AWS_16": (H, ("CWE-311",)),  # RDS unencrypted
    "CKV_AWS_3": (H, ("CWE-311",)),  # EBS unencrypted
    "CKV_AWS_1": (C, ("CWE-269",)),  # IAM full admin
    "CKV_AWS_62": (C, ("CWE-269",)),
    "CKV_AWS_63": (H, ("CWE-269",)),
    "CKV2_AWS_40": (H, ("CWE-269",)),
    "CKV_AWS_286": (H, ("CWE-269",)),
    "CKV_AWS_287": (H, ("CWE-269",)),
    "CKV_AWS_288": (H, ("CWE-269",)),
    "CKV_AWS_289": (H, ("CWE-269",)),
    "CKV_AWS_290": (H, ("CWE-269",)),
    "CKV_AWS_355": (M, ("CWE-269",)),
    "CKV_AWS_41": (C, ("CWE-798",)),  # hard-coded AWS keys in provider
    "CKV_AWS_7": (M, ("CWE-320",)),  # KMS rotation
    "CKV_AWS_36": (M, ("CWE-354",)),  # CloudTrail log validation
    "CKV_AWS_67": (M, ("CWE-778",)),
    "CKV_K8S_16": (H, ("CWE-250",)),  # privileged container
    "CKV_K8S_17": (H, ("CWE-250",)),  # hostPID
    "CKV_K8S_18": (H, ("CWE-250",)),  # hostIPC
    "CKV_K8S_19": (H, ("CWE-250",)),  # hostNetwork
    "CKV_K8S_20": (H, ("CWE-250",)),  # allowPrivilegeEscalation
    "CKV_K8S_23": (M, ("CWE-250",)),  # root containers
    "CKV_K8S_27": (C, ("CWE-250",)),  # docker socket
    "CKV_K8S_39": (H, ("CWE-250",)),  # CAP_SYS_ADMIN
    "CKV_K8S_35": (M, ("CWE-312",)),  # secrets in env vars
    "CKV_DOCKER_1": (M, ("CWE-284",)),  # port 22 exposed
    "CKV_DOCKER_3": (M, ("CWE-250",)),  # no USER
    "CKV_DOCKER_8": (M, ("CWE-250",)),  # last USER root
    "CKV_GHA_2": (H, ("CWE-78",)),  # shell injection in run
    "CKV2_GHA_1": (H, ("CWE-269",)),  # write-all permissions
}

# (pattern on the lower-cased title, severity used when the tool gives none, CWE ids)
KEYWORDS: tuple[tuple[re.Pattern[str], Severity, tuple[str, ...]], ...] = tuple(
    (re.compile(p), s, c) for p, s, c in (
        # secrets passed to a build end up in the image's layers (the value is not in the finding)
        (r"secrets? passed|sensitive data", H, ("CWE-538",)),
        (r"hard[- ]?coded|secrets? (exist|in)|credentials? (in|exposure)|private key|access key", H, ("CWE-798",)),
        (r"in[- ]transit|https|\btls\b|\bssl\b|certificate validation", M, ("CWE-319",)),
        (r"encrypt|\bkms\b|\bcmk\b|at rest", M, ("CWE-311",)),
        (r"privilege|privileged|root|capabilit|host (process|network|ipc)|hostpath|docker daemon|sudo", M, ("CWE-250",)),
        (r"administrative|\biam\b.*\*|\"\*\"|wildcard|permissions? management|write[- ]all", H, ("CWE-269",)),
        (r"public|0\.0\.0\.0|::/0|ingress|internet|everyone|open to|unrestricted", M, ("CWE-284",)),
        (r"\blogs?\b|logging|trail|monitoring|audit|flow log", L, ("CWE-778",)),
        (r"limits? should|requests? should|\blimit|quota", L, ("CWE-770",)),
        (r"latest|digest|version tag|pinned|\btag\b|untrusted|signature|\bgpg\b", L, ("CWE-1357",)),
    )
)

# checkov category -> (severity, CWE ids)
CATEGORY: dict[str, tuple[Severity, tuple[str, ...]]] = {
    "SECRETS": (H, ("CWE-798",)),
    "IAM": (M, ("CWE-269",)),
    "NETWORKING": (M, ("CWE-284",)),
    "ENCRYPTION": (M, ("CWE-311",)),
    "LOGGING": (L, ("CWE-778",)),
    "BACKUP_AND_RECOVERY": (L, ()),
    "GENERAL_SECURITY": (M, ()),
    "KUBERNETES": (M, ()),
    "SUPPLY_CHAIN": (M, ("CWE-1357",)),
    "APPLICATION_SECURITY": (M, ()),
    "CONVENTION": (L, ()),
    "AI_AND_ML": (M, ()),
}


@lru_cache(maxsize=8192)
def keyword_cwe(title: str) -> tuple[Severity, tuple[str, ...]] | None:
    """Severity and CWE implied by a check title, or None when no keyword matches (remembered: a run
    asks for every check's title, and again for each finding)."""
    text = title.lower()
    for pattern, severity, cwe in KEYWORDS:
        if pattern.search(text):
            return severity, cwe
    return None


@lru_cache(maxsize=8192)
def classify(check_id: str, title: str, category: str | None) -> tuple[Severity, tuple[str, ...], str]:
    """(severity, CWE ids, which layer decided) for an infrastructure check."""
    if check_id in OVERRIDES:
        severity, cwe = OVERRIDES[check_id]
        return severity, cwe, "guard-override"
    by_title = keyword_cwe(title)
    if by_title is not None:
        return by_title[0], by_title[1], "guard-keyword"
    severity, cwe = CATEGORY.get(category or "", (M, ()))
    return severity, cwe, "guard-category"


# What an infrastructure check is about, from its title: two tools' checks are the same problem
# only when they share a topic (a CWE is too coarse: CWE-250 covers root users, privilege
# escalation, capabilities and host namespaces alike). Titles with none of these merge with nothing.
TOPICS: tuple[tuple[str, re.Pattern[str]], ...] = tuple((name, re.compile(p)) for name, p in (
    ("privilege-escalation", r"privilege ?escalation|elevate its own privileges|escalate privileges"),
    ("privileged", r"\bprivileged\b"),
    ("root-user", r"\broot (user|containers?|group)\b|\bas root\b|\bnon-?root\b|runasnonroot|\buser\b.*\broot\b|"
                  r"user for the container"),
    ("high-uid", r"\b(uid|gid)\b"),
    ("capabilities", r"capabilit|net_raw|sys_admin"),
    ("host-namespaces", r"host ?(pid|ipc|network|process|namespaces?)\b"),
    ("host-path", r"host ?path|host file ?system"),
    ("docker-socket", r"docker (socket|daemon)|docker\.sock"),
    ("read-only-root", r"read-?only"),
    ("seccomp", r"seccomp"),
    ("apparmor", r"apparmor"),
    ("selinux", r"selinux"),
    ("healthcheck", r"health ?check"),
    ("liveness-probe", r"liveness"),
    ("readiness-probe", r"readiness"),
    ("image-digest", r"digest"),
    ("image-tag", r"(image|tag)\b.*\blatest\b|\blatest\b.*\b(image|tag)|image tag|version tag|tag is|pinned"),
    ("image-pull-policy", r"pull ?policy"),
    ("cpu-limit", r"cpu limit|limits?\.cpu|limit.*\bcpu\b|\bcpu\b.*limit"),
    ("memory-limit", r"memory limit|limits?\.memory|limit.*\bmemory\b|\bmemory\b.*limit"),
    ("cpu-request", r"cpu request|requests?\.cpu|request.*\bcpu\b|\bcpu\b.*request"),
    ("memory-request", r"memory request|requests?\.memory|request.*\bmemory\b|\bmemory\b.*request"),
    ("default-namespace", r"default namespace"),
    ("service-account-token", r"service ?account tokens?|automount"),
    ("secrets-in-env", r"secrets? (as|in) env|secrets? passed via .*\benvs?\b|environment variables?.*secret|"
                       r"secret.*(environment|\b(env|arg)\b)|sensitive data .*\b(arg|env)\b|plaintext secrets?"),
    ("encryption", r"encrypt|\bkms\b|\bcmk\b|customer[- ]managed key"),
    ("in-transit", r"in[- ]transit|\bhttps\b|\btls\b|\bssl\b"),
    ("public-access", r"public|0\.0\.0\.0|::/0|internet|everyone|world"),
    ("ssh", r"\bssh\b|port 22\b"),
    ("rdp", r"\brdp\b|port 3389\b"),
    ("logging", r"\blogs?\b|logging|trail|flow log|audit"),
    ("versioning", r"versioning|versioned"),
    ("mfa", r"\bmfa\b|multi-?factor"),
    ("key-rotation", r"rotat"),
    ("backup", r"backup|point[- ]in[- ]time"),
    ("deletion-protection", r"deletion protection|termination protection"),
    ("instance-metadata", r"imds|metadata service|instance metadata|http_tokens"),
    ("wildcard-permissions", r"wildcard|\"\*\"|'\*'|\*:\*|full (admin|access)|administrative"),
    ("password-policy", r"password"),
))


# Settings that one check each is about, within a broader topic: two checks naming different ones are
# different problems though they share that topic (S3's four public access block settings all say
# "public"; checkov's restrict_public_buckets check was paired with trivy's ignore-public-ACLs check).
SETTINGS: tuple[tuple[str, re.Pattern[str]], ...] = tuple((name, re.compile(p)) for name, p in (
    ("block-public-acls", r"block public acls?\b|block_public_acls"),
    ("block-public-policy", r"block public polic|block_public_policy"),
    ("ignore-public-acls", r"ignore public acls?\b|ignore_public_acls"),
    ("restrict-public-buckets", r"restrict public buckets?|restrict_public_buckets?"),
))
SETTING_NAMES = frozenset(name for name, _ in SETTINGS)


@lru_cache(maxsize=8192)
def topics(title: str) -> frozenset[str]:
    """The topics (`TOPICS`) and settings (`SETTINGS`) a check title names."""
    text = title.lower()
    return frozenset(name for name, pattern in (*TOPICS, *SETTINGS) if pattern.search(text))


def same_topic(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether checks of these topics can be one problem: a shared topic, and when both name settings,
    a shared setting."""
    settings_a, settings_b = a & SETTING_NAMES, b & SETTING_NAMES
    if settings_a and settings_b and not settings_a & settings_b:
        return False
    return bool(a & b)
