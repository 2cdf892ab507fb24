"""detect-secrets: committed secrets (cloud keys, tokens, private keys, keyword and entropy heuristics).

Kept beside trivy's secret scanner because trivy allow-lists values that look like documentation
examples and misses keyword assignments; detect-secrets reports only a hash of each secret, never
its value. The indirect-reference filter is off: same results, 15x faster (DESIGN.md). So is the
allow-list filter: `pragma: allowlist secret` lines become inline waivers guard records, as do:
hex strings that are pre-commit's commit pins, Alembic revision ids, file digests under a key
naming their hash (`"sha256": ...`) or commit ids under a key naming a commit (`"gitHead": ...`);
AWS key id patterns inside a base64 blob; "high-entropy" strings that are Subresource Integrity
digests, made of words (names and paths) or data with a file format's signature; keyword values
that are code (`os.Getenv(`), a placeholder (`changethis`), a field's type or validation rules
(`hashed`), under a key naming where a secret is (`secretName`) or a message (`passwordError`), or
test code's data; and a URL password that is a format verb (`%s`). Each waiver names why.
Translation catalogs are not read (trivy's secret scanner reads them for token patterns). The
pinned version is started by `detect_secrets_start`, which has YAML alias bombs read as lines and
text files that are not UTF-8 read as UTF-16 (with its byte order mark) or Latin-1 (detect-secrets left them
out as binary).
Offline (`--no-verify`): left to itself, detect-secrets checks each secret it finds with its service
(a Slack token against slack.com, an AWS key against STS) and drops those the service calls invalid,
so found secrets would leave the machine and the findings depend on the network; a config's own
`--only-verified` asks for that.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import replace
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

from guard.model import Category, Finding, Location, Rule, Severity
from guard.scanners.base import Invocation, ScannerError, ToolScanner, load_json_output, source_lines, unless_set
from guard.scanners.distinfo import dist_version, started_by
from guard.scanners.generated import generated_code
from guard.scanners.testcode import is_test_code
from guard.tools.catalog import TOOLS

START = str(Path(__file__).with_name("detect_secrets_start.py"))

# detector type -> guard severity (pattern-based detectors are precise; heuristics are not)
TYPES: dict[str, Severity] = {
    "AWS Access Key": Severity.CRITICAL, "Private Key": Severity.CRITICAL, "GitHub Token": Severity.CRITICAL,
    "GitLab Token": Severity.CRITICAL, "Slack Token": Severity.HIGH, "Stripe Access Key": Severity.HIGH,
    "Azure Storage Account access key": Severity.HIGH, "Artifactory Credentials": Severity.HIGH,
    "Basic Auth Credentials": Severity.HIGH, "Cloudant Credentials": Severity.HIGH,
    "Discord Bot Token": Severity.HIGH, "IBM Cloud IAM Key": Severity.HIGH, "IBM COS HMAC Credentials": Severity.HIGH,
    "JSON Web Token": Severity.MEDIUM, "Mailchimp Access Key": Severity.HIGH, "NPM tokens": Severity.HIGH,
    "OpenAI Token": Severity.HIGH, "PyPI upload token": Severity.HIGH, "SendGrid API Key": Severity.HIGH,
    "SoftLayer Credentials": Severity.HIGH, "Square OAuth Secret": Severity.HIGH,
    "Telegram Bot Token": Severity.HIGH, "Twilio API Key": Severity.HIGH,
    "Secret Keyword": Severity.MEDIUM, "Base64 High Entropy String": Severity.LOW,
    "Hex High Entropy String": Severity.LOW, "Public IP (ipv4)": Severity.INFO,
}


class DetectSecretsScanner(ToolScanner):
    name = "detect-secrets"
    category = Category.SECRET
    tool = "detect-secrets"
    cost = 2.0
    file_local = True
    warm = True  # a Python tool (guard's start script): forked warm in resident mode
    patterns = ("*",)

    def select(self, files: Sequence[str]) -> list[str]:
        """Every file but translation catalogs (`translation_catalog`) and generated or minified code
        (`generated_code`)."""
        return [f for f in files if not translation_catalog(f) and not generated_code(f)]

    def version(self, exe: str) -> str:
        return dist_version(exe, "detect-secrets") or super().version(exe)

    def command(self, exe: str, target: Path, files: Sequence[str], workdir: Path) -> list[str]:
        args = self.config.tool("detect-secrets").args
        offline = unless_set(args, ("--no-verify", "-n", "--only-verified"), "--no-verify")
        return [*start(exe), "scan", "--all-files", *offline,
                "--disable-filter", "detect_secrets.filters.heuristic.is_indirect_reference",
                "--disable-filter", "detect_secrets.filters.allowlist.is_line_allowlisted", *args, *files]

    def checks(self, files: Sequence[str]) -> Sequence[Rule]:
        return [rule(t) for t in TYPES]

    def parse(self, run: Invocation) -> Iterable[Finding]:
        doc = load_json_output(run, run.stdout, self.name)
        if not isinstance(doc, dict) or not isinstance(doc.get("results"), dict):
            raise ScannerError("detect-secrets output has no `results` object")
        for path, items in sorted(doc["results"].items()):
            lines = source_lines(run.target / path)
            for item in items:
                yield _with_inline_waiver(_finding(path, item), lines)


def start(exe: str) -> list[str]:
    """How to start detect-secrets: when `exe` is the script of the version guard pins, its interpreter
    running `detect_secrets_start` (YAML alias bombs read as lines); else `exe` itself."""
    return started_by(exe, "detect-secrets", TOOLS["detect-secrets"].version, "from detect_secrets.main import main",
                      START)


def slug(kind: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", kind.lower()).strip("-")


def rule(kind: str) -> Rule:
    title = f"{kind} committed to the repository"
    return Rule(id=slug(kind), name=kind, short_description=title, full_description=title,
                help_text=f"{title}. Revoke the secret, remove it from history and load it from a secret manager.",
                help_uri="https://github.com/Yelp/detect-secrets", tags=("secret",), cwe=("CWE-798",))


def _finding(path: str, item: Mapping[str, Any]) -> Finding:
    kind = str(item["type"])
    line = item.get("line_number") if isinstance(item.get("line_number"), int) else None
    return Finding(tool="detect-secrets", rule=rule(kind), message=f"{kind} in {path}",
                   severity=TYPES.get(kind, Severity.MEDIUM), category=Category.SECRET,
                   location=Location(path=path, start_line=line, end_line=line), cwe=("CWE-798",),
                   found_by=("detect-secrets",), severity_source="guard-table",
                   properties={"hashed_secret": item.get("hashed_secret")})


# detect-secrets' own allow-list pragmas: its filter for them is off (a change could silence it);
# guard records a secret on such a line as an inline waiver instead.
_ALLOW = re.compile(r"pragma:\s*allowlist\s+secret", re.IGNORECASE)
_ALLOW_NEXT = re.compile(r"pragma:\s*allowlist\s+nextline\s+secret", re.IGNORECASE)


def _with_inline_waiver(f: Finding, lines: list[str]) -> Finding:
    """`f` as an inline waiver when its line says it may be (a pragma) or shows it is no secret."""
    line = f.location.start_line if f.location is not None else None
    if not line or line > len(lines):
        return f
    text = lines[line - 1]
    why = _pragma(lines, line) or _flagged_value_reason(f, text) or _test_code(f)
    return f if why is None else replace(f, properties={**f.properties, "inline_waiver": why})


def _flagged_value_reason(f: Finding, text: str) -> str | None:
    """Why the value detect-secrets flagged on `text` is no secret, if a rule for its detector says so:
    of the candidates on the line, the flagged one is the one whose SHA-1 is its `hashed_secret`."""
    for candidates, reason in _VALUE_RULES.get(f.rule.id, ()):
        for value, start, end in candidates(text):
            if _sha1(value) == f.properties.get("hashed_secret") and (why := reason(value, start, end, text)):
                return why
    return None


def _matches(pattern: re.Pattern[str]) -> "Candidates":
    """Candidates: each match of `pattern` with where it starts and ends."""
    return lambda text: ((m.group(0), m.start(), m.end()) for m in pattern.finditer(text))


def _pragma(lines: list[str], line: int) -> str | None:
    pragma = _ALLOW.search(lines[line - 1]) or (_ALLOW_NEXT.search(lines[line - 2]) if line >= 2 else None)
    return None if pragma is None else f"detect-secrets pragma ({pragma.group(0)})"


# Hex strings that identify something rather than grant access, by the syntax that holds them (the
# value detect-secrets flagged is the one whose SHA-1 is its `hashed_secret`): a git commit pinned by
# `rev:` (pre-commit's config pins hooks so) and Alembic's revision ids. Such a finding becomes an
# inline waiver naming why: listed, not dropped.
_HEX = re.compile(r"(?<![0-9A-Za-z])[0-9a-fA-F]{7,128}(?![0-9A-Za-z])")
_IDENTIFIERS = (
    ("a git commit pinned by `rev:`", r"^\s*(?:-\s+)?rev:\s*['\"]?{v}['\"]?\s*(?:#.*)?$"),
    ("an Alembic revision id", r"^(?:down_)?revision\b[^=]*=\s*['\"]{v}['\"]\s*(?:#.*)?$"),
)


# An AWS access key id pattern matched inside a longer run of base64 characters (an embedded WASM or
# font blob) is a coincidence, not a key: real ids stand apart (quotes, `=`, spaces).
_AWS_KEY_ID = re.compile(r"(?:A3T[A-Z0-9]|ABIA|ACCA|AKIA|ASIA)[0-9A-Z]{16}")
_BASE64_CHAR = re.compile(r"[A-Za-z0-9+/]")


def _inside_blob(value: str, start: int, end: int, text: str) -> str | None:
    before, after = text[start - 1:start] if start else "", text[end:end + 1]
    if _BASE64_CHAR.fullmatch(before or " ") and _BASE64_CHAR.fullmatch(after or " "):
        return "guard: inside a run of base64 characters, not a key"
    return None


def _known_identifier(value: str, start: int, end: int, text: str) -> str | None:
    for why, pattern in _IDENTIFIERS:
        if re.search(pattern.format(v=re.escape(value)), text):
            return f"guard: {why}, not a secret"
    key = _key_of(value, text)
    if len(value) in _DIGEST_LENGTHS and _DIGEST_KEY.search(key) and not _CREDENTIAL_KEY.search(key):
        return "guard: a digest under a key naming its hash (`sha256`, `md5_digest`...), not a secret"
    if len(value) in _COMMIT_LENGTHS and _COMMIT_KEY.search(key) and not _CREDENTIAL_KEY.search(key):
        return "guard: a git commit id under a key naming a commit (`commit`, `gitHead`...), not a secret"
    return _encoded_data(value) or _sequence(value)


# Hex that decodes to printable UTF-8 text (`'746865207573657220697320746f6269'`: "the user is tobi")
# or starts with a file format's signature (gzip, zip, PNG, JPEG, GIF, PDF, WebAssembly, a Java
# serialization stream) is data written in hex, not key material: random bytes decode to printable
# text about once in 12,000 for 12 bytes (the shortest taken so) and once in 130,000 for 16
# (simulated). Base64 is taken by its signature alone: a Kubernetes Secret's base64 values are text.
_SIGNATURES = (b"\x1f\x8b\x08", b"PK\x03\x04", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF8", b"%PDF-",
               b"\x00asm", b"\xac\xed\x00\x05")


def _encoded_data(value: str) -> str | None:
    if len(value) < 24 or len(value) % 2:
        return None
    data = bytes.fromhex(value)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if data.startswith(_SIGNATURES) or (text is not None and all(c.isprintable() or c in "\t\n\r" for c in text)):
        return "guard: data written in hex (printable text or a file format's signature), not random bytes"
    return None


# A run of the alphabet or of counting digits (`0123456789abcdefghijklmnopqrstuvwxyz`, test data) is
# the opposite of random.
_SEQUENCES = ("0123456789abcdefghijklmnopqrstuvwxyz", "abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_SEQUENCE_RUN = 12


def _sequence(value: str) -> str | None:
    for sequence in _SEQUENCES:
        if any(sequence[i:i + _SEQUENCE_RUN] in value for i in range(len(sequence) - _SEQUENCE_RUN + 1)):
            return "guard: holds a run of the alphabet or of counting digits, not random characters"
    return None


# A package index's or lockfile's file digests (`"sha256": "<64 hex>"`, `md5_digest`, `blake2b_256`):
# a key naming a hash algorithm (or digest, checksum) holds a value of a digest's length. Keys that
# also name a credential (`password_hash`, `token_sha256`) are not taken as digests of public files.
_DIGEST_LENGTHS = frozenset({32, 40, 56, 64, 96, 128})  # MD5, SHA-1, SHA-224, SHA-256, SHA-384, SHA-512
_DIGEST_KEY = re.compile(r"sha\d*|md5|blake2|digest|hash|checksum|etag|fingerprint|thumbprint", re.IGNORECASE)
_CREDENTIAL_KEY = re.compile(r"pass|secret|token|key|auth|cred|salt|sign|hmac", re.IGNORECASE)


# A git commit id (SHA-1, or SHA-256 in repositories that use it) under a key naming a commit: bower's
# `.bower.json` `"commit"`, npm's `"gitHead"` in published package.json files, `commit_sha`, `revision`.
_COMMIT_LENGTHS = frozenset({40, 64})
_COMMIT_KEY = re.compile(r"commit|githead|revision", re.IGNORECASE)


def _key_of(value: str, text: str) -> str:
    """The key `value` stands under on its line: `"sha256": "..."`, `sha256 = "..."`, Homebrew's
    `sha256 "..."` ("" when none)."""
    found = re.search(r"""([\w.-]+)["']?(?:\s*[:=]\s*["']?|\s+["'])%s(?![0-9A-Za-z])""" % re.escape(value), text)
    return found.group(1) if found else ""


# detect-secrets' base64 heuristic flags any run of its characters with high Shannon entropy, which
# public digests and long names reach too. A Subresource Integrity digest (`integrity="sha384-..."`,
# exactly the digest's length) is a public file's hash. A value whose every part between separators
# is a word of two or more characters (lower, UPPER, Capitalized or camelCase letters, maybe with a
# digit or two) or a number is a name or a path (`projects/816257685787/locations/global/...`,
# `CONTAINER_REGISTRY/cartservice`): random characters above detect-secrets' entropy limit split so
# about once in 20,000 (24-32 characters, simulated).
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/=_\-\\]+")  # detect-secrets' base64 charset (a backslash too)
_SRI = re.compile(r"sha(256|384|512)-([A-Za-z0-9+/]+={0,2})")
_SRI_LENGTH = {"256": 44, "384": 64, "512": 88}  # base64 characters of each digest, padding included
_SEPARATORS = re.compile(r"[/_.+=\-]+")
_WORD = re.compile(r"(?:[A-Z]?[a-z]+(?:[A-Z][a-z]+)*|[A-Z]+)[0-9]{0,2}|[0-9]+")
_URL_SAFE = str.maketrans("-_", "+/")
_ETAG = re.compile(r"[0-9a-f]{1,8}-[A-Za-z0-9+/]{27}")  # the `etag` package's: length in hex, base64 SHA-1
_IPFS_CID = re.compile(r"Qm[1-9A-HJ-NP-Za-km-z]{44}")  # CIDv0: base58 of a SHA-256 multihash


def _not_random(value: str, start: int, end: int, text: str) -> str | None:
    sri = _SRI.fullmatch(value)
    if sri is not None and len(sri.group(2)) == _SRI_LENGTH[sri.group(1)]:
        return "guard: a Subresource Integrity digest (a public file's hash), not a secret"
    parts = [p for p in _SEPARATORS.split(value) if p]
    if len(parts) >= 2 and all(len(p) >= 2 and _WORD.fullmatch(p) for p in parts):
        return "guard: made of words and numbers (a name or path), not random characters"
    if _ETAG.fullmatch(value):
        return "guard: an HTTP entity tag (a response body's length and hash), not a secret"
    if _IPFS_CID.fullmatch(value):
        return "guard: an IPFS content address (a public file's hash), not a secret"
    if _decoded(value).startswith(_SIGNATURES):
        return "guard: data written in base64 (a file format's signature), not a key"
    return _sequence(value)


def _decoded(value: str) -> bytes:
    """The first bytes `value` stands for as base64 (standard or URL-safe alphabet; b"" when it is not)."""
    head = value[:24]  # whole 4-character groups: 18 bytes, more than the longest signature
    try:
        return base64.b64decode(head.translate(_URL_SAFE), validate=True)
    except ValueError:
        return b""


# detect-secrets' keyword heuristic takes what follows `secret... :=` up to a quote as the value, so
# `pgSecretName := os.Getenv("NAME")` gives `os.Getenv(` and `endpoint := terraform.Output(t, o, "x")`
# gives `terraform.Output(t, o, `: code that reads the secret, not the secret (its own
# indirect-reference filter, off here, is this check).
_CALL_OR_INDEX = re.compile(r"[A-Za-z_$][\w$]*(?:(?:\.|->|::)[A-Za-z_$][\w$]*)*[(\[]")
_QUOTES = re.compile(r"[\"'`]")


# detect-secrets' basic-auth pattern takes `%s` in `"postgres://user:%s@db"` for the password: a format
# verb the code fills in (from a secret read elsewhere), not a password written in the file. Its
# pattern, whose group is the flagged value:
_BASIC_AUTH = re.compile(r"://[^:/?#\[\]@!$&'()*+,;=\s]+:([^:/?#\[\]@!$&'()*+,;=\s]+)@")
_FORMAT_VERB = re.compile(r"%[-#0 ]*\d*(?:\.\d+)?[a-zA-Z]")


def _passwords(text: str) -> Iterator[tuple[str, int, int]]:
    return ((m.group(1), m.start(1), m.end(1)) for m in _BASIC_AUTH.finditer(text))


def _not_a_password(value: str, start: int, end: int, text: str) -> str | None:
    if _FORMAT_VERB.fullmatch(value):
        return "guard: a format verb (`%s`) the code fills in, not a password"
    host = _HOST.match(text, end + 1)
    if host is not None and _EXAMPLE_HOST.fullmatch(host.group(0).lower()):
        return "guard: credentials in a URL of a domain reserved for examples (example.org, .test), not a login"
    if _PLACEHOLDER.fullmatch(value) or value.lower() in _PLACEHOLDER_PASSWORDS:
        return "guard: a placeholder password (`password`, `pass`, `xxxx`) in a URL, not a credential"
    return None


# The host after a URL's credentials; names RFC 2606 and RFC 6761 keep for documentation and tests.
_HOST = re.compile(r"[^/:?#\s\"'`@]+")
_EXAMPLE_HOST = re.compile(r"(?:.+\.)?example(?:\.(?:com|org|net))?|.+\.(?:test|invalid|example)")
_PLACEHOLDER_PASSWORDS = frozenset({"pass", "passwd", "pw", "pwd", "secret", "changeme", "foobar", "bar"})


def _code(text: str) -> Iterator[tuple[str, int, int]]:
    """Candidates: each call or index, alone and up to the next quote."""
    for match in _CALL_OR_INDEX.finditer(text):
        quote = _QUOTES.search(text, match.end())
        for end in {match.end(), quote.start() if quote else len(text)}:
            yield text[match.start():end], match.start(), end


# A template's attribute binding holds an expression of the component's code, not a literal: Angular's
# `[password]="password.value"`, Vue's `:token="authToken"` (juice-shop: seven keyword hits so).
_BINDING = re.compile(r"""(?:\[[\w.-]+\]|\(\w[\w.-]*\)|(?<![\w-])(?::|v-bind:)[\w.-]+)=(["'])([^"'\n]*)\1""")


def _bindings(text: str) -> Iterator[tuple[str, int, int]]:
    return ((m.group(2), m.start(2), m.end(2)) for m in _BINDING.finditer(text))


def _bound_expression(value: str, start: int, end: int, text: str) -> str:
    return "guard: a template binding's expression (`[password]=\"password.value\"`), not a literal"


def _code_not_value(value: str, start: int, end: int, text: str) -> str:
    return "guard: the value is code (a call or an index), not a literal"


# A keyword's value that is a placeholder everyone recognises (`SECRET_KEY=changethis`, `"password":
# "<your password>"`) is a template for the real one, which lives elsewhere.
_ASSIGNED = re.compile(r"""["']([^"'\n]*)["']|[=:]\s*([^\s"'#;,]+)""")
_PLACEHOLDER = re.compile(r"(?i)change[-_ ]?(me|this|it)|placeholder|dummy|example|sample|fake|secret|password|"
                          r"x{3,}|\*{3,}|\.{3}|<[^>]*>|\{\{[^}]*\}\}|your[-_ a-z]*(key|token|secret|password)[-_ a-z]*")


def _assigned(text: str) -> Iterator[tuple[str, int, int]]:
    for m in _ASSIGNED.finditer(text):
        group = 1 if m.group(1) is not None else 2
        yield m.group(group), m.start(group), m.end(group)


# A keyword's value that declares the field's type or validation rules: Laravel's default User model
# casts `'password' => 'hashed'`, and its validators read `'password' => 'required|string|min:8'`.
_TYPE_RULE = re.compile(r"(?i)(?:hashed|encrypted|string|text|required|nullable|sometimes|confirmed|"
                        r"current_password|password|boolean|bool|integer|int|date|datetime|email|hidden|"
                        r"(?:min|max|size|between):[\d,]+)(?:\|(?:[a-z_]+(?::[\w,]+)?))*")


# A switch about a secret, not the secret: `ManageMasterUserPassword: true`, `GenerateSecret: false`.
_SETTING = re.compile(r"(?i)true|false|yes|no|on|off|null|none|nil|undefined|~")


# A key that names where a secret is, not the secret: Kubernetes' `secretName: tls-cert` (and
# `adminSecretNamespace`, `secretRef`), `password_file: /run/secrets/db`, `token_env: API_TOKEN`,
# `privateKeyFilePath = "src/test/resources/key.pem"`.
_REFERENCE_KEY = re.compile(r"(?i).*(secret|password|passwd|token|key)[-_.]?"
                            r"(name|namespace|ref|file([-_.]?(path|name))?|path|dir|env|arn)s?")


# ... or text shown to people: `invalidPasswordErrorMessage = "Invalid password"`, `passwordLabel`.
_TEXT_KEY = re.compile(r"(?i).*(message|msg|error|label|title|hint|prompt|placeholder|description|tooltip)s?")


def _not_a_credential(value: str, start: int, end: int, text: str) -> str | None:
    """Why a keyword's value is no credential: by the value itself, else by the key it stands under."""
    if _PLACEHOLDER.fullmatch(value):
        return "guard: a placeholder for the real value (`changeme`, `<your token>`), not a secret"
    if _TYPE_RULE.fullmatch(value):
        return "guard: the field's type or validation rules (`hashed`, `required|min:8`), not a value"
    if _SETTING.fullmatch(value):
        return "guard: a boolean or empty setting (`ManageMasterUserPassword: true`), not a credential"
    key = _key_of(value, text)
    if _REFERENCE_KEY.fullmatch(key):
        return "guard: the key names where a secret is (`secretName`, `password_file`), not the secret"
    if _TEXT_KEY.fullmatch(key):
        return "guard: text shown to people under a key naming a message or label, not a credential"
    return None


# A keyword in a container image's name (`image: org/wrongsecrets:1.13`, `FROM secrets-manager:2`,
# `url: docker.io/org/wrongsecrets:latest`): detect-secrets reads the name as a key and the tag as its value.
_IMAGE_REF = re.compile(r"""(?i)(?:\bimage\s*[:=]\s*["']?|^\s*from\s+(?:--\S+\s+)*)[\w.\-/]+:([\w.\-]+)"""
                        r"""|(?:^|(?<=[\s"'=:]))(?:[\w.\-]+/)+[\w.\-]+:([\w.\-]+)(?=$|[\s"',])""")


def _image_tags(text: str) -> Iterator[tuple[str, int, int]]:
    for m in _IMAGE_REF.finditer(text):
        group = 1 if m.group(1) is not None else 2
        yield m.group(group), m.start(group), m.end(group)


def _image_tag(value: str, start: int, end: int, text: str) -> str:
    return "guard: the tag of a container image (`name:tag`), not a credential"


# CloudFormation reads a secret where it is used: `Password: '{{resolve:secretsmanager:db-pw:SecretString:password}}'`
# names one in Secrets Manager (or SSM); detect-secrets takes what follows a `secretsmanager:` for its value.
_DYNAMIC_REFERENCE = re.compile(r"\{\{resolve:(?:secretsmanager|ssm-secure|ssm):[^}\s]*\}\}")


def _dynamic_references(text: str) -> Iterator[tuple[str, int, int]]:
    """Each reference, and each part of it after a colon (with and without its closing braces)."""
    for m in _DYNAMIC_REFERENCE.finditer(text):
        yield m.group(0), m.start(), m.end()
        for colon in (i for i in range(m.start(), m.end()) if text[i] == ":"):
            yield text[colon + 1:m.end()], colon + 1, m.end()
            yield text[colon + 1:m.end() - 2], colon + 1, m.end() - 2


def _dynamic_reference(value: str, start: int, end: int, text: str) -> str:
    return ("guard: a CloudFormation reference to a secret stored elsewhere (`{{resolve:secretsmanager:...}}`), "
            "not the secret")


# An IAM policy's action on Secrets Manager (`- secretsmanager:GetSecretValue`): detect-secrets reads the
# service as a key and the action as its value. (Only that service: `password:Hunter2` in a properties
# file has the same shape.)
_IAM_ACTION = re.compile(r"(?<![\w:/.-])secretsmanager:([A-Z][A-Za-z0-9]*\*?|\*)(?![\w:/.-])")


def _iam_actions(text: str) -> Iterator[tuple[str, int, int]]:
    for m in _IAM_ACTION.finditer(text):
        yield m.group(1), m.start(1), m.end(1)


def _iam_action(value: str, start: int, end: int, text: str) -> str | None:
    if value == "*" or _WORD.fullmatch(value.rstrip("*")):
        return "guard: an IAM policy's action (`secretsmanager:GetSecretValue`), not a key and its value"
    return None


# detect-secrets' Telegram bot token pattern: a bot id, a colon and 35 characters. Prose matches it
# (ripgrep's FAQ: `21225780:EverymajordevelopmentinthehistoryofAmerica`); a real token's second part
# is random characters, never a run of words.
_TELEGRAM = re.compile(r"\d{8,10}:[0-9A-Za-z_-]{35}")


def _words_not_token(value: str, start: int, end: int, text: str) -> str | None:
    parts = [p for p in _SEPARATORS.split(value.partition(":")[2]) if p]
    if parts and all(_WORD.fullmatch(p) and not p.isdigit() for p in parts):
        return "guard: the token's secret part is made of words, not random characters"
    return None


# detector (rule id) -> the candidates for the value it flagged on a line (value, start, end), and why
# a candidate is no secret
Candidates = Callable[[str], Iterable[tuple[str, int, int]]]
Reason = Callable[[str, int, int, str], "str | None"]
_VALUE_RULES: dict[str, tuple[tuple[Candidates, Reason], ...]] = {
    "hex-high-entropy-string": ((_matches(_HEX), _known_identifier),),
    "aws-access-key": ((_matches(_AWS_KEY_ID), _inside_blob),),
    "telegram-bot-token": ((_matches(_TELEGRAM), _words_not_token),),
    "base64-high-entropy-string": ((_matches(_BASE64_RUN), _not_random),),
    "secret-keyword": ((_code, _code_not_value), (_bindings, _bound_expression), (_assigned, _not_a_credential),
                       (_image_tags, _image_tag),
                       (_dynamic_references, _dynamic_reference), (_iam_actions, _iam_action)),
    "basic-auth-credentials": ((_passwords, _not_a_password),),
}


# A translation catalog maps message keys to UI text: `"LABEL_PASSWORD": "Passwort"` is a label in
# German; juice-shop's 40 catalogs gave 749 keyword "secrets" and warehouse's 60 .po files (30 MB)
# took detect-secrets 270 s of its 280. Catalogs are left to trivy's secret scanner, which reads
# every file for token patterns (keys, tokens, private keys) in a fraction of that.
_CATALOG_FOLDERS = frozenset({"i18n", "l10n", "locale", "locales", "lang", "langs", "languages", "translations"})
_CATALOG_SUFFIXES = frozenset({".json", ".yml", ".yaml", ".po", ".properties", ".xlf", ".xliff", ".arb", ".resx",
                               ".strings"})


def translation_catalog(rel: str) -> bool:
    """Whether `rel` is a translation catalog (gettext's .po/.pot anywhere; other formats in a catalog folder)."""
    path = PurePosixPath(rel)
    suffix = path.suffix.lower()
    return suffix in (".po", ".pot") or (suffix in _CATALOG_SUFFIXES
                                         and not _CATALOG_FOLDERS.isdisjoint(p.lower() for p in path.parts[:-1]))


def _sha1(value: str) -> str:
    """detect-secrets' `hashed_secret` of a value (the SHA-1 identifies the value; it protects nothing)."""
    return hashlib.sha1(value.encode(), usedforsecurity=False).hexdigest()


# Test code logs in with `password = "incorrect"` and signs up with `"weak"`: the keyword heuristic's
# hits there are test data. Only its hits are taken so: a token pattern (an AWS key, a GitHub token)
# or an entropy hit in a test stays a finding.
def _test_code(f: Finding) -> str | None:
    if f.rule.id != "secret-keyword" or f.location is None or not is_test_code(f.location.path):
        return None
    return "guard: a keyword in test code (test data), not a credential"

