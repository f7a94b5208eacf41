"""The trainers' page in a real browser: Playwright driving Debian's chromium, offline.

``scripts/browser.sh`` installs chromium with apt-get when it is missing; if it cannot, these
tests fail with its message (they never skip). Every request the page makes to anywhere but this
computer is recorded and refused: the page must work with no internet. Screenshots go to
``results/dashboard/``.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "results" / "dashboard"
LOCAL = {"127.0.0.1", "localhost", "::1"}
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
START_SECONDS = 90  # the server's start, on a busy machine
RUN_MS = 120_000  # a side by side on a busy machine


@pytest.fixture(scope="module")
def chromium() -> str:
    done = subprocess.run(
        ["sh", str(ROOT / "scripts" / "browser.sh")], capture_output=True, text=True
    )
    if done.returncode != 0:
        pytest.fail(f"no browser for the dashboard tests: {done.stderr.strip()}")
    return done.stdout.strip()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server() -> str:
    """The dashboard on a free local port, stopped (with its workers) afterwards."""
    port = _free_port()
    env = {**os.environ, "ARRIVAL_CITY_DASHBOARD_WORKERS": "2"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "experiments.cli", "dashboard", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: the server and its workers stop together
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + START_SECONDS
    try:
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the dashboard did not start: {proc.stderr.read().decode()[-2000:]}")
            time.sleep(0.5)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture(scope="module")
def browser(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


class Watch:
    """What a page asked for beyond this computer, and the errors its console printed."""

    def __init__(self) -> None:
        self.outside: list[str] = []
        self.local = 0
        self.errors: list[str] = []

    def route(self, route) -> None:
        url = route.request.url
        if url.startswith(("data:", "blob:")) or urlparse(url).hostname in LOCAL:
            self.local += 1
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()


@pytest.fixture
def page(browser, server):
    """A fresh page (its own Solara session), watched; it must end offline and error-free."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1500, "height": 1000}, accept_downloads=True)
    opened = context.new_page()
    watch = Watch()
    opened.route("**/*", watch.route)
    opened.on("console", lambda m: m.type == "error" and watch.errors.append(m.text))
    opened.on("pageerror", lambda exc: watch.errors.append(str(exc)))
    opened.goto(server)
    opened.wait_for_selector(".lesson", timeout=START_SECONDS * 1000)
    opened.watch = watch
    yield opened
    context.close()
    assert watch.outside == [], f"the page asked beyond localhost: {watch.outside}"
    assert watch.errors == [], f"console errors: {watch.errors}"


def _run_and_wait(page, previous: str | None = None) -> str:
    """Press "run side by side", wait for the figure (a new one if ``previous``); its src."""
    page.locator(".tab-compare").click()
    page.locator(".run-compare").click()
    figure = page.locator(".comparison-figure img")
    deadline = time.monotonic() + RUN_MS / 1000
    while time.monotonic() < deadline:
        if figure.count() and page.locator(".running").count() == 0:
            src = figure.get_attribute("src")
            if src and src != previous and page.locator(".run-compare").is_enabled():
                page.wait_for_timeout(300)  # the page settles before the next click
                return src
        page.wait_for_timeout(250)
    pytest.fail("the side by side did not finish in time")


def _switch_on(page, lever: str, key: str) -> None:
    """Turn a switch lever on and wait until the server has it in the variant."""
    page.locator(f".lever-{lever} .v-input--selection-controls__ripple").click()
    page.locator(".variant-changes", has_text=f"{key} = True").wait_for()


def _effects(page) -> dict[str, str]:
    cells = page.locator("table.effects td[class^=effect-]")
    return {
        cells.nth(i).get_attribute("class").removeprefix("effect-"): cells.nth(i).inner_text()
        for i in range(cells.count())
    }


def test_page_loads_offline_with_no_console_errors(page):
    assert page.locator(".lesson").count() >= 4
    assert page.locator(".page-title").inner_text() == "Arrival city — trainers' page"
    for group in ("Inflow: shape and total", "National rules", "Governance dials", "City policies"):
        assert page.get_by_text(group, exact=True).count() == 1
    assert page.get_by_text("a single reception desk that refers onwards").count() == 1
    page.wait_for_timeout(500)
    page.screenshot(path=str(SHOTS / "lessons.png"))
    assert page.watch.local > 10  # the page's scripts, styles and fonts came from this server


def test_the_tab_is_titled_before_the_page_has_loaded(server):
    with urllib.request.urlopen(server, timeout=30) as response:
        html = response.read().decode()
    assert "<title>Arrival city</title>" in html
    assert "Solara" not in html.split("<title>")[1].split("</title>")[0]


def test_moving_a_lever_and_running_changes_the_plotted_outcome(page):
    page.locator(".run-months [role=slider]").focus()
    page.keyboard.press("Home")  # the shortest horizon: 6 months
    page.get_by_text("Months: 6").wait_for()
    before = _run_and_wait(page)
    assert set(_effects(page).values()) == {"+0"}  # the same city twice: no difference
    _switch_on(page, "policies-one_stop_shop", "policies.one_stop_shop")
    after = _run_and_wait(page, before)
    assert after != before
    assert "policies.one_stop_shop = True" in page.locator(".what-differs").inner_text()
    assert _effects(page)["money"] not in ("+0", "-0")  # the one-stop shop costs money
    page.screenshot(path=str(SHOTS / "lever-moved.png"), full_page=True)


