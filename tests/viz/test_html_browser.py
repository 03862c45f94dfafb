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


def big_words(n: int = 400) -> tuple[list[str], np.ndarray]:
    """A frequency-sorted vocabulary (stop words first, as in GloVe) with 'paris', 'party' and
    'part' among words in 6 blobs: the page labels a subset and zooming reveals more."""
    rng = np.random.default_rng(0)
    words = ["the", ",", "of", "part", "party"] + [f"w{i}" for i in range(n - 6)] + ["paris"]
    centres = rng.normal(size=(6, 12)) * 2
    m = centres[rng.integers(6, size=n)] + rng.normal(size=(n, 12))
    return words, m


@pytest.fixture(scope="module")
def big_url(tmp_path_factory):
    words, m = big_words()
    out = tmp_path_factory.mktemp("big") / "big.html"
    to_html((words, m), words, neighbors=3, out=out, title="big page")
    return out.as_uri()


@pytest.fixture
def big_page(browser, big_url):
    browser, _ = browser
    page = browser.new_page(viewport={"width": 1100, "height": 800})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(big_url)
    yield page, errors
    page.close()


def shown_labels(page) -> list[dict]:
    """The label elements on the page: word, point index and the box the browser drew."""
    return page.eval_on_selector_all(
        "text.lbl",
        """els => els.map(e => { const b = e.getBBox(); return {word: e.textContent,
            i: +e.dataset.i, x: b.x, y: b.y, w: b.width, h: b.height}; })""",
    )


def test_labels_at_load_are_important_words_without_overlap(big_page):
    page, errors = big_page
    words, _ = big_words()
    labels = shown_labels(page)
    assert 8 <= len(labels) < len(words) // 4  # a readable subset, not 400 labels
    got = [lab["word"] for lab in labels]
    assert not {"the", ",", "of"} & set(got)  # stop words and punctuation are not labelled
    assert {"part", "party"} <= set(got)  # the most frequent words are
    ranks = sorted(words.index(w) for w in got)
    assert np.median(ranks) < len(words) / 3  # mostly frequent words
    width, height = page.eval_on_selector("#plot", "e => [e.clientWidth, e.clientHeight]")
    for a in labels:
        assert 0 <= a["x"] and a["x"] + a["w"] <= width + 1 and 0 <= a["y"] <= height
    for k, a in enumerate(labels):
        for b in labels[k + 1 :]:
            assert (
                a["x"] + a["w"] <= b["x"]
                or b["x"] + b["w"] <= a["x"]
                or a["y"] + a["h"] <= b["y"]
                or b["y"] + b["h"] <= a["y"]
            ), (a, b)
    # no groups given: k-means clusters, k = sqrt(400 / 10) ~ 6, named by their frequent words
    assert page.inner_text("aside h2 >> nth=0").lower() == "clusters (k-means)"
    assert page.locator("#legend div").count() == 6
    assert errors == []


def test_search_is_case_insensitive_with_prefix_matches(big_page):
    page, errors = big_page
    page.fill("#search", "Paris")  # the vectors have 'paris'
    assert words_of(page, "circle.pt.hit") == ["paris"]
    assert "not in this picture" not in page.inner_text("#status")
    page.fill("#search", "Par")  # no such word: the words that start with it, frequent first
    assert page.inner_text("#matches").split("\n") == ["part", "party", "paris"]
    assert words_of(page, "circle.pt.hit") == []
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")  # picks 'party' and centres it
    assert words_of(page, "circle.pt.hit") == ["party"]
    assert page.input_value("#search") == "party"
    i = big_words()[0].index("party")
    cx, cy = page.eval_on_selector(
        f'circle.pt[data-i="{i}"]', "e => [+e.getAttribute('cx'), +e.getAttribute('cy')]"
    )
    width, height = page.eval_on_selector("#plot", "e => [e.clientWidth, e.clientHeight]")
    assert cx == pytest.approx(width / 2, abs=1) and cy == pytest.approx(height / 2, abs=1)
    assert page.eval_on_selector_all("text.lbl.hit", "els => els.map(e => e.textContent)") == [
        "party"
    ]
    page.fill("#search", "PAR")
    page.click("#matches li:nth-child(3)")  # a click picks too
    assert words_of(page, "circle.pt.hit") == ["paris"]
    page.fill("#search", "zebra")
    assert "not in this picture" in page.inner_text("#status")
    assert errors == []


def test_zooming_in_reveals_more_labels(big_page):
    page, errors = big_page
    width, height = page.eval_on_selector("#plot", "e => [e.clientWidth, e.clientHeight]")
    box = page.locator("#plot").bounding_box()
    points = np.array(
        page.eval_on_selector_all(
            "circle.pt", "els => els.map(e => [+e.getAttribute('cx'), +e.getAttribute('cy')])"
        )
    )
    crowd = (np.linalg.norm(points[:, None] - points[None], axis=2) < 60).sum(axis=1)
    mx, my = points[int(crowd.argmax())]  # zoom into the most crowded place

    before = page.evaluate("window.vectab.labels()")
    s0 = page.evaluate("window.vectab.view()")["s"]
    page.mouse.move(box["x"] + mx, box["y"] + my)
    for _ in range(3):
        page.mouse.wheel(0, -300)
    f = page.evaluate("window.vectab.view()")["s"] / s0
    assert f > 2

    def shown_after_zoom(p):  # the wheel keeps the point under the mouse in place
        x, y = mx + (p["px"] - mx) * f, my + (p["py"] - my) * f
        return 0 <= x <= width and 0 <= y <= height

    region = [p for p in before if shown_after_zoom(p)]
    after = page.evaluate("window.vectab.labels()")
    assert len(shown_labels(page)) == len(after)
    assert len(after) >= 2 * len(region) + 4  # the same area now holds more labels
    assert {p["word"] for p in region} <= {p["word"] for p in after}  # none lost on the way
    assert len(after) <= len(before) + 10  # about as many per screen as before: readable
    page.click("#reset")
    assert len(page.evaluate("window.vectab.labels()")) == len(before)
    for _ in range(2):
        page.click("#zoomin")  # the + button zooms too
    assert page.evaluate("window.vectab.view()")["s"] == pytest.approx(s0 * 2.25)
    assert errors == []
