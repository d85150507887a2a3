"""Signing in to the console in a real browser, and out again."""

from __future__ import annotations

from typing import Any

from tests.web.console_browser import (
    PASSWORD,
    ConsoleSite,
    assert_accessible,
    chromium,  # noqa: F401  (a fixture)
    console_site,  # noqa: F401  (a fixture)
    watched_page,
)


def test_a_person_signs_in_with_a_wrong_then_the_right_password_and_signs_out(
    chromium: Any,  # noqa: F811
    console_site: ConsoleSite,  # noqa: F811
) -> None:
    opened, page, watch = watched_page(chromium)
    site = console_site
    try:
        # the console sends a stranger to the sign-in form, which brings them back afterwards
        page.goto(f"{site.base}/console?period=7")
        assert page.url == f"{site.base}/console/login?next=/console%3Fperiod%3D7"
        assert page.locator("h1").inner_text() == "unitrace console"
        assert_accessible(page)
        page.get_by_label("Email").fill(site.email("admin"))
        page.get_by_label("Password").fill("not the password")
        page.get_by_role("button", name="Sign in").click()
        assert page.get_by_role("alert").inner_text() == "the email or password is not right"
        # the email typed is kept, the password is not
        assert page.get_by_label("Email").input_value() == site.email("admin")
        assert page.get_by_label("Password").input_value() == ""
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{site.base}/console?period=7")
        page.goto(f"{site.base}/console")
        assert page.locator("header .user").inner_text().startswith(site.email("admin"))
        shown = page.locator("nav.sections a").all_inner_texts()
        assert shown == [
            "Overview",
            "Scans",
            "Alerts",
            "Products",
            "Serial requests",
            "Parties",
            "Trace",
            "Recalls",
            "Cold chain",
        ]
        assert page.locator("nav.sections a[aria-current=page]").inner_text() == "Overview"
        assert_accessible(page)
        cookies = {c["name"]: c for c in opened.cookies()}
        session = cookies["unitrace_session"]
        assert (session["httpOnly"], session["sameSite"], session["path"]) == (
            True,
            "Lax",
            "/console",
        )
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url(f"{site.base}/console/login")
        page.goto(f"{site.base}/console")
        assert page.url == f"{site.base}/console/login?next=/console"
        watch.check()
    finally:
        opened.close()


def test_a_distributors_user_sees_the_sections_of_its_role(
    chromium: Any,  # noqa: F811
    console_site: ConsoleSite,  # noqa: F811
) -> None:
    from tests.web.console_browser import signed_in_page

    with signed_in_page(chromium, console_site, "dist-a") as page:
        assert page.locator("header .role").inner_text() == "distributor · dist-a"
        shown = page.locator("nav.sections a").all_inner_texts()
        assert shown == [
            "Overview",
            "Scans",
            "Alerts",
            "Products",
            "Parties",
            "Trace",
            "Recalls",
            "Cold chain",
        ]
