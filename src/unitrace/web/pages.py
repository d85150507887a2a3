"""Rendering the pages, with Jinja2 autoescaping: nothing a scanner or a query string sends is
ever written into a page unescaped."""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from unitrace.web.assets import asset_url

#: How each verdict looks: an icon and a headline a consumer understands (its colour is the
#: style sheet's ``verdict-<verdict>`` class).
VERDICT_LOOKS: dict[str, tuple[str, str]] = {
    "genuine": ("✓", "Authentic product"),
    "suspicious": ("!", "Please check this product"),
    "counterfeit": ("✕", "Not a genuine code"),
    "recalled": ("✕", "Recalled — do not use"),
    "expired": ("✕", "Expired — do not use"),
    "inactive": ("\u2013", "No longer for sale"),
}


@cache
def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("unitrace.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.globals["asset_url"] = asset_url
    return environment


def render_page(template: str, **context: Any) -> str:
    return _environment().get_template(template).render(**context)


def verification_page(result: Any, *, scan_url: str, code: str, storage: str | None = None) -> str:
    """The page for one verification result (``services.verification.VerificationResult``),
    with the product's storage conditions in words, if it has any."""
    icon, headline = VERDICT_LOOKS.get(result.verdict, VERDICT_LOOKS["suspicious"])
    return render_page(
        "verify.html",
        result=result,
        verdict=str(result.verdict),
        icon=icon,
        headline=headline,
        scan_url=scan_url,
        code=code,
        storage=storage,
    )


def bad_code_page(message: str) -> str:
    return render_page("bad_code.html", message=message)
