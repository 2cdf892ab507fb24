"""detect-secrets (real tool) on values that are not secrets: pre-commit's commit pins, Alembic
revision ids and file digests under a key naming their hash (hex entropy), an AWS key id pattern
inside a base64 blob, Subresource Integrity digests and names or paths (base64 entropy), code after
a secret keyword, git commit ids under a key naming a commit, a
format verb where a URL's password stands. Those become inline waivers naming why; the same
values in any other syntax, and random values, stay findings."""

from __future__ import annotations

from pathlib import Path

import pytest

from guard import config as config_mod
from guard.scanners.detect_secrets import DetectSecretsScanner
from guard.tools.envs import resolve
from tests.conftest import scanned

SHA = "3e8a8703264a2f4a69428a0aa4dcb512790b2c8c"
FILES = {
    ".pre-commit-config.yaml": f"repos:\n  - repo: https://github.com/pre-commit/pre-commit-hooks\n    rev: {SHA}"
                               "  # v6.0.0\n",
    "migrations/versions/9c0a54914c78_add.py": '"""add\n\nRevision ID: 9c0a54914c78\n"""\n'
                                               "revision = '9c0a54914c78'\ndown_revision = 'e2412789c190'\n",
    "app/settings.py": 'SIGNING_KEY = "8f3a2c9d4e5b6a7f8091a2b3c4d5e6f708192a3b"\n'
                       f'REV = "{SHA}"  # rev: a comment does not make the value a pin\n',
    "app/ids.py": "revision_key = '8f3a2c9d4e5b6a7f8091a2b3c4d5e6f7'\n",
    "tests/fixtures/pypi/requests.json": '{"digests": {\n  "md5": "e4ed8fa2c86e1f9c0d1e5b0a6b0de1b9",\n'
                                         '  "sha256": "6c1246513ecd5ecd4528a0906f910e8f0f9c6b8ec72030dc9fd154dc1a6efd24",\n'
                                         '  "password_hash": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"'
                                         '\n}}\n',
    "dist/bundle.js": "module.exports = Buffer.from('AGFzbQEAAAABJwdgAX8BAKIAQWERTYUIOPASDFGHf2ADf39/AX9gAX8A"
                      "YAJ/fwBg', 'base64');\nconst key = 'AKIAZXCVBNMQWERTYUIO';\n",
    "web/page.html": '<link href="https://cdn.example/b.css" integrity="sha384-WskhaSGFgHYWDcbwN70/dfYBj47jz9qbsMId/iR'
                     'N3ewGhXQFZCSftd1LZCfmhktB" crossorigin="anonymous">\n'
                     '<script src="a.js" data-key="sha384-WskhaSGFgHYWDcbwN70/dfYBj47jz9qbsMId/iRN3ewGh"></script>\n',
    "deploy/kustomization.yaml": "images:\n- name: app\n  newName: CONTAINER_IMAGES_REGISTRY/productcatalogservice\n",
    ".github/workflows/ci.yaml": "provider: 'projects/816257685787/locations/global/workloadIdentityPools/github-"
                                 "actions-pool/providers/github-provider'\n"
                                 "token: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'\n",
    "frontend/src/assets/i18n/de_DE.json": '{\n  "LABEL_PASSWORD": "Passwort",\n  "MANDATORY_PASSWORD": "Bitte gib ein '
                                            'Passwort ein.",\n  "AWS": "AKIAZXCVBNMQWERTYUIO"\n}\n',
    "pkg/brew/tool.rb": '  url "https://example.test/tool.tar.gz"\n'
                        '  sha256 "af7825fcc69a2afc7a7aea55fc9af90e26421d8f20fe59df32e233c0b8a231c1"\n',
    "test/body.test.js": "write(Buffer.from('1f8b080000000000000aab562a2e2952b252d21b05a360148c58a0540b0066f7ce1e0a04"
                         "0000', 'hex'))\nexpect(200, { buf: '746865207573657220697320746f6269' })\n"
                         "expect('ETag', 'W/\"3e7-qPnkJ3CVdVhFJQvUBfF10TmVA7g\"')\n"
                         "const alphabet = \"test\\nabcdefghijklmnopqrstuvwxyz\"\n"
                         "const key = Buffer.from('8f3a2c9d4e5b6a7f8091a2b3c4d5e6f708192a3b4c5d6e7f', 'hex')\n",
    "config/de_DE.json": '{\n  "LABEL_PASSWORD": "Passwort"\n}\n',
    "lib/jquery/.bower.json": f'{{\n  "commit": "{SHA}",\n  "_resolution": {{"type": "version", "commit": "{SHA[::-1]}"}},'
                              '\n  "api_key": "8f3a2c9d4e5b6a7f8091a2b3c4d5e6f708192a3b"\n}\n',
    "node_modules/left-pad/package.json": '{\n  "name": "left-pad",\n  "gitHead": "0e4f4b7a1f3a2c9d8e5b6a7f8091a2b3c4d5e6f7"\n}\n',
    "src/test/DeserializeTest.java": 'String token = "rO0ABXNyADFvcmcuZHVtbXkuaW5zZWN1cmUuZnJhbWV3b3JrLlZ1bG5lcmFibGVU'
                                     'YXNrSG9sZGVy";\nString key = "cplTjehjI/e5ajqTxWaXhU5NW9UotJfXj+gcbPvfWWc=";\n',
    "deploy/.env": "SECRET_KEY=changethis\nDB_PASSWORD=Xk81bqLw9zQ\n",
    "backend/tests/api/test_login.py": 'data = {"username": "a", "password": "incorrect"}\n'
                                       'token = "AKIAZXCVBNMQWERTYUIO"\n',
    "frontend/src/sign-up.spec.ts": 'const password = "weak"\n',
    "backend/app/login.py": 'password = "incorrect-Horse-7"\n',
    "k8s/ingress.yaml": "spec:\n  tls:\n  - hosts: [shop.example]\n    secretName: shop-tls-secret\n"
                        "parameters:\n  adminSecretNamespace: \"kube-system\"\n  password_file: /run/secrets/db\n"
                        "  adminPassword: Xk81bqLw9zQ\n",
    "k8s/app.yaml": "spec:\n  containers:\n    - image: jeroenwillemsen/wrongsecrets:1.13.5-no-vault\n"
                    "data:\n  api_secret: Kx81bqLw9zQ-aa\n  url: docker.io/org/wrongsecrets:latest-no-vault\n"
                    "  db: postgres://secretuser:Kx81bqLw9zQ-ab@db/app\n",
    "cfn/template.yaml": "Resources:\n  Db:\n    Properties:  # !Ref tags: detect-secrets reads the lines as text\n"
                         "      MasterUserPassword: '{{resolve:secretsmanager:db-pw:SecretString:password}}'\n"
                         "      ManageMasterUserPassword: true\n      GenerateSecret: false\n"
                         "      Action:\n        - secretsmanager:GetSecretValue\n        - kms:Decrypt\n"
                         "      AdminPassword: Kx81bqLw9zQ-ac\n      VpcId: !Ref Vpc\n",
    "app/config.properties": "password:Hunter2\n",
    "docs/proxies.md": 'httpx.Client(proxy="http://username:password@localhost:8030")\n'
                       'url = "https://user:Kx81bqLw9zQ-ad@api.example.org/"\n'
                       'db = "postgres://app:Kx81bqLw9zQ-ae@db.internal:5432/app"\n',
    "docs/FAQ.md": "Time: 21225780:EverymajordevelopmentinthehistoryofAmerica\n"
                   "bot = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1'\n",
    "src/main/java/Keys.java": 'String privateKeyFilePath = "src/main/resources/private.pem";\n'
                               'String privateKeyPassword = "Kx81bqLw9zQ-aa";\n',
    "app/routes/session.js": 'const invalidPasswordErrorMessage = "Invalid password";\n'
                             'errors.passwordError = "Password must be 8 to 18 characters";\n'
                             'const passwordSalt = "Kx81bqLw9zQ";\n',
    "app/Models/User.php": "<?php\nreturn [\n    'password' => 'hashed',\n    'password_rule' => 'required|string|min:8',\n"
                           "    'password_old' => 'hashed-Kx81bq',\n];\n",
    "backend/db.go": 'return sql.Open("postgres", fmt.Sprintf("postgres://postgres:%s@db:5432/app", pw))\n'
                     'return sql.Open("postgres", "postgres://postgres:Xk81bqLw9z@db:5432/app")\n',
    "cmd/db.go": 'package main\n\nimport "os"\n\nfunc f() {\n\tpgSecretName := os.Getenv("ALLOYDB_SECRET_NAME")\n'
                 '\tapiSecret := "hunter2-Kx81bq"\n\t_, _ = pgSecretName, apiSecret\n'
                 '\tdbSecretArn := terraform.Output(t, options, "db_secret_arn")\n}\n',
}