def test_side_by_side_shows_two_runs_their_difference_and_exports(page):
    page.locator(".run-months [role=slider]").focus()
    page.keyboard.press("Home")
    page.locator(".run-seeds [role=slider]").focus()
    page.keyboard.press("ArrowRight")  # two seeds: a band
    page.locator(
        ".run-seeds", has_text="Seeds (from 2: a 95 % band, narrower with more): 2"
    ).wait_for()
    _switch_on(page, "policies-one_stop_shop", "policies.one_stop_shop")
    _run_and_wait(page)
    effects = _effects(page)
    assert set(effects) == {
        "work",
        "housing",
        "waits",
        "unmet_need",
        "cohesion",
        "money",
        "coordination",
    }
    assert "[" in effects["money"]  # two seeds: an interval
    with page.expect_download() as png:
        page.get_by_text("Download PNG").click()
    assert png.value.suggested_filename == "comparison.png"
    assert Path(png.value.path()).read_bytes()[:4] == b"\x89PNG"
    with page.expect_download() as csv:
        page.get_by_text("Download CSV").click()
    rows = Path(csv.value.path()).read_text().splitlines()
    assert rows[0] == "arm,seed,month,outcome,value"
    assert {row.split(",")[0] for row in rows[1:]} == {"baseline", "variant", "difference"}
    assert len(rows) - 1 == 3 * 2 * 6 * 7  # arms x seeds x months x outcomes
    page.screenshot(path=str(SHOTS / "side-by-side.png"), full_page=True)
    page.locator(".tab-budget").click()
    page.locator("table.budget").wait_for()
    assert "one stop shop — a single reception desk" in page.locator("table.budget").inner_text()
    page.screenshot(path=str(SHOTS / "budget.png"))


def test_a_lesson_loads_and_runs_with_its_text(page):
    page.locator(".lesson-1_sudden_pulse_unfunded .load-lesson").click()
    page.locator(".read-out").wait_for(timeout=RUN_MS)
    page.locator(".comparison-figure img").wait_for(timeout=RUN_MS)
    page.locator(".running").wait_for(state="detached", timeout=RUN_MS)
    assert "for half" in page.locator(".read-out").inner_text()
    assert page.get_by_text("Unfunded (half the money)").count() >= 1
    changes = page.locator(".variant-changes").inner_text()
    assert "policies/decentralised_unfunded" in changes  # the levers' panel has the lesson
    page.screenshot(path=str(SHOTS / "lesson-sudden-pulse.png"), full_page=True)


def test_language_switch_changes_the_labels(page):
    assert page.locator(".tab-lessons").text_content().strip() == "Lessons"
    page.locator(".language-switch").click()
    page.get_by_text("Règles nationales").wait_for()
    # the tabs re-render after the panels: wait for the label rather than read it at once
    page.locator(".tab-lessons", has_text="Leçons").wait_for()
    assert page.locator(".tab-lessons").text_content().strip() == "Leçons"
    page.locator(".page-title", has_text="Ville d'arrivée — page des formateurs").wait_for()
    assert (
        page.get_by_text("Un afflux soudain dans une ville décentralisée", exact=False).count() == 1
    )
    page.screenshot(path=str(SHOTS / "french.png"))
    page.locator(".language-switch").click()
    page.get_by_text("National rules").wait_for()


def test_live_city_steps_and_resets(page):
    page.locator(".tab-city").click()
    page.locator(".live-month").wait_for(timeout=START_SECONDS * 1000)
    assert "Month 0 /" in page.locator(".live-month").inner_text()
    charts = page.locator(".live-charts img")
    empty = charts.get_attribute("src")
    page.locator(".step").click()
    page.get_by_text("Month 1 /", exact=False).wait_for()
    page.locator(".step").click()
    page.get_by_text("Month 2 /", exact=False).wait_for()
    page.wait_for_function(
        "src => document.querySelector('.live-charts img').src !== src", arg=empty
    )
    page.locator(".play").click()
    page.get_by_text("Month 3 /", exact=False).wait_for()  # playing: months go by on their own
    page.locator(".pause").click()
    page.locator(".step:not([disabled])").wait_for()
    page.screenshot(path=str(SHOTS / "live-city.png"), full_page=True)
    month = page.locator(".live-month").inner_text()
    page.wait_for_timeout(1000)
    assert page.locator(".live-month").inner_text() == month  # paused
    _switch_on(page, "policies-one_stop_shop", "policies.one_stop_shop")
    page.locator(".press-reset").wait_for()  # the city runs without the new lever until reset
    assert "Month 0 /" not in page.locator(".live-month").inner_text()
    page.locator(".reset").click()
    page.get_by_text("Month 0 /", exact=False).wait_for()
    page.locator(".press-reset").wait_for(state="detached")
