"""Start detect-secrets' command line with YAML alias bombs read as plain lines, without `requests`.

Run by detect-secrets' own interpreter in place of its `detect-secrets` script (see
`detect_secrets.start`); it imports nothing from guard.

detect-secrets reads a YAML file through its YAML transformer, which expands every alias: a
billion-laughs document (juice-shop keeps one, test/files/yamlBomb.yml) took it 90 s of CPU. A YAML
file whose aliases expand past `MAX_NODES` nodes is refused by the transformer here, the way it
refuses YAML it cannot parse, and detect-secrets then scans the file's lines as text: nothing goes
unscanned.

detect-secrets imports `requests` (a third of its start-up) only to check the secrets it finds with
their services, which guard turns off (`--no-verify`): unless the command line asks for that
(`--only-verified`), a stand-in module takes its place whose every request fails as an unreachable
network would.

detect-secrets calls each plugin and filter, for every line, through `inject.call_function_with_arguments`,
which introspects the function on every call; here that is decided once per function (a tenth of its
CPU on a documentation-heavy repository, the same results).

detect-secrets gives every line to every plugin. Two dozen of them (AWS keys, tokens, private keys) do nothing
but search the line with their regular expressions, and the keyword plugin's every expression holds one of its
keywords (password, secret, api_key...); on almost every line none matches. Such a plugin is given a line here
only when one of those expressions matches it (`process_line_based_plugins`): the same results in about half the
CPU.

detect-secrets leaves out, without a word, every file that is not UTF-8, taking it for binary: a Latin-1
config file's password went unscanned. Such a file is read here as UTF-16 when it starts with its byte order
mark, else as Latin-1 (`open_text`); one with a NUL byte is still left out.

Written for the detect-secrets version guard pins (`tools/catalog.py`); another is started by its own
script.
"""

from __future__ import annotations

import os
import sys

if __name__ == "__main__" and sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
    del sys.path[0]  # this file's folder: its modules are guard's (detect_secrets.py among them), not detect-secrets'

import codecs  # noqa: E402
import inspect  # noqa: E402
import io  # noqa: E402
import re  # noqa: E402
import types  # noqa: E402
from typing import IO, Any, Callable, Iterator, List, NoReturn, Optional, Pattern, Tuple  # noqa: E402


def _offline_requests() -> types.ModuleType:
    """A `requests` whose every request fails with its `RequestException` (detect-secrets then counts a
    secret unverified, as with no network)."""
    module, exceptions = types.ModuleType("requests"), types.ModuleType("requests.exceptions")

    class RequestException(OSError):
        pass

    class Response:
        pass

    def refused(*args: Any, **kwargs: Any) -> NoReturn:
        raise RequestException("guard runs detect-secrets offline (--no-verify)")

    exceptions.RequestException = RequestException  # type: ignore[attr-defined]
    for name, value in {"exceptions": exceptions, "RequestException": RequestException, "Response": Response,
                        "request": refused, "get": refused, "post": refused, "put": refused, "head": refused}.items():
        setattr(module, name, value)
    return module


if __name__ == "__main__" and "--only-verified" not in sys.argv:
    sys.modules["requests"] = _offline_requests()
    sys.modules["requests.exceptions"] = sys.modules["requests"].exceptions  # type: ignore[attr-defined]

import yaml  # noqa: E402
from detect_secrets.main import main  # noqa: E402
from detect_secrets.transformers.exceptions import ParsingError  # noqa: E402
from detect_secrets.transformers.yaml import YAMLTransformer  # noqa: E402
from detect_secrets.audit import common as audit_common  # noqa: E402
from detect_secrets.core import scan as scan_module  # noqa: E402
from detect_secrets.filters import common as filters_common  # noqa: E402
from detect_secrets.plugins.base import BasePlugin, RegexBasedDetector  # noqa: E402
from detect_secrets.plugins.keyword import DENYLIST as KEYWORDS, KeywordDetector  # noqa: E402
from detect_secrets.types import SelfAwareCallable  # noqa: E402
from detect_secrets.util import inject  # noqa: E402

MAX_NODES = 1_000_000  # YAML nodes after alias expansion (guard's own YAML inputs stop at the same count)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def expands_past(text: str, budget: int) -> bool:
    """Whether the documents of `text`, aliases expanded, hold more than `budget` nodes (counted on
    the composed node graph, whose aliases share nodes, stopping once past the budget). The count of
    guard's own YAML inputs (`policy/inputs/structured._expanded_nodes`); this script runs in
    detect-secrets' interpreter, where guard cannot be imported."""
    try:
        roots = list(yaml.compose_all(text, Loader=_LOADER))
    except (yaml.YAMLError, RecursionError):
        return False  # the transformer refuses it itself
    seen, stack = 0, [r for r in roots if r is not None]
    while stack:
        node = stack.pop()
        seen += 1
        if seen > budget:
            return True
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.extend((key, value))
    return False


_parse_file = YAMLTransformer.parse_file


def parse_file(self: YAMLTransformer, file: Any) -> List[str]:
    text = file.read()
    file.seek(0)
    if expands_past(text if isinstance(text, str) else text.decode("utf-8", "replace"), MAX_NODES):
        raise ParsingError
    return _parse_file(self, file)


YAMLTransformer.parse_file = parse_file  # type: ignore[method-assign]