DIGEST = "guard: a digest under a key naming its hash (`sha256`, `md5_digest`...), not a secret"


@pytest.mark.skipif(resolve("detect-secrets") is None, reason="detect-secrets not installed")
def test_commit_pins_and_revision_ids_are_waived_with_a_reason(tmp_path: Path) -> None:
    run = scanned(DetectSecretsScanner, tmp_path, FILES)
    data_files = ("pkg/brew/tool.rb", "test/body.test.js")  # checked below
    hex_findings = {(f.location.path, f.location.start_line): f.properties.get("inline_waiver")
                    for f in run.findings
                    if f.rule.id == "hex-high-entropy-string" and f.location.path not in data_files
                    and not f.location.path.endswith(("bower.json", "package.json"))}  # checked below
    assert hex_findings == {
        (".pre-commit-config.yaml", 3): "guard: a git commit pinned by `rev:`, not a secret",
        ("migrations/versions/9c0a54914c78_add.py", 5): "guard: an Alembic revision id, not a secret",
        ("migrations/versions/9c0a54914c78_add.py", 6): "guard: an Alembic revision id, not a secret",
        ("app/settings.py", 1): None,  # a key in an assignment: still a finding
        ("app/settings.py", 2): None,
        ("app/ids.py", 1): None,  # a name that starts like Alembic's is not Alembic's
        ("tests/fixtures/pypi/requests.json", 2): DIGEST,
        ("tests/fixtures/pypi/requests.json", 3): DIGEST,
        ("tests/fixtures/pypi/requests.json", 4): None,  # a credential's hash stays a finding
    }
    aws = {f.location.start_line: f.properties.get("inline_waiver") for f in run.findings
           if f.location.path == "dist/bundle.js" and f.rule.id == "aws-access-key"}
    assert aws == {1: "guard: inside a run of base64 characters, not a key", 2: None}  # the one standing apart stays
    entropy = {(f.location.path, f.location.start_line): f.properties.get("inline_waiver")
               for f in run.findings if f.rule.id == "base64-high-entropy-string" and f.location.path not in data_files
               and not f.location.path.endswith(".java")}  # checked below
    assert entropy == {
        ("web/page.html", 1): "guard: a Subresource Integrity digest (a public file's hash), not a secret",
        ("web/page.html", 2): None,  # not a digest's length: still a finding
        ("deploy/kustomization.yaml", 3): "guard: made of words and numbers (a name or path), not random characters",
        (".github/workflows/ci.yaml", 1): "guard: made of words and numbers (a name or path), not random characters",
        (".github/workflows/ci.yaml", 2): None,
    }
    keyword = {f.location.start_line: f.properties.get("inline_waiver") for f in run.findings
               if f.location.path == "cmd/db.go" and f.rule.id == "secret-keyword"}
    code = "guard: the value is code (a call or an index), not a literal"
    assert keyword == {6: code, 7: None, 9: code}
    catalog = {(f.location.path, f.location.start_line, f.rule.id): f.properties.get("inline_waiver")
               for f in run.findings if f.location.path.endswith("de_DE.json")}
    assert catalog == {("config/de_DE.json", 2, "secret-keyword"): None}  # not in a catalog folder: read
    commit = "guard: a git commit id under a key naming a commit (`commit`, `gitHead`...), not a secret"
    commits = {(f.location.path, f.location.start_line): f.properties.get("inline_waiver") for f in run.findings
               if f.location.path.endswith(("bower.json", "package.json"))}
    assert commits == {("lib/jquery/.bower.json", 2): commit, ("lib/jquery/.bower.json", 3): commit,
                       ("lib/jquery/.bower.json", 4): None,  # under a credential's key: still a finding
                       ("node_modules/left-pad/package.json", 3): commit}
    serialized = {f.location.start_line: f.properties.get("inline_waiver") for f in run.findings
                  if f.location.path == "src/test/DeserializeTest.java"}
    assert serialized == {1: "guard: data written in base64 (a file format's signature), not a key", 2: None}
    placeholder = "guard: a placeholder for the real value (`changeme`, `<your token>`), not a secret"
    test_data = "guard: a keyword in test code (test data), not a credential"
    keywords = {(f.location.path, f.location.start_line, f.rule.id): f.properties.get("inline_waiver")
                for f in run.findings if f.location.path in ("deploy/.env", "backend/tests/api/test_login.py",
                                                             "frontend/src/sign-up.spec.ts", "backend/app/login.py")}
    assert keywords == {
        ("deploy/.env", 1, "secret-keyword"): placeholder,
        ("deploy/.env", 2, "secret-keyword"): None,
        ("backend/tests/api/test_login.py", 1, "secret-keyword"): test_data,
        ("backend/tests/api/test_login.py", 2, "aws-access-key"): None,  # a key pattern in a test stays a finding
        ("frontend/src/sign-up.spec.ts", 1, "secret-keyword"): test_data,
        ("backend/app/login.py", 1, "secret-keyword"): None,
    }
    references = {f.location.start_line: f.properties.get("inline_waiver") for f in run.findings
                  if f.location.path == "k8s/ingress.yaml"}
    where = "guard: the key names where a secret is (`secretName`, `password_file`), not the secret"
    assert references == {4: where, 6: where, 8: None}  # (detect-secrets itself skips the path on line 7)
    java = {f.location.start_line: f.properties.get("inline_waiver") for f in run.findings
            if f.location.path == "src/main/java/Keys.java"}
    assert java == {1: where, 2: None}
    images = {f.location.start_line: f.properties.get("inline_waiver") for f in run.findings
              if f.location.path == "k8s/app.yaml"}
    cfn = {f.location.start_line: f.properties.get("inline_waiver") for f in run.findings
           if f.location.path == "cfn/template.yaml"}
    switch = "guard: a boolean or empty setting (`ManageMasterUserPassword: true`), not a credential"
    assert cfn == {4: "guard: a CloudFormation reference to a secret stored elsewhere (`{{resolve:secretsmanager:...}}`), "
                      "not the secret", 5: switch, 6: switch,
                   8: "guard: an IAM policy's action (`secretsmanager:GetSecretValue`), not a key and its value",
                   10: None}
    assert [f.properties.get("inline_waiver") for f in run.findings if f.location.path == "app/config.properties"] == [
        None]  # a password after a colon, shaped like an IAM action: still a finding
    urls_in_docs = {f.location.start_line: f.properties.get("inline_waiver") for f in run.findings
                    if f.location.path == "docs/proxies.md"}
    assert urls_in_docs == {
        1: "guard: a placeholder password (`password`, `pass`, `xxxx`) in a URL, not a credential",
        2: "guard: credentials in a URL of a domain reserved for examples (example.org, .test), not a login", 3: None}
    telegram = {f.location.start_line: f.properties.get("inline_waiver") for f in run.findings
                if f.location.path == "docs/FAQ.md" and f.rule.id == "telegram-bot-token"}
    assert telegram == {1: "guard: the token's secret part is made of words, not random characters", 2: None}
    tag = "guard: the tag of a container image (`name:tag`), not a credential"
    assert images == {3: tag, 5: None, 6: tag, 7: None}
    labels = {f.location.start_line: f.properties.get("inline_waiver") for f in run.findings
              if f.location.path == "app/routes/session.js"}
    text = "guard: text shown to people under a key naming a message or label, not a credential"
    assert labels == {1: text, 2: text, 3: None}
    types = {f.location.start_line: f.properties.get("inline_waiver") for f in run.findings
             if f.location.path == "app/Models/User.php"}
    rules = "guard: the field's type or validation rules (`hashed`, `required|min:8`), not a value"
    assert types == {3: rules, 4: rules, 5: None}
    urls = {f.location.start_line: f.properties.get("inline_waiver") for f in run.findings
            if f.location.path == "backend/db.go"}
    assert urls == {1: "guard: a format verb (`%s`) the code fills in, not a password", 2: None}
    data = {(f.location.path, f.location.start_line): f.properties.get("inline_waiver") for f in run.findings
            if f.location.path in data_files and "entropy" in f.rule.id}
    hexdata = "guard: data written in hex (printable text or a file format's signature), not random bytes"
    assert data == {
        ("pkg/brew/tool.rb", 2): DIGEST,  # Homebrew's `sha256 "..."`
        ("test/body.test.js", 1): hexdata,  # gzip bytes
        ("test/body.test.js", 2): hexdata,  # "the user is tobi"
        ("test/body.test.js", 3): "guard: an HTTP entity tag (a response body's length and hash), not a secret",
        ("test/body.test.js", 4): "guard: holds a run of the alphabet or of counting digits, not random characters",
        ("test/body.test.js", 5): None,  # random bytes in hex: a key
    }


