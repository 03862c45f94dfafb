"""The interactive page in a real headless browser (Debian's chromium driven by playwright).

Skipped, with the reason, where playwright or a chromium binary is missing (``.ci/run`` installs
chromium with apt; playwright's own browser download is not needed).
"""

from __future__ import annotations

import os
import shutil

import numpy as np
import pytest

from vectab.viz import to_html

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the python package playwright is not installed"
)


def chromium_path() -> str:
    for candidate in (
        os.environ.get("VECTAB_CHROMIUM"),
        "chromium",
        "chromium-browser",
        "google-chrome",
    ):
        found = candidate and shutil.which(candidate)
        if found:
            return found
    pytest.skip("no chromium binary found (apt-get install chromium, or set VECTAB_CHROMIUM)")


WORDS = [
    "king",
    "queen",
    "prince",
    "man",
    "woman",
    "</script>",
    'say "hi"',
    "paris",
    "rome",
    "one",
    "two",
    "three",
]


def page_file(folder):
    rng = np.random.default_rng(0)
    m = rng.normal(size=(len(WORDS), 10))
    m[1] = m[0] + 0.1 * rng.normal(size=10)  # queen next to king
    m[2] = m[0] + 0.2 * rng.normal(size=10)  # prince too
    groups = {"royalty": ["king", "queen", "prince"], "numbers": ["one", "two", "three"]}
    out = folder / "page.html"
    to_html((WORDS, m), WORDS, groups=groups, neighbors=2, out=out, title="test page")
    return out


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    path = chromium_path()
    with sync_api.sync_playwright() as p:
        try:
            browser = p.chromium.launch(executable_path=path, args=["--no-sandbox"])
        except Exception as exc:  # a browser that cannot start here is not a vectab failure
            pytest.skip(f"chromium at {path} could not start: {exc}")
        yield browser, page_file(tmp_path_factory.mktemp("page")).as_uri()
        browser.close()


@pytest.fixture
def browser_page(browser):
    browser, url = browser
    page = browser.new_page(viewport={"width": 1100, "height": 800})
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "request",
        lambda req: (
            None if req.url.startswith(("file:", "data:")) else errors.append(f"request {req.url}")
        ),
    )
    page.goto(url)
    yield page, errors
    page.close()


def words_of(page, selector: str) -> list[str]:
    return page.eval_on_selector_all(
        selector, "els => els.map(e => window.vectab.data.words[+e.dataset.i])"
    )


def test_page_loads_with_every_point_and_no_errors(browser_page):
    page, errors = browser_page
    assert page.title() == "test page"
    assert page.locator("circle.pt").count() == len(WORDS)
    assert page.eval_on_selector("#vectab-data", "e => JSON.parse(e.textContent).words") == WORDS
    # every point is drawn inside the picture
    boxes = page.eval_on_selector_all(
        "circle.pt", "els => els.map(e => [+e.getAttribute('cx'), +e.getAttribute('cy')])"
    )
    width, height = page.eval_on_selector("#plot", "e => [e.clientWidth, e.clientHeight]")
    assert all(0 <= x <= width and 0 <= y <= height for x, y in boxes)
    assert errors == []


def test_search_highlights_the_word_and_its_neighbours(browser_page):
    page, errors = browser_page
    page.fill("#search", "king")
    assert words_of(page, "circle.pt.hit") == ["king"]
    assert sorted(words_of(page, "circle.pt.nbr")) == ["prince", "queen"]
    assert page.inner_text("#neighbors").split()[::2] == ["queen", "prince"]
    assert page.eval_on_selector_all("text.lbl.hit", "els => els.map(e => e.textContent)") == [
        "king"
    ]
    page.fill("#search", "</script>")  # a word that would break a naive page
    assert words_of(page, "circle.pt.hit") == ["</script>"]
    page.fill("#search", "QUEEN")  # case-insensitive fallback
    assert words_of(page, "circle.pt.hit") == ["queen"]
    page.fill("#search", "zebra")
    assert "not in this picture" in page.inner_text("#status")
    page.keyboard.press("Escape")
    assert words_of(page, "circle.pt.hit") == []
    assert errors == []


def test_hover_shows_the_word(browser_page):
    page, errors = browser_page
    for word in ('say "hi"', "one"):
        i = WORDS.index(word)
        page.hover(f'circle.pt[data-i="{i}"]')
        assert page.inner_text("#tip").split("\n")[0] == word
        assert page.is_visible("#tip")
    assert page.inner_text("#tip") == "one\nnumbers"
    assert errors == []


def test_wheel_zooms_and_drag_pans(browser_page):
    page, errors = browser_page
    before = page.evaluate("window.vectab.view()")
    box = page.locator("#plot").bounding_box()
    page.mouse.move(box["x"] + 100, box["y"] + 100)
    page.mouse.wheel(0, -500)
    zoomed = page.evaluate("window.vectab.view()")
    assert zoomed["s"] > before["s"] * 1.5
    page.mouse.down()
    page.mouse.move(box["x"] + 160, box["y"] + 130, steps=4)
    page.mouse.up()
    panned = page.evaluate("window.vectab.view()")
    assert panned["ox"] == pytest.approx(zoomed["ox"] + 60) and panned["oy"] == pytest.approx(
        zoomed["oy"] + 30
    )
    page.click("#reset")
    assert page.evaluate("window.vectab.view()") == before
    assert errors == []