def call_function_with_arguments(func: Callable[..., Any], **kwargs: Any) -> Any:
    """detect-secrets' `inject.call_function_with_arguments` with its introspection done once per function
    instead of on every call: `func` called with those of `kwargs` it takes. It runs for every line, plugin
    and filter; the introspection (a runtime Protocol check, `inspect.ismethod`, set algebra) was about
    two fifths of detect-secrets' CPU."""
    plan = _PLANS.get(func)
    if plan is None:
        if len(_PLANS) > _PLANS_MAX:
            _PLANS.clear()
        plan = _PLANS[func] = _plan(func)
    target, names = plan
    return target(**{name: kwargs[name] for name in names if name in kwargs})


def _plan(func: Callable[..., Any]) -> tuple[Callable[..., Any], frozenset[str]]:
    """What to call and which arguments it takes, as `inject.call_function_with_arguments` decides (and with
    its side effect: the function is made self-aware, its `path` set)."""
    function = func if isinstance(func, SelfAwareCallable) else inject.make_function_self_aware(func)
    names = frozenset(function.injectable_variables)  # type: ignore[attr-defined]
    if inspect.ismethod(func):  # the bound method itself, its instance already bound
        return func, names - {inject.get_injectable_variables(func)[0]}
    return function, names


_PLANS: dict[Any, tuple[Callable[..., Any], frozenset[str]]] = {}
_PLANS_MAX = 100_000  # bound methods of plugin instances are keys: a bound on what they hold
for _module in (inject, scan_module, filters_common, audit_common):
    _module.call_function_with_arguments = call_function_with_arguments  # type: ignore[attr-defined]


class _Text(io.StringIO):
    """A file's text, as `open` would give it, with the file's `name`."""

    def __init__(self, text: str, name: str) -> None:
        super().__init__(text, newline=None)  # (universal newlines, as a file opened for text)
        self.name = name


def open_text(file: str, *args: Any, **kwargs: Any) -> IO[str]:
    """`open` for detect-secrets' scan module (it opens each file to scan with `open(filename)`), but a text file
    that is not UTF-8 is read as what it is instead of raising the UnicodeDecodeError that made detect-secrets
    leave the file out as binary, silently: UTF-16 with its byte order mark (Windows PowerShell's `Out-File`
    writes it), else Latin-1 (Windows-1252 alike) unless a NUL byte in its first 8 KB says binary."""
    if args or kwargs:
        return open(file, *args, **kwargs)
    with open(file, "rb") as fh:
        data = fh.read()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            try:
                return _Text(data.decode("utf-16"), file)
            except UnicodeDecodeError:
                pass
        if b"\0" not in data[:8192]:
            return _Text(data.decode("latin-1"), file)
    return open(file, encoding="utf-8")


scan_module.open = open_text  # type: ignore[attr-defined]


def line_patterns(plugin: Any) -> Optional[Tuple[Pattern[str], ...]]:
    """Regular expressions one of which matches every line `plugin` reports a secret on, where that is known: a
    plugin that only searches its `denylist` (detect-secrets' `RegexBasedDetector` as it is), and the keyword
    plugin, each of whose expressions holds one of its keywords (some ignoring case); None for any other."""
    kind = type(plugin)
    if kind is KeywordDetector:
        return (_KEYWORDS,)
    if (isinstance(plugin, RegexBasedDetector) and kind.analyze_string is RegexBasedDetector.analyze_string
            and kind.analyze_line is BasePlugin.analyze_line):
        return tuple(plugin.denylist)
    return None


_KEYWORDS = re.compile("|".join(KEYWORDS), re.IGNORECASE)


def process_line_based_plugins(lines: List[Tuple[int, str]], filename: str) -> Iterator[Any]:
    """detect-secrets' `scan._process_line_based_plugins`, but a plugin is not given a line none of its
    `line_patterns` matches (it would report nothing there): one pass of all of them over the line first, as
    almost no line matches any."""
    line_content = [line[1] for line in lines]
    plugins = [(plugin, line_patterns(plugin)) for plugin in scan_module.get_plugins()]
    searched = [pattern for _, patterns in plugins if patterns is not None for pattern in patterns]
    for line_number, line in lines:
        scan_module.log.debug(f"Processing {filename}:{line_number}")
        line = line.rstrip()
        code_snippet = scan_module.get_code_snippet(lines=line_content, line_number=line_number)
        if scan_module._is_filtered_out(required_filter_parameters=["line"], filename=filename, line=line,
                                        context=code_snippet):
            continue
        matched = any(pattern.search(line) for pattern in searched)
        for plugin, patterns in plugins:
            if patterns is not None and not (matched and any(pattern.search(line) for pattern in patterns)):
                continue
            for secret in scan_module._scan_line(plugin=plugin, filename=filename, line=line, line_number=line_number,
                                                 context=code_snippet):
                if not scan_module._is_filtered_out(required_filter_parameters=["context"], filename=secret.filename,
                                                    secret=secret.secret_value, plugin=plugin, line=line,
                                                    context=code_snippet):
                    yield secret


scan_module._process_line_based_plugins = process_line_based_plugins  # type: ignore[attr-defined]

if __name__ == "__main__":
    sys.argv[0] = "detect-secrets"
    sys.exit(main())
