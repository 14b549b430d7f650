"""Full-page screenshots of every page at 1400x900, on the seeds, on the UK COVID speeches, on
the Kavanaugh tweets and on the BBC news articles, with each page's length in screens (900 px each).

    .venv/bin/python scripts/screens.py [--out artifacts/screens] [--only seeds|covid|tweets|bbc]

Starts its own ``streamlit run app.py`` on a free port, loads a shared corpus through the
Corpus page's uploader (as a visitor would), visits every page through the navigation and
prints ``corpus page screens``. The corpora are read from ../shared and never copied.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))

import streamlit_ui as ui  # noqa: E402

SHARED = ROOT.parent / "shared" / "corpora"
#: Uploaded corpora: file, and the number of documents the Corpus page shows once it is loaded.
UPLOADS = {"covid": (SHARED / "uk-covid-opposition" / "uk_covid_opposition_speeches.csv.gz", "493"),
           "tweets": (SHARED / "kavanaugh-tweets-sentiment" / "kavanaugh_tweets_sentiment.csv.gz", "1,338"),
           "bbc": (SHARED / "bbc-news-full" / "bbc_news_full.csv.gz", "2,225")}
VIEW = {"width": 1400, "height": 900}


def page_height(page) -> int:
    return int(page.evaluate("""() => Math.max(...['stMain', 'stAppViewContainer']
        .map(t => document.querySelector(`[data-testid="${t}"]`)).filter(Boolean).map(e => e.scrollHeight))"""))


def shoot(page, out: Path, name: str) -> None:
    height = page_height(page)
    page.set_viewport_size({"width": VIEW["width"], "height": min(height + 40, 12_000)})
    page.wait_for_timeout(600)
    page.screenshot(path=str(out / f"{name}.png"), full_page=True)
    page.set_viewport_size(VIEW)
    print(f"{name}: {height} px = {height / VIEW['height']:.1f} screens", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=str(ROOT / "artifacts" / "screens"))
    ap.add_argument("--only", choices=["seeds", *UPLOADS])
    ap.add_argument("--pages", nargs="*")
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    proc, url = ui.start_server(ROOT, ROOT / "artifacts" / "screens-server.log")
    try:
        ui.wait_healthy(url, proc, 120)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
            for corpus in ("seeds", *UPLOADS):
                if args.only and corpus != args.only:
                    continue
                ctx = browser.new_context(viewport=VIEW)
                ctx.add_init_script(ui.INIT_JS)
                page = ctx.new_page()
                ui.goto(page, url)
                if corpus in UPLOADS:
                    path, count = UPLOADS[corpus]
                    ui.click_nav(page, "Corpus")
                    ui.rerun(page, lambda: page.locator('input[type="file"]').set_input_files(str(path)),
                             timeout_ms=600_000)
                    page.wait_for_function(f"() => document.body.innerText.includes('{count}')", timeout=600_000)
                    ui.wait_idle(page, 600_000)
                for _path, label in ui.nav_links(page):
                    if args.pages and label not in args.pages:
                        continue
                    ui.click_nav(page, label, timeout_ms=900_000)
                    ui.wait_idle(page, 900_000)
                    shoot(page, out, f"{corpus}-{label.split()[0].lower()}")
                ctx.close()
            browser.close()
    finally:
        ui.stop_server(proc)


if __name__ == "__main__":
    main()