def test_translation_catalogs_are_left_to_trivy_which_finds_a_key_in_one(tmp_path: Path) -> None:
    """detect-secrets does not read translation catalogs (warehouse's 60 .po files took it 270 s, and
    their labels are keyword "secrets"); trivy's secret scanner reads them for token patterns."""
    from guard.scanners.detect_secrets import translation_catalog
    from guard.scanners.trivy import TrivyScanner

    assert [p for p in ["locale/de/LC_MESSAGES/messages.po", "po/fr.pot", "src/i18n/de_DE.json",
                        "config/de_DE.json", "app/locales/en.yml", "settings.yml"] if translation_catalog(p)] == \
        ["locale/de/LC_MESSAGES/messages.po", "po/fr.pot", "src/i18n/de_DE.json", "app/locales/en.yml"]
    if resolve("trivy") is None:
        pytest.skip("trivy not installed")
    catalog = {"frontend/src/assets/i18n/de_DE.json": FILES["frontend/src/assets/i18n/de_DE.json"]}
    assert DetectSecretsScanner(config_mod.Config()).select(sorted(catalog)) == []
    run = scanned(TrivyScanner, tmp_path, catalog)
    assert [(f.location.path, f.location.start_line) for f in run.findings if "aws" in f.rule.id.lower()] == [
        ("frontend/src/assets/i18n/de_DE.json", 4)]



