"""Alert triage in a real browser, on the demo data: an admin reads the clone alert's evidence
and scans and moves it through to closed, a reason each time, and the API agrees; a
distributor's user sees its own party's alerts only."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from tests.web.console_browser import (
    SYSTEM,
    ConsoleSite,
    assert_accessible,
    chromium,  # noqa: F401  (a fixture)
    console_site,  # noqa: F401  (a fixture)
    signed_in_page,
)
from unitrace.services.tokens import create_token

#: The demo's alerts: 1, a unit of Distributor B (Singapore) scanned in Kuala Lumpur; 2 and 3,
#: a unit of Distributor A scanned in Kuala Lumpur then London (a clone, and grey market).
CLONE = 2


def test_an_admin_triages_the_clone_alert_through_to_closed_and_the_api_agrees(
    chromium: Any,  # noqa: F811
    console_site: ConsoleSite,  # noqa: F811
) -> None:
    site = console_site
    with signed_in_page(chromium, site, "admin", then="/console/alerts") as page:
        assert page.locator("table.alerts tbody tr").count() == 3
        assert page.locator("section.cards .figure").inner_text() == "3"
        assert_accessible(page)
        page.get_by_role("link", name=f"Alert {CLONE}", exact=True).click()
        page.wait_for_url(f"{site.base}/console/alerts/{CLONE}")
        assert page.locator("h1").inner_text() == f"Alert {CLONE}: Clone new"
        evidence = page.locator("ul.evidence li").first.inner_text()
        assert evidence.startswith("Scanned in Kuala Lumpur (MY-14) at ")
        assert evidence.endswith(
            ", then in London (GB-ENG) less than a minute later: 10,546 km apart, faster than "
            "any flight."
        )
        drawn = json.loads(page.locator("[data-map] script").text_content() or "")
        assert drawn["trail"] is True
        assert [point["label"].split(" · ")[1] for point in drawn["points"]] == [
            "Kuala Lumpur (MY-14)",
            "London (GB-ENG)",
        ]
        # the demo's last two scans (after its weeks of history and the grey-market scan)
        london = _last_scan_id(site)
        assert [text.split("\n")[1] for text in timeline(page)] == [
            "Scanned in Kuala Lumpur (MY-14) genuine by demo-phone-2 · scan "
            f"{london - 1} · earlier on the unit's trail",
            "Scanned in London (GB-ENG) suspicious impossible travel, outside territory, outside "
            f"target markets by demo-phone-3 · scan {london}",
        ]
        assert_accessible(page)

        # a move without a reason is refused next to the field, and changes nothing
        page.get_by_label("Move to").select_option("investigating")
        page.get_by_role("button", name="Move the alert").click()
        error = page.locator("#reason-error")
        assert error.inner_text() == "reason: moving an alert to investigating needs a reason"
        assert page.get_by_label("Reason (required)").get_attribute("aria-describedby") == (
            "reason-error"
        )
        assert page.locator("h1 .badge").inner_text() == "new"
        assert_accessible(page)

        for status, reason in (
            ("investigating", "Asked Distributor A for the pack"),
            ("closed", "A copied label: reported to the brand's lawyers"),
        ):
            page.get_by_label("Move to").select_option(status)
            page.get_by_label("Reason (required)").fill(reason)
            page.get_by_role("button", name="Move the alert").click()
            page.wait_for_url(f"{site.base}/console/alerts/{CLONE}?moved={status}")
            assert page.get_by_role("status").inner_text() == f"Alert {CLONE} moved to {status}."
            assert page.locator("h1 .badge").inner_text() == status
            assert (
                page.locator("ol.history li")
                .last.inner_text()
                .endswith(f"Moved to {status} by {site.email('admin')}: {reason}")
            )
        assert page.get_by_role("button", name="Move the alert").count() == 0

    with site.database.unit_of_work() as uow:
        token = create_token(uow, role="admin", actor=SYSTEM)
        uow.commit()
    asked = urllib.request.Request(
        f"{site.base}/api/alerts/{CLONE}", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(asked, timeout=10) as answer:
        seen = json.load(answer)
    assert (seen["status"], seen["closed_reason"]) == (
        "closed",
        "A copied label: reported to the brand's lawyers",
    )


def timeline(page: Any) -> list[str]:
    """The scans of the alert's timeline, each as its time and, on a line, what it says."""
    return [
        " ".join(text.split()).replace(" UTC ", " UTC\n", 1)
        for text in page.locator("ol.timeline.scans li").all_inner_texts()
    ]


def test_a_distributors_user_sees_only_its_own_alerts(
    chromium: Any,  # noqa: F811
    console_site: ConsoleSite,  # noqa: F811
) -> None:
    site = console_site
    with signed_in_page(chromium, site, "dist-a", then="/console/alerts") as page:
        rows = page.locator("table.alerts tbody tr td:first-child").all_inner_texts()
        assert rows == ["Alert 3", "Alert 2"]
        assert page.locator("table.alerts tbody td:nth-child(5)").all_inner_texts() == [
            "dist-a",
            "dist-a",
        ]
        assert page.get_by_label("Party").count() == 0
        assert_accessible(page)
        page.get_by_role("link", name="Alert 3", exact=True).click()
        evidence = page.locator("ul.evidence").inner_text()
        assert "Scanned in London (GB-ENG), outside the territory of Distributor A" in evidence
        drawn = json.loads(page.locator("[data-map] script").text_content() or "")
        assert (drawn["territory"], drawn["trail"]) == (["MY-14", "MY-10"], False)
        assert page.get_by_role("button", name="Move the alert").count() == 0
        # another party's alert is not there for it
        answer = page.goto(f"{site.base}/console/alerts/1")
        assert answer is not None
        assert answer.status == 404
        assert page.get_by_role("alert").inner_text() == "alert: 1 does not exist"


def _last_scan_id(site: ConsoleSite) -> int:
    from sqlalchemy import func, select

    from unitrace.store.schema import scans

    with site.database.unit_of_work(read_only=True) as uow:
        return int(uow.connection.execute(select(func.max(scans.c.id))).scalar_one())
