"""The look of the app: a model-driven app's frame (organisation, areas, the signed-in person) around each
page, and the few widgets its forms and grids need. Plain server-rendered HTML; every value is escaped here."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape

from starlette.responses import HTMLResponse

from dxsandbox.common.html import page
from dxsandbox.microsoft.ui.gateway import Refused

BRAND = "#002050"  # the Dynamics 365 navigation bar
PRODUCT = "Dynamics 365 (sandbox)"
AREAS = (
    ("accounts", "Accounts"),
    ("contacts", "Contacts"),
    ("products", "Products"),
    ("invoices", "Invoices"),
    ("solutions", "Solutions"),
)

_APP_STYLE = """<style>
main{max-width:1120px}input[type=tel]{width:100%;padding:8px;border:1px solid #cbd5e1;border-radius:4px;box-sizing:border-box}
input:disabled,select:disabled,textarea:disabled{background:#f3f4f6;color:#4b5563}a{color:#2b579a}h1{font-size:22px;margin:8px 0 16px}h2{font-size:17px;margin:24px 0 8px}
.topbar{display:flex;justify-content:space-between;align-items:center;gap:12px;border-bottom:1px solid #e5e7eb;padding-bottom:10px}
.topbar form{margin:0}.topbar button{margin:0}.who{color:#4b5563;font-size:13px}
nav.areas{display:flex;gap:4px;margin:10px 0 18px;flex-wrap:wrap}
nav.areas a{padding:6px 12px;border-radius:4px;text-decoration:none;color:#1f2937}nav.areas a.current{background:#e8ebfa;color:#002050;font-weight:600}
.commands{display:flex;gap:8px;align-items:flex-end;margin:0 0 12px;flex-wrap:wrap}.commands form{display:flex;gap:8px;align-items:flex-end;margin:0}
.commands input{width:260px}.commands button{margin:0}
a.button{display:inline-block;padding:8px 16px;border-radius:4px;background:var(--brand);color:#fff;text-decoration:none;font-weight:600}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:0 24px}.grid .wide{grid-column:1/-1}
textarea{width:100%;min-height:70px;padding:8px;border:1px solid #cbd5e1;border-radius:4px;box-sizing:border-box;font:inherit}
.notice{background:#e7f5ec;border-left:4px solid #107c10;padding:8px 12px;margin:0 0 12px}
.alert{background:#fde7e9;border-left:4px solid #a4262c;padding:8px 12px;margin:0 0 12px}.alert p{margin:4px 0}
.alert .code{color:#6b7280;font-size:12px}td.amount,th.amount{text-align:right;white-space:nowrap}
.summary{display:flex;gap:32px;flex-wrap:wrap;margin:0 0 8px}.summary div{min-width:120px}.summary .label{color:#6b7280;font-size:12px}
table.totals{width:auto;margin-left:auto}table.totals th{font-weight:400;color:#4b5563}tr.total td,tr.total th{font-weight:700;color:#111827}
.inline{display:inline;margin:0}.inline button{margin:0;padding:4px 10px}section.panel{border-top:1px solid #e5e7eb;margin-top:20px}
</style>"""


@dataclass(frozen=True)
class Frame:
    """Who is looking at what: shown around every page of an organisation."""

    organisation: str
    base: str  # /orgs/<unique name>
    person: str
    role: str


def app_page(title: str, body: str, *, status: int = 200) -> HTMLResponse:
    return page(title, _APP_STYLE + body, brand=BRAND, product=PRODUCT, status=status)


def framed(frame: Frame, area: str, title: str, body: str, *, notices: Sequence[str] = (), status: int = 200) -> HTMLResponse:
    links = "".join(
        f"<a href='{escape(frame.base)}/{name}'{' class=current aria-current=page' if name == area else ''}>{label}</a>"
        for name, label in AREAS
    )
    top = (
        f"<div class='topbar'><div><strong id='organisation'>{escape(frame.organisation)}</strong> "
        f"<a href='/orgs' class='muted'>Switch organisation</a></div>"
        f"<div class='who'>{escape(frame.person)} · {escape(frame.role)} "
        f"<form method='post' action='/signout' class='inline'><button type='submit' class='secondary'>Sign out</button></form>"
        f"</div></div><nav class='areas' aria-label='Areas'>{links}</nav>"
    )
    shown = "".join(f"<p class='notice' role='status'>{escape(text)}</p>" for text in notices)
    return app_page(title, top + shown + body, status=status)


def refusal(error: Refused) -> str:
    """Dynamics' own words for a refusal, headed the way its error dialogs are."""
    heading = "Insufficient permissions" if error.missing_privilege else "We couldn't do that"
    code = f"<p class='code'>Error code: {escape(error.code)}</p>" if error.code else ""
    return (
        f"<div class='alert' role='alert' id='error'><p><strong>{heading}</strong></p><p>{escape(error.message)}</p>{code}</div>"
    )


def text_input(name: str, label: str, value: str = "", *, kind: str = "text", wide: bool = False, extra: str = "") -> str:
    return (
        f"<div{' class=wide' if wide else ''}><label for='{name}'>{escape(label)}</label>"
        f"<input id='{name}' name='{name}' type='{kind}' value='{escape(value or '')}'{extra}></div>"
    )


def text_area(name: str, label: str, value: str = "") -> str:
    return (
        f"<div class='wide'><label for='{name}'>{escape(label)}</label>"
        f"<textarea id='{name}' name='{name}'>{escape(value or '')}</textarea></div>"
    )


def choices(options: Iterable[tuple[str, str]], selected: str) -> str:
    return "".join(
        f"<option value='{escape(value)}'{' selected' if value == selected else ''}>{escape(text)}</option>"
        for value, text in options
    )


def select(
    name: str,
    label: str,
    options: Iterable[tuple[str, str]],
    selected: str = "",
    *,
    blank: str | None = "--Select--",
    groups: dict[str, list[tuple[str, str]]] | None = None,
) -> str:
    inner = f"<option value=''>{escape(blank)}</option>" if blank is not None else ""
    inner += choices(options, selected)
    for group, grouped in (groups or {}).items():
        inner += f"<optgroup label='{escape(group)}'>{choices(grouped, selected)}</optgroup>"
    return f"<div><label for='{name}'>{escape(label)}</label><select id='{name}' name='{name}'>{inner}</select></div>"


def form(
    action: str, fields: str, button: str, *, multipart: bool = False, form_id: str | None = None, read_only: bool = False
) -> str:
    """A POST form of grid-laid fields; `read_only` shows them disabled, without the button (a closed record)."""
    enctype = " enctype='multipart/form-data'" if multipart else ""
    ident = f" id='{form_id}'" if form_id else ""
    submit = "" if read_only else f"<button type='submit'>{escape(button)}</button>"
    return (
        f"<form method='post' action='{escape(action)}'{enctype}{ident}><fieldset{' disabled' if read_only else ''} "
        f"style='border:0;padding:0;margin:0'><div class='grid'>{fields}</div>{submit}</fieldset></form>"
    )


def grid(headers: Sequence[str], rows: Iterable[str], *, empty: str = "No records found.", grid_id: str = "records") -> str:
    """A read-only grid; `rows` are ready `<tr>` elements. Headers starting with '$' are right-aligned amounts."""
    head = "".join(f"<th class='amount'>{escape(h[1:])}</th>" if h.startswith("$") else f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(rows) or f"<tr><td colspan='{len(headers)}' class='muted'>{escape(empty)}</td></tr>"
    return f"<table id='{grid_id}'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def cells(*values: str) -> str:
    """Table cells from ready HTML (escape text first)."""
    return "".join(f"<td>{value}</td>" for value in values)


def link(href: str, text: str) -> str:
    return f"<a href='{escape(href)}'>{escape(text or '(no name)')}</a>"


def search_box(action: str, label: str, query: str, new_href: str, new_label: str) -> str:
    return (
        f"<div class='commands'><a class='button' href='{escape(new_href)}'>{escape(new_label)}</a>"
        f"<form method='get' action='{escape(action)}' role='search'><div><label for='q'>{escape(label)}</label>"
        f"<input id='q' name='q' type='text' value='{escape(query)}'></div>"
        f"<button type='submit' class='secondary'>Search</button></form></div>"
    )