def test_generated_and_minified_code_is_left_to_trivy_which_finds_a_key_in_it(tmp_path: Path) -> None:
    """protobuf's generated C++ took detect-secrets 10 s of opentelemetry-demo's 27; trivy's secret
    scanner still reads such files for token patterns."""
    from guard.scanners.generated import generated_code
    from guard.scanners.trivy import TrivyScanner

    names = ["src/currency/build/generated/proto/demo.pb.h", "demo.pb.cc", "api/v1/service.pb.go", "demo.grpc.pb.h",
             "demo_pb2.py", "demo_pb2_grpc.py", "static/app.min.js", "static/app.js.map",
             "charts/crds/templates/crd-prometheuses.yaml", "charts/stack/crds/monitoring.coreos.com.yaml",
             "config/crd/bases/app_crd.yml",
             "demo.pb.txt", "proto.py", "app.js", "demo.proto", "charts/stack/templates/secret.yaml", "crds/README.md"]
    assert [n for n in names if generated_code(n)] == names[:11]
    selected = DetectSecretsScanner(config_mod.Config()).select(names)
    assert selected == names[11:]
    if resolve("trivy") is None:
        pytest.skip("trivy not installed")
    key = "AKIA" + "ZXCVBNMQWERTYUIO"
    run = scanned(TrivyScanner, tmp_path, {"gen/demo.pb.go": f'package gen\n\nconst k = "{key}"\n'})
    assert [(f.location.path, f.location.start_line) for f in run.findings if "aws" in f.rule.id.lower()] == [
        ("gen/demo.pb.go", 3)]


