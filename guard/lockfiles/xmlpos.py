"""XML with line numbers, parsed without DTDs or entities (defusedxml): a small element tree whose
nodes know the line their start tag is on; and the property references of XML build files."""

from __future__ import annotations

import re
import xml.sax
from dataclasses import dataclass, field
from typing import Iterable, Iterator, Mapping

from guard.lockfiles.base import LockfileError


@dataclass(slots=True)
class Element:
    tag: str  # local name, without a namespace prefix
    attrs: dict[str, str]
    line: int
    children: list["Element"] = field(default_factory=list)
    text: str = ""

    def child(self, tag: str) -> "Element | None":
        return next((c for c in self.children if c.tag == tag), None)

    def child_text(self, tag: str) -> str | None:
        found = self.child(tag)
        return found.text.strip() if found is not None else None

    def iter(self, tag: str) -> Iterator["Element"]:
        """Every element named `tag` below this one, in document order."""
        for c in self.children:
            if c.tag == tag:
                yield c
            yield from c.iter(tag)


class _Builder(xml.sax.ContentHandler):
    def __init__(self) -> None:
        super().__init__()
        self.root: Element | None = None
        self.stack: list[Element] = []
        self.locator: xml.sax.xmlreader.Locator | None = None

    def setDocumentLocator(self, locator: xml.sax.xmlreader.Locator) -> None:  # noqa: N802 (SAX API)
        self.locator = locator

    def startElement(self, name: str, attrs: xml.sax.xmlreader.AttributesImpl) -> None:  # noqa: N802
        line = self.locator.getLineNumber() if self.locator is not None else 0
        node = Element(name.rsplit(":", 1)[-1], {k.rsplit(":", 1)[-1]: v for k, v in attrs.items()}, line)
        if self.stack:
            self.stack[-1].children.append(node)
        else:
            self.root = node
        self.stack.append(node)

    def endElement(self, name: str) -> None:  # noqa: N802
        self.stack.pop()

    def characters(self, content: str) -> None:
        if self.stack:
            self.stack[-1].text += content


def load(text: str, path: str) -> Element:
    """The document's root element; malformed XML, DTDs and entities are LockfileErrors naming the line."""
    from defusedxml import DefusedXmlException  # with its SAX reader (and urllib) only where XML is read
    from defusedxml.sax import parseString

    builder = _Builder()
    try:
        parseString(text.encode("utf-8"), builder, forbid_dtd=True)
    except xml.sax.SAXParseException as exc:
        raise LockfileError(f"{path}:{exc.getLineNumber()}: invalid XML: {exc.getMessage()}") from None
    except DefusedXmlException as exc:
        raise LockfileError(f"{path}: XML with a DTD or entities is not read ({type(exc).__name__})") from None
    if builder.root is None:
        raise LockfileError(f"{path}:1: no XML element")
    return builder.root


# How a build file refers to a property: the pattern (group 1 names it) and how a reference opens.
MSBUILD = (re.compile(r"\$\(([A-Za-z_][\w.-]*)\)"), "$(")
MAVEN = (re.compile(r"\$\{([^}]+)\}"), "${")


def properties(groups: Iterable[Element]) -> dict[str, str]:
    """Property name -> value: the children of property groups (MSBuild's <PropertyGroup>, Maven's <properties>)."""
    return {p.tag: p.text.strip() for group in groups for p in group.children}


def expand(value: str | None, syntax: tuple[re.Pattern[str], str], known: Mapping[str, str]) -> str | None:
    """`value` with property references replaced (a few levels deep); None if one stays unresolved."""
    if value is None:
        return None
    reference, opener = syntax
    for _ in range(5):
        if opener not in value:
            return value
        value = reference.sub(lambda m: known.get(m.group(1), m.group(0)), value)
    return None if opener in value else value
