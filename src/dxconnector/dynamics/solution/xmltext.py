"""Building XML elements and writing them the way Dataverse exports do.

Dataverse (.NET's XmlWriter) writes two-space indentation, CRLF line ends, `<a />` for an element with
nothing in it and `<a></a>` for one whose text is empty, and no XML declaration in solution.xml or
customizations.xml. We write the same, byte for byte stable, so the zip is reproducible.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element

XSI = "http://www.w3.org/2001/XMLSchema-instance"


def element(tag: str, text: str | int | None = None, /, **attributes: str | int) -> Element:
    """An element with text (None: nothing at all) and attributes in the order given."""
    node = Element(tag, {name.replace("__", ":"): str(value) for name, value in attributes.items()})
    if text is not None:
        node.text = str(text)
    return node


def child(parent: Element, tag: str, text: str | int | None = None, /, **attributes: str | int) -> Element:
    node = element(tag, text, **attributes)
    parent.append(node)
    return node


def children(parent: Element, pairs: list[tuple[str, str | int | None]]) -> None:
    """Simple `<Tag>value</Tag>` children, in order."""
    for tag, value in pairs:
        child(parent, tag, value)


def flag(value: bool) -> str:
    return "1" if value else "0"


def labels(parent: Element, container: str, item: str, text: str, language: int) -> Element:
    """`<displaynames><displayname description=".." languagecode="1033" /></displaynames>` and the like."""
    node = child(parent, container)
    child(node, item, description=text, languagecode=language)
    return node


def _attribute_value(value: str) -> str:
    return (
        value.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("\r", "&#xD;")
        .replace("\n", "&#xA;")
        .replace("\t", "&#x9;")
    )


def _text_value(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _lines(node: Element, depth: int, out: list[str]) -> None:
    indent = "  " * depth
    attributes = "".join(f' {name}="{_attribute_value(value)}"' for name, value in node.attrib.items())
    kids = list(node)
    if kids:
        out.append(f"{indent}<{node.tag}{attributes}>")
        for kid in kids:
            _lines(kid, depth + 1, out)
        out.append(f"{indent}</{node.tag}>")
    elif node.text is None:
        out.append(f"{indent}<{node.tag}{attributes} />")
    else:
        out.append(f"{indent}<{node.tag}{attributes}>{_text_value(node.text)}</{node.tag}>")


def serialize(root: Element) -> bytes:
    """UTF-8 bytes, no declaration, CRLF line ends (mixed content is not supported: we never need it)."""
    out: list[str] = []
    _lines(root, 0, out)
    return "\r\n".join(out).encode("utf-8")
