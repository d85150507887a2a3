"""Rendering the pages, with Jinja2 autoescaping: nothing a scanner or a query string sends is
ever written into a page unescaped."""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

#: How each verdict looks: a colour, an icon and a headline a consumer understands.
VERDICT_LOOKS: dict[str, tuple[str, str, str]] = {
    "genuine": ("#1b7f3b", "✓", "Authentic product"),
    "suspicious": ("#b25e00", "!", "Please check this product"),
    "counterfeit": ("#b3261e", "✕", "Not a genuine code"),
    "recalled": ("#b3261e", "✕", "Recalled — do not use"),
    "expired": ("#b3261e", "✕", "Expired — do not use"),
    "inactive": ("#5f6368", "\u2013", "No longer for sale"),
}


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("unitrace.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_page(template: str, **context: Any) -> str:
    return _environment().get_template(template).render(**context)


def verification_page(result: Any, *, scan_url: str, code: str) -> str:
    """The page for one verification result (``services.verification.VerificationResult``)."""
    colour, icon, headline = VERDICT_LOOKS.get(result.verdict, VERDICT_LOOKS["suspicious"])
    return render_page(
        "verify.html",
        result=result,
        verdict=str(result.verdict),
        colour=colour,
        icon=icon,
        headline=headline,
        scan_url=scan_url,
        code=code,
    )


def bad_code_page(message: str) -> str:
    return render_page("bad_code.html", message=message)
