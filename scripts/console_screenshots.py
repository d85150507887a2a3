"""Screenshots of the console's main pages for docs/ and the README, taken from the demo data
as ``make run`` shows it: ``.venv/bin/python scripts/console_screenshots.py`` (needs Debian's
Chromium at /usr/bin/chromium). Writes ``docs/screenshots/console-*.png``."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
UNITRACE = str(Path(sys.executable).with_name("unitrace"))
#: (file name, path, what to wait for) of each screenshot, signed in as the brand's admin.
PAGES = [
    ("console-overview", "/console", "main h1"),
    ("console-scans", "/console/scans", "main h1"),
    ("console-alerts", "/console/alerts", "main h1"),
    ("console-alert", "/console/alerts/1", "main h1"),
    ("console-lot", "/console/lots/09506000134352/L2611A", "main h1"),
    ("console-serial-requests", "/console/serial-requests", "main h1"),
    ("console-party", "/console/parties/dist-a", "main h1"),
]


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        base = f"http://127.0.0.1:{port}"
        env = {**os.environ, "UNITRACE_DATABASE_URL": f"sqlite:///{folder}/unitrace.db",
               "UNITRACE_RESOLVER_BASE": base}  # fmt: skip
        printed = subprocess.run(
            [UNITRACE, "demo", "--url", base], env=env, check=True, capture_output=True, text=True
        ).stdout
        found = re.search(r"^  (admin@\S+)  password: (\S+)", printed, re.MULTILINE)
        assert found, printed
        email, password = found.groups()
        server = subprocess.Popen([UNITRACE, "serve", "--port", str(port)], env=env)
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"{base}/health", timeout=1)
                    break
                except OSError:
                    time.sleep(0.2)
            shoot(base, email, password)
        finally:
            server.terminate()
            server.wait(10)


def shoot(base: str, email: str, password: str) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox"]
        )
        page = browser.new_page(viewport={"width": 1280, "height": 860})
        page.goto(f"{base}/console/login")
        page.screenshot(path=OUT / "console-sign-in.png")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{base}/console")
        for name, path, ready in PAGES:
            answer = page.goto(f"{base}{path}")
            if answer is None or answer.status != 200:
                print(f"skipped {path}: {answer.status if answer else 'no answer'}")
                continue
            page.locator(ready).first.wait_for()
            page.wait_for_timeout(800)  # charts and maps draw after the page has loaded
            page.screenshot(path=OUT / f"{name}.png", full_page=True)
            print(f"wrote docs/screenshots/{name}.png")
        browser.close()


if __name__ == "__main__":
    main()
