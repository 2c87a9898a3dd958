"""Plain HTML pages for the sandboxes' browser-facing hosts (no template engine needed)."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from starlette.responses import HTMLResponse

_STYLE = """
body{font:15px/1.5 system-ui,Segoe UI,Arial,sans-serif;background:#f4f6f8;color:#1f2937;margin:0}
header{background:var(--brand);color:#fff;padding:12px 24px;font-weight:700}
main{max-width:760px;margin:32px auto;background:#fff;border-radius:8px;padding:24px 32px;box-shadow:0 1px 3px rgba(0,0,0,.1)}
label{display:block;margin:12px 0 4px}input[type=text],input[type=email],input[type=password],input[type=number],input[type=date],select{width:100%;padding:8px;border:1px solid #cbd5e1;border-radius:4px;box-sizing:border-box}
button{margin-top:16px;padding:9px 18px;border:0;border-radius:4px;background:var(--brand);color:#fff;font-weight:600;cursor:pointer}
button.secondary{background:#fff;color:#374151;border:1px solid #cbd5e1}.error{color:#b91c1c}.muted{color:#4b5563;font-size:13px}
:focus-visible{outline:3px solid #1d4ed8;outline-offset:2px}
table{border-collapse:collapse;width:100%}td,th{padding:6px 8px;border-bottom:1px solid #e5e7eb;text-align:left}
.org{display:flex;gap:8px;align-items:center;margin:6px 0}
"""


# Xero's blue, dark enough for white text on it (4.5:1 at least; Xero's own #13b5ea gives 2.4:1).
XERO_BLUE = "#0a6f99"


def page(title: str, body: str, *, brand: str = XERO_BLUE, product: str = "Xero (sandbox)", status: int = 200) -> HTMLResponse:
    html = (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{escape(title)} · {escape(product)}</title>"
        f"<link rel='icon' href='data:,'><style>:root{{--brand:{brand}}}{_STYLE}</style></head>"
        f"<body><header>{escape(product)}</header><main>{body}</main></body></html>"
    )
    return HTMLResponse(html, status_code=status)


def hidden_fields(values: dict[str, str | None]) -> str:
    return "".join(f"<input type='hidden' name='{escape(k)}' value='{escape(v)}'>" for k, v in values.items() if v is not None)


def sign_in_hint(title: str, who: str, third_column: str, people: Iterable[tuple[str, str, str]]) -> str:
    """A table of the sandbox's own fake sign-ins (email, password, and a third column), shown under its sign-in forms
    so that a newcomer signs in without looking anything up; `who` names them in the sentence above it."""
    rows = "".join(
        f"<tr><td>{escape(email)}</td><td><code>{escape(password)}</code></td><td>{escape(third)}</td></tr>"
        for email, password, third in people
    )
    return f"""
<section id="sandbox-users" aria-labelledby="sandbox-users-title">
  <h2 id="sandbox-users-title">{escape(title)}</h2>
  <p class="muted">This sandbox's own fake {escape(who)}, with their passwords: sign in as any of them.</p>
  <table><thead><tr><th scope="col">Email address</th><th scope="col">Password</th><th scope="col">{escape(third_column)}</th></tr></thead>
  <tbody>{rows}</tbody></table>
</section>"""