@pytest.mark.skipif(resolve("detect-secrets") is None, reason="detect-secrets not installed")
def test_bindings_fingerprints_content_addresses_and_undefined_are_waived(tmp_path: Path) -> None:
    """juice-shop's: Angular attribute bindings, an OpenPGP key's fingerprint, an IPFS content address,
    a comparison with the string 'undefined'. The same keys with real values stay findings."""
    run = scanned(DetectSecretsScanner, tmp_path, {
        "web/form.component.html": '<app-strength [password]="password.value"></app-strength>\n'
                                   '<div [attr.data-test-totp-secret]="totpSecret"></div>\n'
                                   '<my-login :password="form.password"></my-login>\n'
                                   '<my-login password="Kx81bqLw9zQ-af"></my-login>\n',
        "routes/change.ts": "if (newPassword === 'undefined') {}\nif (newPassword === 'Kx81bqLw9zQ-ag') {}\n",
        ".well-known/csaf/provider-metadata.json": '{\n  "fingerprint": "19c01cb7157e4645e9e2c863062a85a8cbfbdcda",\n'
                                                   '  "token": "8f3a2c9d4e5b6a7f8091a2b3c4d5e6f708192a3b"\n}\n',
        "contracts/nft.sol": 'string constant metadataHash = "QmRad1vxT3soFMNx9j3bBmkABb4C86anY1f5XeonosHy3m";\n'
                             'string constant apiKey = "Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5d2Fs";\n'})
    waivers = {(f.location.path, f.location.start_line): f.properties.get("inline_waiver") for f in run.findings}
    binding = "guard: a template binding's expression (`[password]=\"password.value\"`), not a literal"
    assert waivers[("web/form.component.html", 1)] == binding
    assert waivers[("web/form.component.html", 2)] == binding
    assert waivers[("web/form.component.html", 3)] == binding
    assert waivers[("web/form.component.html", 4)] is None  # a literal attribute: still a finding
    assert waivers[("routes/change.ts", 1)].startswith("guard: a boolean or empty setting")
    assert waivers[("routes/change.ts", 2)] is None
    assert waivers[(".well-known/csaf/provider-metadata.json", 2)] == DIGEST
    assert waivers[(".well-known/csaf/provider-metadata.json", 3)] is None
    assert waivers[("contracts/nft.sol", 1)] == "guard: an IPFS content address (a public file's hash), not a secret"
    assert waivers[("contracts/nft.sol", 2)] is None
