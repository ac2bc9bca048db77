"""Screenshots of the pages a collector and a lead use, in zh-Hans, for the README.

    make demo                                   # in one terminal: the demo on http://127.0.0.1:8000
    .venv/bin/python scripts/screenshots.py     # in another: writes docs/screenshots/*.png

Drives Debian's Chromium through Playwright (never `playwright install`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
OUT = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
PASSWORD = "arrears-demo"


def _log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--language", default="zh-hans")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    host = args.base.split("//", 1)[1].split(":")[0]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        for user, shots in (("collector", ("workbench", "case-page")), ("lead", ("lead-page",))):
            context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
            context.add_cookies([{"name": "django_language", "value": args.language, "domain": host, "path": "/"}])
            page = context.new_page()
            _log_in(page, args.base, user)
            for shot in shots:
                if shot == "workbench":
                    page.goto(f"{args.base}/work/")
                elif shot == "case-page":
                    page.goto(f"{args.base}/work/")
                    page.locator("a[href*='/cases/']").first.click()
                else:
                    page.goto(f"{args.base}/team/")
                page.wait_for_load_state("networkidle")
                page.screenshot(path=str(OUT / f"{shot}-{args.language}.png"), full_page=True)
                print(OUT / f"{shot}-{args.language}.png")
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
