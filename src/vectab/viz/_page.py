"""The interactive page's template: HTML, CSS and JavaScript in one string, nothing external.

``/*VECTAB_TITLE*/`` (escaped HTML) and ``/*VECTAB_DATA*/`` (script-safe JSON) are filled in by
`vectab.viz.to_html`. The script reads the data, draws one SVG circle per word and handles
hover, search, zoom (wheel) and pan (drag).
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
  #search { width: 220px; padding: 4px 8px; font-size: 14px; }
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
  #tip { position: fixed; pointer-events: none; background: rgba(20, 20, 20, 0.88); color: #fff;
    padding: 3px 7px; border-radius: 4px; font-size: 13px; display: none; white-space: pre; }
  #help { color: #888; font-size: 12px; margin-top: 12px; }
</style>
</head>
<body>
<header>
  <h1>/*VECTAB_TITLE*/</h1>
  <input id="search" type="search" list="wordlist" placeholder="search a word…" autocomplete="off"
    aria-label="search a word">
  <label><input id="labels" type="checkbox"> all labels</label>
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
<datalist id="wordlist"></datalist>
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
  var exact = new Map(), lower = new Map();
  D.words.forEach(function (w, i) {
    exact.set(w, i);
    if (!lower.has(w.toLowerCase())) lower.set(w.toLowerCase(), i);
  });
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

  var list = document.getElementById("wordlist"), opts = document.createDocumentFragment();
  D.words.forEach(function (w) {
    var o = document.createElement("option"); o.value = w; opts.appendChild(o);
  });
  list.appendChild(opts);

  var legend = document.getElementById("legend");
  D.groups.forEach(function (name, g) {
    var row = document.createElement("div"), sw = document.createElement("span");
    sw.className = "sw"; sw.style.background = D.colors[g];
    var count = D.group.filter(function (x) { return x === g; }).length;
    row.appendChild(sw); row.appendChild(document.createTextNode(name + " (" + count + ")"));
    legend.appendChild(row);
  });
  if (!D.groups.length) legend.textContent = "none";

  function fit() {
    var r = svg.getBoundingClientRect();
    W = r.width || 1; H = r.height || 1;
    s = 0.9 * Math.min(W, H); ox = W / 2; oy = H / 2;
  }

  function labelled() {
    var set = new Set();
    if (allLabels.checked) { for (var i = 0; i < N; i++) set.add(i); }
    if (hit >= 0) { set.add(hit); nbrs.forEach(function (j) { set.add(j); }); }
    return set;
  }

  function syncLabels() {
    var want = labelled();
    texts.forEach(function (t, i) { if (!want.has(i)) { t.remove(); texts.delete(i); } });
    want.forEach(function (i) {
      if (texts.has(i)) return;
      var t = document.createElementNS(NS, "text");
      t.setAttribute("class", i === hit ? "lbl hit" : "lbl");
      t.textContent = D.words[i];
      gTexts.appendChild(t); texts.set(i, t);
    });
    texts.forEach(function (t, i) { t.setAttribute("class", i === hit ? "lbl hit" : "lbl"); });
  }

  function render() {
    for (var i = 0; i < N; i++) {
      var c = circles[i];
      c.setAttribute("cx", sx(i).toFixed(1));
      c.setAttribute("cy", sy(i).toFixed(1));
      c.setAttribute("r", i === hit ? 7 : (c.classList.contains("nbr") ? 5.5 : 4));
    }
    placeLabels();
  }

  // Greedy label placement: the searched word first, each label at the first of 8 spots
  // around its point that overlaps no label placed before (up to 300 labels; beyond, to the right).
  var widths = new Map();
  function placeLabels() {
    var order = Array.from(texts.keys());
    order.sort(function (a, b) {
      return (b === hit) - (a === hit) ||
        (nbrs.indexOf(a) + 1 || 1e9) - (nbrs.indexOf(b) + 1 || 1e9);
    });
    var boxes = [], h = 12, spread = order.length <= 300;
    order.forEach(function (i) {
      var t = texts.get(i);
      if (!widths.has(i)) widths.set(i, t.getComputedTextLength() + 2);
      var w = widths.get(i), x = sx(i), y = sy(i), r = 6;
      var spots = [[x + r, y - h / 2], [x - r - w, y - h / 2], [x - w / 2, y - r - h],
        [x - w / 2, y + r], [x + r, y - r - h], [x + r, y + r], [x - r - w, y - r - h],
        [x - r - w, y + r]];
      var pick = spots[0];
      if (spread) {
        for (var k = 0; k < spots.length; k++) {
          var a = spots[k], free = true;
          for (var j = 0; j < boxes.length && free; j++) {
            var b = boxes[j];
            if (a[0] < b[0] + b[2] && b[0] < a[0] + w && a[1] < b[1] + h && b[1] < a[1] + h) {
              free = false;
            }
          }
          if (free) { pick = a; break; }
        }
      }
      boxes.push([pick[0], pick[1], w]);
      t.setAttribute("x", pick[0].toFixed(1));
      t.setAttribute("y", (pick[1] + h - 2).toFixed(1));
    });
  }

  function clearSelection() {
    if (hit >= 0) circles[hit].classList.remove("hit");
    nbrs.forEach(function (j) { circles[j].classList.remove("nbr"); });
    hit = -1; nbrs = [];
    svg.classList.remove("searching");
    document.getElementById("neighbors").textContent = "";
  }

  function select(i) {
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
      li.addEventListener("click", function () { search.value = D.words[j]; select(j); });
      ol.appendChild(li);
    });
    var x = sx(i), y = sy(i);
    if (x < 0 || x > W || y < 0 || y > H) { ox += W / 2 - x; oy += H / 2 - y; }
    status.textContent = "“" + D.words[i] + "” and " + nbrs.length + " nearest neighbours";
    syncLabels(); render();
  }

  function onSearch() {
    var q = search.value.trim();
    if (!q) { clearSelection(); status.textContent = ""; syncLabels(); render(); return; }
    var i = exact.has(q) ? exact.get(q) : lower.get(q.toLowerCase());
    if (i === undefined) { status.textContent = "“" + q + "” is not in this picture"; return; }
    select(i);
  }
  search.addEventListener("input", onSearch);
  search.addEventListener("keydown", function (e) { if (e.key === "Enter") onSearch(); });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { search.value = ""; onSearch(); }
  });
  allLabels.addEventListener("change", function () { syncLabels(); render(); });
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
  fit(); syncLabels(); render();
  window.vectab = {
    data: D, select: select, view: function () { return { s: s, ox: ox, oy: oy }; }
  };
})();
</script>
</body>
</html>
"""
