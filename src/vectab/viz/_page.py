"""The interactive page's template: HTML, CSS and JavaScript in one string, nothing external.

``/*VECTAB_TITLE*/`` (escaped HTML) and ``/*VECTAB_DATA*/`` (script-safe JSON) are filled in by
`vectab.viz.to_html`. The script reads the data, draws one SVG circle per word, labels the most
important words that fit at the current zoom (``D.order``: importance order, stop words left out;
about one label per `LABEL_AREA` square pixels) and handles hover, search (case-insensitive,
prefix matches ranked by ``D.imp``), zoom (wheel, the +/- buttons) and pan (drag).
"""

PAGE = r"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>/*VECTAB_TITLE*/</title>
<style>
  * { box-sizing: border-box; }
  html, body { margin: 0; height: 100%; font: 14px system-ui, -apple-system, "Segoe UI", sans-serif;
    color: #222; background: #fff; }
  body { display: flex; flex-direction: column; }
  header { display: flex; gap: 12px; align-items: center; padding: 8px 12px;
    border-bottom: 1px solid #ddd; flex-wrap: wrap; }
  header h1 { font-size: 16px; margin: 0 12px 0 0; font-weight: 600; }
  #find { position: relative; }
  #search { width: 220px; padding: 4px 8px; font-size: 14px; }
  #matches { position: absolute; z-index: 2; top: 100%; left: 0; width: 220px; margin: 2px 0 0;
    padding: 2px 0; list-style: none; background: #fff; border: 1px solid #bbb;
    box-shadow: 0 2px 6px rgba(0, 0, 0, 0.15); max-height: 320px; overflow-y: auto; }
  #matches:empty { display: none; }
  #matches li { padding: 2px 8px; cursor: pointer; }
  #matches li:hover, #matches li.on { background: #e8f0fe; }
  #status { color: #666; }
  #main { flex: 1; display: flex; min-height: 0; }
  #plot { flex: 1; cursor: grab; user-select: none; touch-action: none; }
  #plot.dragging { cursor: grabbing; }
  aside { width: 240px; border-left: 1px solid #ddd; padding: 8px 12px; overflow-y: auto; }
  aside h2 { font-size: 13px; margin: 8px 0 4px; color: #555; text-transform: uppercase; }
  #legend div { display: flex; align-items: center; gap: 6px; margin: 2px 0; }
  #legend span.sw { width: 10px; height: 10px; border-radius: 50%; display: inline-block; }
  #neighbors { padding-left: 20px; margin: 0; }
  #neighbors li { cursor: pointer; }
  #neighbors li:hover { text-decoration: underline; }
  #neighbors .sim { color: #888; font-variant-numeric: tabular-nums; }
  circle.pt { stroke: #fff; stroke-width: 0.8; }
  svg.searching circle.pt { opacity: 0.18; }
  svg.searching circle.pt.nbr { opacity: 1; stroke: #222; }
  svg.searching circle.pt.hit { opacity: 1; stroke: #000; stroke-width: 2; }
  text.lbl { font-size: 11px; fill: #333; pointer-events: none; paint-order: stroke;
    stroke: #fff; stroke-width: 3px; stroke-linejoin: round; }
  text.lbl.hit { font-weight: 700; font-size: 13px; fill: #000; }
  svg.searching text.lbl.auto { opacity: 0.4; }
  #tip { position: fixed; pointer-events: none; background: rgba(20, 20, 20, 0.88); color: #fff;
    padding: 3px 7px; border-radius: 4px; font-size: 13px; display: none; white-space: pre; }
  #help { color: #888; font-size: 12px; margin-top: 12px; }
</style>
</head>
<body>
<header>
  <h1>/*VECTAB_TITLE*/</h1>
  <div id="find"><input id="search" type="search" placeholder="search a word…"
    autocomplete="off" aria-label="search a word"><ul id="matches" role="listbox"></ul></div>
  <label><input id="labels" type="checkbox"> all labels</label>
  <button id="zoomin" type="button" aria-label="zoom in">+</button>
  <button id="zoomout" type="button" aria-label="zoom out">−</button>
  <button id="reset" type="button">reset view</button>
  <span id="status"></span>
</header>
<div id="main">
  <svg id="plot" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="word vectors">
    <g id="points"></g><g id="texts"></g>
  </svg>
  <aside>
    <h2>Groups</h2><div id="legend"></div>
    <h2>Nearest neighbours</h2><ol id="neighbors"></ol>
    <p id="help">Wheel: zoom · drag: pan · hover: word · Esc: clear</p>
  </aside>
</div>
<div id="tip"></div>
<script type="application/json" id="vectab-data">/*VECTAB_DATA*/</script>
<script>
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("vectab-data").textContent);
  var N = D.words.length, NS = "http://www.w3.org/2000/svg";
  var svg = document.getElementById("plot");
  var gPoints = document.getElementById("points"), gTexts = document.getElementById("texts");
  var tip = document.getElementById("tip"), status = document.getElementById("status");
  var search = document.getElementById("search"), allLabels = document.getElementById("labels");
  var exact = new Map(), lowerWords = D.words.map(function (w) { return w.toLowerCase(); });
  D.words.forEach(function (w, i) { exact.set(w, i); });
  var byImportance = D.words.map(function (w, i) { return i; });
  byImportance.sort(function (a, b) { return D.imp[a] - D.imp[b]; });
  var LABEL_AREA = 14000;  // screen px² per automatic label: the same density at every zoom
  var W = 1, H = 1, s = 1, ox = 0, oy = 0;  // screen = (ox + s*(x-0.5), oy - s*(y-0.5))
  var hit = -1, nbrs = [], circles = [], texts = new Map();

  function colour(i) { var g = D.group[i]; return g >= 0 ? D.colors[g] : "#1f77b4"; }
  function sx(i) { return ox + s * (D.x[i] - 0.5); }
  function sy(i) { return oy - s * (D.y[i] - 0.5); }

  var frag = document.createDocumentFragment();
  for (var i = 0; i < N; i++) {
    var c = document.createElementNS(NS, "circle");
    c.setAttribute("class", "pt");
    c.setAttribute("fill", colour(i));
    c.setAttribute("data-i", String(i));
    circles.push(c);
    frag.appendChild(c);
  }
  gPoints.appendChild(frag);

  var legend = document.getElementById("legend");
  D.groups.forEach(function (name, g) {
    var row = document.createElement("div"), sw = document.createElement("span");
    sw.className = "sw"; sw.style.background = D.colors[g];
    var count = D.group.filter(function (x) { return x === g; }).length;
    row.appendChild(sw); row.appendChild(document.createTextNode(name + " (" + count + ")"));
    legend.appendChild(row);
  });
  if (!D.groups.length) legend.textContent = "none";
  if (D.clustered) legend.previousElementSibling.textContent = "Clusters (k-means)";

  function fit() {
    var r = svg.getBoundingClientRect();
    W = r.width || 1; H = r.height || 1;
    s = 0.9 * Math.min(W, H); ox = W / 2; oy = H / 2;
  }

  function forced() {  // labels always shown: the searched word, its neighbours, or all
    var out = [];
    if (hit >= 0) out.push(hit);
    nbrs.forEach(function (j) { if (j !== hit) out.push(j); });
    if (allLabels.checked) {
      for (var i = 0; i < N; i++) if (i !== hit && nbrs.indexOf(i) < 0) out.push(i);
    }
    return out;
  }

  var measure = document.createElement("canvas").getContext("2d"), widths = new Map();
  function width(i) {
    var key = i === hit ? -1 - i : i;  // the searched word is bold and larger
    if (!widths.has(key)) {
      measure.font = (i === hit ? "700 13px " : "11px ") + getComputedStyle(svg).fontFamily;
      widths.set(key, measure.measureText(D.words[i]).width + 2);
    }
    return widths.get(key);
  }

  // Greedy label placement in screen pixels: first the forced labels (each at the first of 8
  // spots around its point that overlaps no label placed before; beyond 300, to the right),
  // then, unless all are shown, the most important visible words whose label fits at one of
  // the spots with a margin, up to one label per LABEL_AREA px² of the picture.
  var placed = new Map();  // point -> [x, y] of its label's top-left corner
  function placeLabels() {
    var boxes = [], h = 12;
    placed = new Map();
    function spots(i) {
      var w = width(i), x = sx(i), y = sy(i), r = 6;
      return [[x + r, y - h / 2], [x - r - w, y - h / 2], [x - w / 2, y - r - h],
        [x - w / 2, y + r], [x + r, y - r - h], [x + r, y + r], [x - r - w, y - r - h],
        [x - r - w, y + r]];
    }
    function free(a, w, m) {
      for (var j = 0; j < boxes.length; j++) {
        var b = boxes[j];
        if (a[0] - m < b[0] + b[2] && b[0] < a[0] + w + m && a[1] - m < b[1] + h &&
            b[1] < a[1] + h + m) return false;
      }
      return true;
    }
    var must = forced(), spread = must.length <= 300;
    must.forEach(function (i) {
      var cand = spots(i), pick = cand[0], w = width(i);
      if (spread) {
        for (var k = 0; k < cand.length; k++) {
          if (free(cand[k], w, 0)) { pick = cand[k]; break; }
        }
      }
      boxes.push([pick[0], pick[1], w]); placed.set(i, pick);
    });
    if (allLabels.checked) return;
    var cap = Math.max(8, Math.round(W * H / LABEL_AREA)), shown = 0;
    for (var n = 0; n < D.order.length && shown < cap; n++) {
      var i = D.order[n];
      if (placed.has(i)) continue;
      var x = sx(i), y = sy(i);
      if (x < 0 || x > W || y < 0 || y > H) continue;
      var cand = spots(i), w = width(i);
      for (var k = 0; k < 4; k++) {  // right, left, above, below
        var a = cand[k];
        if (a[0] >= 0 && a[0] + w <= W && a[1] >= 0 && a[1] + h <= H && free(a, w, 3)) {
          boxes.push([a[0], a[1], w]); placed.set(i, a); shown++; break;
        }
      }
    }
  }

  function syncLabels() {
    placeLabels();
    texts.forEach(function (t, i) { if (!placed.has(i)) { t.remove(); texts.delete(i); } });
    var must = new Set(forced());
    placed.forEach(function (pick, i) {
      var t = texts.get(i);
      if (!t) {
        t = document.createElementNS(NS, "text");
        t.textContent = D.words[i];
        t.setAttribute("data-i", String(i));
        gTexts.appendChild(t); texts.set(i, t);
      }
      t.setAttribute("class", i === hit ? "lbl hit" : (must.has(i) ? "lbl" : "lbl auto"));
      t.setAttribute("x", pick[0].toFixed(1));
      t.setAttribute("y", (pick[1] + 12 - 2).toFixed(1));
    });
  }

  function render() {
    for (var i = 0; i < N; i++) {
      var c = circles[i];
      c.setAttribute("cx", sx(i).toFixed(1));
      c.setAttribute("cy", sy(i).toFixed(1));
      c.setAttribute("r", i === hit ? 7 : (c.classList.contains("nbr") ? 5.5 : 4));
    }
    syncLabels();
  }

  function clearSelection() {
    if (hit >= 0) circles[hit].classList.remove("hit");
    nbrs.forEach(function (j) { circles[j].classList.remove("nbr"); });
    hit = -1; nbrs = [];
    svg.classList.remove("searching");
    document.getElementById("neighbors").textContent = "";
  }

  function select(i, centre) {
    clearSelection();
    hit = i; nbrs = D.nbrs[i] || [];
    svg.classList.add("searching");
    nbrs.forEach(function (j) {
      circles[j].classList.add("nbr"); gPoints.appendChild(circles[j]);
    });
    circles[i].classList.add("hit"); gPoints.appendChild(circles[i]);
    var ol = document.getElementById("neighbors");
    nbrs.forEach(function (j, r) {
      var li = document.createElement("li"), sim = document.createElement("span");
      sim.className = "sim"; sim.textContent = " " + D.sims[i][r].toFixed(3);
      li.appendChild(document.createTextNode(D.words[j])); li.appendChild(sim);
      li.addEventListener("click", function () { search.value = D.words[j]; select(j, true); });
      ol.appendChild(li);
    });
    var x = sx(i), y = sy(i);
    if (centre || x < 0 || x > W || y < 0 || y > H) { ox += W / 2 - x; oy += H / 2 - y; }
    status.textContent = "“" + D.words[i] + "” and " + nbrs.length + " nearest neighbours";
    render();
  }

  // Case-insensitive: the word as typed first, then the same word in any case, then the words
  // that start with it, each the most important (frequent) first.
  function matches(q) {
    var low = q.toLowerCase(), same = [], prefix = [];
    byImportance.forEach(function (i) {
      var w = lowerWords[i];
      if (w === low) { if (D.words[i] === q) same.unshift(i); else same.push(i); }
      else if (w.lastIndexOf(low, 0) === 0) prefix.push(i);
    });
    return { same: same, all: same.concat(prefix) };
  }

  var menu = document.getElementById("matches"), found = [], active = -1;
  function showMatches(list) {
    found = list.slice(0, 12); active = -1; menu.textContent = "";
    found.forEach(function (i, k) {
      var li = document.createElement("li");
      li.textContent = D.words[i]; li.setAttribute("data-i", String(i));
      li.setAttribute("role", "option");
      li.addEventListener("mousedown", function (e) { e.preventDefault(); pick(k); });
      menu.appendChild(li);
    });
  }
  function pick(k) {
    var i = found[k];
    if (i === undefined) return;
    search.value = D.words[i]; menu.textContent = ""; found = [];
    select(i, true);
  }

  function onSearch() {
    var q = search.value.trim();
    if (!q) {
      menu.textContent = ""; found = [];
      clearSelection(); status.textContent = ""; render(); return;
    }
    var m = matches(q);
    showMatches(m.all);
    if (m.same.length) { select(m.same[0]); return; }
    clearSelection(); render();
    if (!m.all.length) { status.textContent = "“" + q + "” is not in this picture"; return; }
    status.textContent = m.all.length + (m.all.length === 1 ? " word starts" : " words start") +
      " with “" + q + "”: Enter picks “" + D.words[m.all[0]] + "”";
  }
  search.addEventListener("input", onSearch);
  search.addEventListener("keydown", function (e) {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (!found.length) return;
      active = (active + (e.key === "ArrowDown" ? 1 : found.length - 1)) % found.length;
      Array.prototype.forEach.call(menu.children, function (li, k) {
        li.classList.toggle("on", k === active);
      });
    } else if (e.key === "Enter") {
      if (found.length) pick(active >= 0 ? active : 0); else onSearch();
    }
  });
  search.addEventListener("blur", function () { menu.textContent = ""; found = []; });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { search.value = ""; onSearch(); }
  });
  allLabels.addEventListener("change", function () { render(); });
  function zoomBy(f) {  // around the centre of the picture
    ox = W / 2 - (W / 2 - ox) * f; oy = H / 2 - (H / 2 - oy) * f; s *= f; render();
  }
  document.getElementById("zoomin").addEventListener("click", function () { zoomBy(1.5); });
  document.getElementById("zoomout").addEventListener("click", function () { zoomBy(1 / 1.5); });
  document.getElementById("reset").addEventListener("click", function () { fit(); render(); });

  gPoints.addEventListener("mouseover", function (e) {
    var i = e.target.getAttribute && e.target.getAttribute("data-i");
    if (i === null || i === undefined) return;
    i = Number(i);
    var g = D.group[i];
    tip.textContent = D.words[i] + (g >= 0 ? "\n" + D.groups[g] : "");
    tip.style.display = "block";
  });
  gPoints.addEventListener("mousemove", function (e) {
    tip.style.left = (e.clientX + 12) + "px"; tip.style.top = (e.clientY + 12) + "px";
  });
  gPoints.addEventListener("mouseout", function () { tip.style.display = "none"; });
  gPoints.addEventListener("click", function (e) {
    var i = e.target.getAttribute && e.target.getAttribute("data-i");
    if (i !== null && i !== undefined) { search.value = D.words[Number(i)]; select(Number(i)); }
  });

  svg.addEventListener("wheel", function (e) {
    e.preventDefault();
    var r = svg.getBoundingClientRect(), mx = e.clientX - r.left, my = e.clientY - r.top;
    var f = Math.exp(-e.deltaY * 0.0015);
    ox = mx - (mx - ox) * f; oy = my - (my - oy) * f; s *= f;
    render();
  }, { passive: false });
  var drag = null;
  svg.addEventListener("pointerdown", function (e) {
    drag = { x: e.clientX, y: e.clientY, ox: ox, oy: oy };
    svg.classList.add("dragging");
  });
  window.addEventListener("pointermove", function (e) {
    if (!drag) return;
    ox = drag.ox + e.clientX - drag.x; oy = drag.oy + e.clientY - drag.y; render();
  });
  window.addEventListener("pointerup", function () {
    drag = null; svg.classList.remove("dragging");
  });
  window.addEventListener("resize", function () { fit(); render(); });

  allLabels.checked = N <= 150;
  if (D.notes.length) status.textContent = D.notes.join("; ");
  fit(); render();
  window.vectab = {
    data: D, select: select, view: function () { return { s: s, ox: ox, oy: oy }; },
    labels: function () {  // the words labelled now, their label boxes on the screen
      return Array.from(placed.keys()).map(function (i) {
        var p = placed.get(i);
        return { word: D.words[i], x: p[0], y: p[1], w: width(i), h: 12, px: sx(i), py: sy(i) };
      });
    }
  };
})();
</script>
</body>
</html>
"""
