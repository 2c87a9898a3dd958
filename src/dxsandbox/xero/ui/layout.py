"""How the app's pages look: the frame around each page and the small pieces the pages share.

Everything here returns HTML text with every value escaped; `page()` (sandbox/common/html.py) wraps it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape
from typing import Any
from urllib.parse import urlencode

from starlette.responses import HTMLResponse

from dxsandbox.common.html import page
from dxsandbox.xero.api.accounting import status
from dxsandbox.xero.api.accounting.dates import ms_to_date

PRODUCT = "Xero (sandbox)"
PAGE_SIZE = 25

# The product's own look on top of page()'s: a wider sheet, a navigation bar, tables, badges and notices.
APP_STYLE = """<style>
main{max-width:1040px}
nav.app{display:flex;gap:18px;align-items:center;margin:-8px 0 20px;padding-bottom:12px;border-bottom:1px solid #e5e7eb}
nav.app a{color:#0b78a8;text-decoration:none;font-weight:600}nav.app a.current{color:#1f2937;border-bottom:2px solid var(--brand)}
nav.app .org{font-weight:700;margin:0}nav.app .spacer{flex:1}
a{color:#0b78a8}h1{font-size:24px;margin:0 0 16px}h2{font-size:17px;margin:28px 0 8px}
td.num,th.num{text-align:right;white-space:nowrap}tr:hover td{background:#f9fafb}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;background:#e5e7eb;color:#374151}
.badge.SUBMITTED{background:#fef3c7;color:#92400e}.badge.AUTHORISED{background:#dbeafe;color:#1e40af}
.badge.PAID{background:#dcfce7;color:#166534}.badge.VOIDED,.badge.DELETED{background:#fee2e2;color:#991b1b}
.notice{background:#ecfdf5;border:1px solid #a7f3d0;color:#065f46;padding:10px 14px;border-radius:4px;margin-bottom:16px}
.errors{background:#fef2f2;border:1px solid #fecaca;color:#b91c1c;padding:10px 14px;border-radius:4px;margin-bottom:16px}
.errors ul{margin:0;padding-left:18px}
.tabs{display:flex;flex-wrap:wrap;gap:4px;margin:0 0 12px}.tabs a{padding:5px 12px;border-radius:16px;text-decoration:none;color:#374151;
background:#f3f4f6}.tabs a.current{background:var(--brand);color:#fff}
.toolbar{display:flex;gap:8px;align-items:end;margin-bottom:12px}.toolbar input{max-width:320px}.toolbar button{margin-top:0}
.facts{display:grid;grid-template-columns:repeat(4,1fr);gap:8px 16px;margin:0 0 8px}.facts dt{color:#6b7280;font-size:13px}
.facts dd{margin:0;font-weight:600}
.actions{display:flex;flex-wrap:wrap;gap:8px;align-items:center}.actions form{margin:0}.actions button{margin-top:0}
button.danger{background:#fff;color:#b91c1c;border:1px solid #fca5a5}
button.link{background:none;color:#0b78a8;padding:0;margin:0;font:inherit;font-weight:600}
.panel{border:1px solid #e5e7eb;border-radius:6px;padding:12px 16px;margin-top:16px}
.grid2{display:grid;grid-template-columns:1fr 1fr;gap:0 16px}.grid3{display:grid;grid-template-columns:1fr 1fr 2fr;gap:0 16px}
table.totals{width:auto;margin-left:auto}table.totals td{border:0;padding:3px 8px}table.totals tr.due td{font-weight:700;font-size:17px;
border-top:2px solid #1f2937}.pager{display:flex;gap:12px;align-items:center;margin-top:12px}
ul.organisations{list-style:none;padding:0}ul.organisations a{font-weight:600;font-size:17px}
</style>"""

STATUS_LABELS = {
    status.DRAFT: "Draft",
    status.SUBMITTED: "Awaiting approval",
    status.AUTHORISED: "Awaiting payment",
    status.PAID: "Paid",
    status.VOIDED: "Voided",
    status.DELETED: "Deleted",
}


@dataclass(frozen=True)
class NavLink:
    label: str
    href: str
    current: bool = False


def frame(
    title: str, body: str, *, nav: str = "", notices: Sequence[str] = (), errors: Sequence[str] = (), status_code: int = 200
) -> HTMLResponse:
    """A whole page: the navigation, what just happened (notices) or went wrong (errors), then the body."""
    return page(title, APP_STYLE + nav + notice_box(notices) + error_box(errors) + body, product=PRODUCT, status=status_code)


def navigation(heading: str, links: Iterable[NavLink], *, who: str) -> str:
    items = "".join(
        f"<a href='{escape(link.href)}'{' class=current' if link.current else ''}>{escape(link.label)}</a>" for link in links
    )
    return (
        f"<nav class='app'><p class='org'>{escape(heading)}</p>{items}<span class='spacer'></span>"
        f"<span class='muted'>{escape(who)}</span><a href='/organisations'>Switch organisation</a>"
        "<form method='post' action='/logout'><button type='submit' class='link'>Log out</button></form></nav>"
    )


def notice_box(notices: Sequence[str]) -> str:
    return "".join(f"<p class='notice' role='status'>{escape(notice)}</p>" for notice in notices)


def error_box(errors: Sequence[str]) -> str:
    if not errors:
        return ""
    return "<div class='errors' role='alert'><ul>" + "".join(f"<li>{escape(error)}</li>" for error in errors) + "</ul></div>"


# --- values -------------------------------------------------------------------------------------------
def money(value: Any) -> str:
    return f"{Decimal(str(value or 0)):,.2f}"


def figure(value: Any) -> str:
    """A quantity or unit price: two decimals at least, up to the four Xero keeps (2.00, 0.0125)."""
    whole, _, fraction = f"{Decimal(str(value or 0)):,.4f}".partition(".")
    return f"{whole}.{fraction.rstrip('0').ljust(2, '0')}"


def day(value: str | None) -> str:
    """A stored `/Date(ms+0000)/` as a person reads it: 2 Mar 2026."""
    if not value:
        return ""
    moment = ms_to_date(value)
    return f"{moment.day} {moment:%b %Y}"


def status_badge(value: str) -> str:
    code = escape(value)
    return f"<span class='badge {code}' data-status='{code}' title='{code}'>{escape(STATUS_LABELS.get(value, value))}</span>"


def text_field(label: str, name: str, value: Any, *, kind: str = "text", extra: str = "") -> str:
    shown = "" if value is None else str(value)
    return (
        f"<div><label for='{escape(name)}'>{escape(label)}</label>"
        f"<input id='{escape(name)}' name='{escape(name)}' type='{kind}' value='{escape(shown)}'{extra}></div>"
    )


def select_field(label: str, name: str, options: Iterable[tuple[str, str]], selected: str | None) -> str:
    choices = "".join(
        f"<option value='{escape(value)}'{' selected' if value == selected else ''}>{escape(text)}</option>"
        for value, text in options
    )
    return (
        f"<div><label for='{escape(name)}'>{escape(label)}</label>"
        f"<select id='{escape(name)}' name='{escape(name)}'>{choices}</select></div>"
    )


def table(headings: Sequence[tuple[str, str]], rows: Sequence[str], *, empty: str) -> str:
    """`headings` are (text, css class); rows are ready-made <tr>…</tr>."""
    if not rows:
        return f"<p class='muted' id='empty'>{escape(empty)}</p>"
    head = "".join(f"<th class='{cls}'>{escape(text)}</th>" for text, cls in headings)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


# --- lists ---------------------------------------------------------------------------------------------
def page_number(value: str | None) -> int:
    try:
        return max(1, int(value or 1))
    except ValueError:
        return 1


def page_of(records: list[Any], number: int, size: int = PAGE_SIZE) -> tuple[list[Any], int, int]:
    """One page of `records`: (the page, its number clamped to the pages there are, how many pages)."""
    pages = max(1, -(-len(records) // size))
    number = min(number, pages)
    return records[(number - 1) * size : number * size], number, pages


def pager(path: str, query: dict[str, str], number: int, pages: int, total: int) -> str:
    def link(label: str, target: int, rel: str) -> str:
        return f"<a rel='{rel}' href='{escape(path + '?' + urlencode({**query, 'page': str(target)}))}'>{label}</a>"

    previous = link("&larr; Previous", number - 1, "prev") if number > 1 else ""
    following = link("Next &rarr;", number + 1, "next") if number < pages else ""
    return (
        f"<div class='pager'>{previous}<span class='muted' id='page-info'>Page {number} of {pages} "
        f"({total} in all)</span>{following}</div>"
    )


def tabs(path: str, query: dict[str, str], name: str, options: Iterable[tuple[str, str]], current: str) -> str:
    """Filter links that keep the rest of the query (and start again at page 1)."""
    links = []
    for value, label in options:
        target = {key: item for key, item in {**query, name: value}.items() if item and key != "page"}
        href = path + ("?" + urlencode(target) if target else "")
        links.append(
            f"<a href='{escape(href)}' data-filter='{escape(value)}'{' class=current' if value == current else ''}>"
            f"{escape(label)}</a>"
        )
    return f"<div class='tabs'>{''.join(links)}</div>"


def matches(search: str, values: Iterable[Any]) -> bool:
    wanted = search.strip().casefold()
    return not wanted or any(wanted in str(value).casefold() for value in values if value)


def search_box(path: str, keep: Mapping[str, str], search: str, hint: str) -> str:
    hidden = "".join(
        f"<input type='hidden' name='{escape(key)}' value='{escape(value)}'>" for key, value in keep.items() if value
    )
    return (
        f"<form method='get' action='{escape(path)}' class='toolbar' role='search'>{hidden}"
        f"<input type='text' name='q' aria-label='Search' placeholder='{escape(hint)}' value='{escape(search)}'>"
        "<button type='submit' class='secondary'>Search</button></form>"
    )
