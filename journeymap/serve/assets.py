"""The live client: a script and a stylesheet served at ``/_live/live.js`` and ``/_live/live.css``.

Kept as Python strings so every installed copy of journeymap carries them (no package data to
forget). The script only reads ids and classes and sets ``textContent``; see the comment at its top.
"""

from __future__ import annotations

__all__ = ["LIVE_JS", "LIVE_CSS"]

LIVE_JS = r"""/* journeymap serve: live updates over server-sent events, presenter mode.
   Never turns data into script: journey text arrives as HTML the server rendered with
   autoescaping, is parsed inert by DOMParser (scripts dropped), and errors are set as textContent.
   Presenter mode only reads the diagram's geometry (ids, classes, getBBox), sets the viewBox and
   adds clones of the diagram's own lane labels and stage headers, pinned at the screen's edges. */
(function () {
  "use strict";
  var stateEl = document.getElementById("jm-live-state");
  if (!stateEl) { return; }
  var state = JSON.parse(stateEl.textContent);
  var SVGNS = "http://www.w3.org/2000/svg";
  /* Presenter targets, in CSS px: touchpoint names at least this big when a step fits ... */
  var NAME_PX = 17;
  /* ... and not blown up past this (a one-touchpoint step). */
  var NAME_MAX_PX = 28;
  var view = {zoom: 1, x: 0, y: 0, presenting: false, focus: ""};
  /* The walk: per = stages per step; step = index into steps, -1 = the overview. */
  var walk = {per: 1, step: -1, steps: [], geo: null, svg: null, vb: null, anim: 0, key: "", custom: false};
  var ui, errorsBox, helpBox, focusSelect, statusDot, presentButton, walkBox, stepLabel, perButtons = [];
  var reduced = window.matchMedia ? window.matchMedia("(prefers-reduced-motion: reduce)") : null;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function svgEl(tag, attrs) {
    var node = document.createElementNS(SVGNS, tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, String(attrs[k])); });
    return node;
  }

  /* the journey's own diagram (a page may also show scenario pictures), or the index's map */
  function pick(root) { return root.querySelector("#diagram svg.diagram") || root.querySelector("svg.diagram"); }

  function diagram() { return pick(document); }

  function stage() {
    var svg = diagram();
    if (!svg) { return null; }
    var wrap = svg.parentElement;
    if (!wrap.classList.contains("jm-live-stage")) {
      wrap = el("div", "jm-live-stage");
      svg.parentNode.insertBefore(wrap, svg);
      wrap.appendChild(svg);
    }
    return wrap;
  }

  /* ---- geometry of the grid views (see the SVG contract: lanes, stage bands, headers) ---- */

  /* The engine draws each line of a label as its own pinned node (<id>, <id>-2, ... and, on a
     framed label, <id>-text, <id>-text-2, ...): fold the lines back into the label's group, so a
     label is one element to measure, clone and highlight. Coordinates are shared: nothing moves. */
  function jmFoldLines(graph) {
    Array.prototype.forEach.call(graph.querySelectorAll("g.node[id]"), function (g) {
      var m = /^(.*?)(-text)?(-[0-9]+)?$/.exec(g.id);
      if (!m || (!m[2] && !m[3]) || g.querySelector("polygon, path, ellipse")) { return; }
      var base = document.getElementById(m[1]);
      if (!base || base === g || !base.closest || base.closest("svg") !== g.closest("svg")) { return; }
      Array.prototype.forEach.call(g.querySelectorAll("text"), function (t) { base.appendChild(t); });
    });
  }

  function geometry(svg) {
    var graph = svg.querySelector("g.graph");
    if (graph && !graph.jmFolded) { jmFoldLines(graph); graph.jmFolded = true; }
    var vb = svg.viewBox.baseVal;
    if (!graph || !vb || !vb.width) { return null; }
    var t = graph.transform.baseVal.consolidate();
    var m = t ? t.matrix : {a: 1, d: 1, e: 0, f: 0};
    function box(node) {
      var b = node.getBBox();
      var x0 = m.a * b.x + m.e, x1 = m.a * (b.x + b.width) + m.e;
      var y0 = m.d * b.y + m.f, y1 = m.d * (b.y + b.height) + m.f;
      return {x0: Math.min(x0, x1), x1: Math.max(x0, x1), y0: Math.min(y0, y1), y1: Math.max(y0, y1)};
    }
    var full = {x0: vb.x, y0: vb.y, x1: vb.x + vb.width, y1: vb.y + vb.height};
    var stages = [], lanes = [], tps = [];
    Array.prototype.forEach.call(graph.querySelectorAll("g.cluster.stage"), function (band) {
      var id = band.id.replace(/^stage-band-/, "");
      var head = document.getElementById("stage-" + id);
      var shape = band.querySelector("polygon, path");
      if (!shape) { return; }
      var b = box(shape);
      stages.push({id: id, band: band, head: head, x0: b.x0, x1: b.x1, y0: b.y0, y1: b.y1,
                   hb: head ? box(head) : null,
                   name: head ? Array.prototype.map.call(head.querySelectorAll("text"), function (tx) {
                     return tx.textContent.trim(); }).join(" ") || id : id});
    });
    stages.sort(function (p, q) { return p.x0 - q.x0; });
    Array.prototype.forEach.call(graph.querySelectorAll("g.cluster.lane"), function (band) {
      var shape = band.querySelector("polygon, path");
      if (!shape) { return; }
      var id = band.id.replace(/^lane-/, "");
      var b = box(shape);
      lanes.push({id: id, x0: b.x0, x1: b.x1, y0: b.y0, y1: b.y1,
                  fill: shape.getAttribute("fill") || "none", stroke: shape.getAttribute("stroke") || "none",
                  label: document.getElementById("lane-label-" + id)});
    });
    lanes.sort(function (p, q) { return p.y0 - q.y0; });
    if (!stages.length || !lanes.length) { return null; }
    var back = graph.querySelector(":scope > polygon");
    var bg = (back && back.getAttribute("fill")) || "#ffffff";
    if (bg === "none" || bg === "transparent") { bg = "#ffffff"; }
    var minFont = Infinity;
    Array.prototype.forEach.call(graph.querySelectorAll("g.node.touchpoint"), function (node) {
      var b = box(node);
      var cx = (b.x0 + b.x1) / 2, cy = (b.y0 + b.y1) / 2;
      var si = -1, li = -1;
      stages.forEach(function (s, i) { if (cx >= s.x0 && cx <= s.x1) { si = i; } });
      lanes.forEach(function (l, i) { if (cy >= l.y0 && cy <= l.y1) { li = i; } });
      var textNode = document.getElementById(node.id + "-title") || node;
      Array.prototype.forEach.call(textNode.querySelectorAll("text"), function (tx) {
        var size = parseFloat(window.getComputedStyle(tx).fontSize) * Math.abs(m.a);
        if (size > 0) { minFont = Math.min(minFont, size); }
      });
      var texts = [node].concat(Array.prototype.filter.call(
        graph.querySelectorAll("g.node.touchpoint-text"), function (n) { return n.id.indexOf(node.id + "-") === 0; }));
      tps.push({id: node.id, nodes: texts, box: b, stage: si, lane: li});
    });
    if (!isFinite(minFont)) { minFont = 12 * Math.abs(m.a); }
    var top = Math.min.apply(null, stages.map(function (s) { return s.hb ? s.hb.y0 : s.y0; }));
    var bandsTop = Math.min.apply(null, stages.map(function (s) { return s.y0; }));
    var headBottom = Math.max.apply(null, stages.map(function (s) { return s.hb ? s.hb.y1 : s.y0; }));
    var gap = Math.max(0, bandsTop - headBottom);
    var stripX0 = Math.min.apply(null, lanes.map(function (l) { return l.x0; }));
    var stripX1 = Math.min.apply(null, stages.map(function (s) { return s.x0; }));
    return {svg: svg, graph: graph, m: m, box: box, full: full, stages: stages, lanes: lanes, tps: tps, bg: bg,
            minFont: minFont, headTop: top - gap, headH: bandsTop - (top - gap),
            stripX0: stripX0, stripW: Math.max(0, stripX1 - stripX0),
            right: Math.max.apply(null, lanes.map(function (l) { return l.x1; }))};
  }

  /* Split items (sorted [lo, hi] extents) into runs no longer than limit. */
  function runs(items, limit) {
    var out = [], cur = null;
    items.forEach(function (it) {
      if (cur && it.hi - cur.lo <= limit) { cur.hi = Math.max(cur.hi, it.hi); cur.items.push(it); }
      else { cur = {lo: it.lo, hi: it.hi, items: [it]}; out.push(cur); }
    });
    return out;
  }

  /* The walk's steps: stages `per` at a time; a step that cannot show its names at NAME_PX on
     this screen is cut into parts (lanes top to bottom; columns, for a very wide stage). */
  function buildSteps(geo, per, width, height) {
    var smin = NAME_PX / geo.minFont;
    var maxW = width / smin - geo.stripW, maxH = height / smin - geo.headH;
    var steps = [];
    for (var i = 0; i < geo.stages.length; i += per) {
      var idx = [];
      for (var k = i; k < Math.min(geo.stages.length, i + per); k++) { idx.push(k); }
      var first = geo.stages[idx[0]], last = geo.stages[idx[idx.length - 1]];
      var mine = geo.tps.filter(function (t) { return idx.indexOf(t.stage) >= 0 && t.lane >= 0; });
      var cols = [{lo: first.x0, hi: last.x1, items: mine}];
      if (last.x1 - first.x0 > maxW && mine.length) {
        cols = runs(mine.map(function (t) { return {lo: t.box.x0, hi: t.box.x1, tp: t}; })
                    .sort(function (p, q) { return p.lo - q.lo; }), maxW).map(function (r) {
          var pad = Math.min(12, (maxW - (r.hi - r.lo)) / 2);
          return {lo: Math.max(first.x0, r.lo - Math.max(0, pad)), hi: Math.min(last.x1, r.hi + Math.max(0, pad)),
                  items: r.items.map(function (x) { return x.tp; })};
        });
      }
      var parts = [];
      cols.forEach(function (col) {
        var used = [];
        col.items.forEach(function (t) { if (used.indexOf(t.lane) < 0) { used.push(t.lane); } });
        used.sort(function (p, q) { return p - q; });
        if (!used.length) { used = [0]; }
        var rows = runs(used.map(function (li) { return {lo: geo.lanes[li].y0, hi: geo.lanes[li].y1, lane: li}; }), maxH);
        rows.forEach(function (row) {
          var lanes = row.items.map(function (x) { return x.lane; });
          parts.push({stages: idx, x0: col.lo, x1: col.hi, y0: row.lo, y1: row.hi,
                      tps: col.items.filter(function (t) { return lanes.indexOf(t.lane) >= 0; })});
        });
      });
      parts.forEach(function (p, n) { p.part = n + 1; p.parts = parts.length; steps.push(p); });
    }
    return steps;
  }

  function screenSize(svg) {
    var r = svg.getBoundingClientRect();
    return {w: Math.max(1, r.width), h: Math.max(1, r.height)};
  }

  /* The viewBox that fills the screen with a step, the pinned strips left and top. The
     clamps keep the real labels and headers from showing beside the pinned ones. */
  function stepBox(geo, st, size) {
    var cw = st.x1 - st.x0, ch = st.y1 - st.y0;
    var s = Math.min(size.w / (geo.stripW + cw), size.h / (geo.headH + ch), NAME_MAX_PX / geo.minFont);
    var w = size.w / s, h = size.h / s;
    /* Flush against the pinned strips, as in the diagram itself: the room left over shows what
       comes next (right, below), cut by the screen's edge rather than by the strips. */
    var x = st.x0 - geo.stripW, y = st.y0 - geo.headH;
    x = Math.max(geo.stripX0, Math.min(x, geo.full.x1 - w));
    y = Math.max(geo.headTop, Math.min(y, geo.full.y1 - h));
    x = Math.min(Math.max(x, st.x1 - w), st.x0 - geo.stripW);
    y = Math.min(Math.max(y, st.y1 - h), st.y0 - geo.headH);
    return {x: x, y: y, w: w, h: h};
  }

  function overviewBox(geo, size) {
    var fw = geo.full.x1 - geo.full.x0, fh = geo.full.y1 - geo.full.y0;
    var s = Math.min(size.w / fw, size.h / fh);
    var w = size.w / s, h = size.h / s;
    return {x: geo.full.x0 - (w - fw) / 2, y: geo.full.y0 - (h - fh) / 2, w: w, h: h};
  }

  /* ---- the pinned lane labels (left) and stage headers (top): clones of the diagram's own ---- */

  function bare(node) {
    var copy = node.cloneNode(true);
    copy.removeAttribute("id");
    Array.prototype.forEach.call(copy.querySelectorAll("[id]"), function (n) { n.removeAttribute("id"); });
    Array.prototype.forEach.call(copy.querySelectorAll("title"), function (n) { n.remove(); });
    return copy;
  }

  function toLocal(geo, x, y) { return {x: (x - geo.m.e) / geo.m.a, y: (y - geo.m.f) / geo.m.d}; }

  function buildPins(geo) {
    var m = geo.m, sx = Math.abs(m.a), sy = Math.abs(m.d);
    var pins = svgEl("g", {"class": "jm-pins", "aria-hidden": "true"});
    var top = svgEl("g", {"class": "jm-pin-top"});
    var topLeft = toLocal(geo, geo.full.x0 - (geo.full.x1 - geo.full.x0), geo.headTop);
    top.appendChild(svgEl("rect", {x: topLeft.x, y: Math.min(topLeft.y, topLeft.y + geo.headH / m.d),
      width: 3 * (geo.full.x1 - geo.full.x0) / sx, height: geo.headH / sy, fill: geo.bg}));
    var names = [];
    geo.stages.forEach(function (s) {
      if (!s.head) { return; }
      var g = bare(s.head);
      g.setAttribute("data-stage", s.id);
      g.classList.add("jm-pin-stage");
      top.appendChild(g);
      var widths = Array.prototype.map.call(s.head.querySelectorAll("text"), function (t) { return t.getBBox().width * sx; });
      names.push({texts: g.querySelectorAll("text"), x0: s.hb.x0, x1: s.hb.x1, w: Math.max.apply(null, widths.concat([0]))});
    });
    var a = toLocal(geo, geo.full.x0 - (geo.full.x1 - geo.full.x0), geo.headTop + geo.headH);
    var b = toLocal(geo, geo.full.x1 + (geo.full.x1 - geo.full.x0), geo.headTop + geo.headH);
    top.appendChild(svgEl("line", {x1: a.x, y1: a.y, x2: b.x, y2: b.y, stroke: "#5b6773", "stroke-width": 1.5 / sy}));
    var left = svgEl("g", {"class": "jm-pin-left"});
    var labels = [];
    geo.lanes.forEach(function (l) {
      var g = svgEl("g", {"class": "jm-pin-lane", "data-lane": l.id});
      var p = toLocal(geo, geo.stripX0, Math.min(l.y0, l.y1));
      var q = toLocal(geo, geo.stripX0 + geo.stripW, Math.max(l.y0, l.y1));
      g.appendChild(svgEl("rect", {x: Math.min(p.x, q.x), y: Math.min(p.y, q.y), width: Math.abs(q.x - p.x),
        height: Math.abs(q.y - p.y), fill: l.fill === "none" ? geo.bg : l.fill, stroke: l.stroke}));
      if (l.label) {
        var copy = bare(l.label);
        g.appendChild(copy);
        var lb = geo.box(l.label);
        labels.push({node: copy, y0: lb.y0, y1: lb.y1, lane: l});
      }
      left.appendChild(g);
    });
    var e0 = toLocal(geo, geo.stripX0 + geo.stripW, geo.lanes[0].y0);
    var e1 = toLocal(geo, geo.stripX0 + geo.stripW, geo.lanes[geo.lanes.length - 1].y1);
    left.appendChild(svgEl("line", {x1: e0.x, y1: e0.y, x2: e1.x, y2: e1.y, stroke: "#5b6773", "stroke-width": 1.5 / sx}));
    var c0 = toLocal(geo, geo.stripX0, geo.headTop), c1 = toLocal(geo, geo.stripX0 + geo.stripW, geo.headTop + geo.headH);
    var corner = svgEl("rect", {"class": "jm-pin-corner", x: Math.min(c0.x, c1.x), y: Math.min(c0.y, c1.y),
      width: Math.abs(c1.x - c0.x), height: Math.abs(c1.y - c0.y), fill: geo.bg});
    pins.appendChild(top);
    pins.appendChild(left);
    pins.appendChild(corner);
    geo.graph.appendChild(pins);
    return {root: pins, top: top, left: left, corner: corner, names: names, labels: labels};
  }

  /* Put the pinned strips at the viewBox's left and top edges; hide each one while the real
     labels (or headers) are in view anyway. */
  function placePins(box) {
    var geo = walk.geo;
    if (!geo || !geo.pins) { return; }
    var dx = (box.x - geo.stripX0) / geo.m.a, dy = (box.y - geo.headTop) / geo.m.d;
    var showLeft = box.x > geo.stripX0 + 0.5, showTop = box.y > geo.headTop - 0.5;
    geo.pins.left.setAttribute("transform", "translate(" + dx + " 0)");
    geo.pins.top.setAttribute("transform", "translate(0 " + dy + ")");
    geo.pins.corner.setAttribute("transform", "translate(" + dx + " " + dy + ")");
    geo.pins.left.classList.toggle("jm-off", !showLeft);
    geo.pins.top.classList.toggle("jm-off", !showTop);
    geo.pins.corner.classList.toggle("jm-off", !showLeft);
    if (showTop) { followNames(geo, geo.pins.names, Math.max(box.x, geo.stripX0) + geo.stripW, box.x + box.w); }
    /* a lane label slides down its lane while the lane's top is under the pinned headers */
    var below = Math.max(box.y, geo.headTop) + geo.headH + 4 * Math.abs(geo.m.d);
    geo.pins.labels.forEach(function (l) {
      var shift = Math.max(0, Math.min(below - l.y0, l.lane.y1 - l.y1 - (l.y0 - l.lane.y0)));
      l.node.setAttribute("transform", "translate(0 " + (shift / geo.m.d).toFixed(2) + ")");
    });
  }

  /* Each pinned stage name sits in the middle of the part of its header that is on screen, so a
     stage wider than the screen keeps its name in view. */
  function followNames(geo, names, left, right) {
    names.forEach(function (n) {
      var lo = Math.max(n.x0, left), hi = Math.min(n.x1, right), pad = 6 * Math.abs(geo.m.a);
      var cx = hi > lo ? (lo + hi) / 2 : (n.x0 + n.x1) / 2;
      cx = Math.max(n.x0 + n.w / 2 + pad, Math.min(n.x1 - n.w / 2 - pad, cx));
      if (n.x1 - n.x0 < n.w + 2 * pad) { cx = (n.x0 + n.x1) / 2; }
      /* a name that would be cut by the screen's edge or the pinned labels is left out */
      var cut = cx - n.w / 2 < left - 0.5 || cx + n.w / 2 > right + 0.5;
      var x = ((cx - geo.m.e) / geo.m.a).toFixed(2);
      Array.prototype.forEach.call(n.texts, function (t) {
        t.setAttribute("x", x);
        t.setAttribute("visibility", cut ? "hidden" : "visible");
      });
    });
  }

  function setBox(box) {
    walk.vb = box;
    walk.svg.setAttribute("viewBox", [box.x, box.y, box.w, box.h].map(function (v) { return v.toFixed(2); }).join(" "));
    placePins(box);
  }

  function animateTo(box) {
    var svg = walk.svg;
    if (walk.anim) { window.cancelAnimationFrame(walk.anim); walk.anim = 0; }
    var from = walk.vb;
    if (!from || (reduced && reduced.matches)) {
      setBox(box);
      svg.setAttribute("data-jm-settled", "true");
      return;
    }
    svg.setAttribute("data-jm-settled", "false");
    var t0 = null, ms = 320;
    function frame(now) {
      if (t0 === null) { t0 = now; }
      var k = Math.min(1, (now - t0) / ms);
      var e = k < 0.5 ? 2 * k * k : 1 - Math.pow(-2 * k + 2, 2) / 2;
      setBox({x: from.x + (box.x - from.x) * e, y: from.y + (box.y - from.y) * e,
              w: from.w + (box.w - from.w) * e, h: from.h + (box.h - from.h) * e});
      if (k < 1) { walk.anim = window.requestAnimationFrame(frame); }
      else { walk.anim = 0; svg.setAttribute("data-jm-settled", "true"); }
    }
    walk.anim = window.requestAnimationFrame(frame);
  }

  function stepName(st) {
    var geo = walk.geo;
    var names = st.stages.map(function (i) { return geo.stages[i].name; });
    var label = names.length > 1 ? names[0] + " \u2013 " + names[names.length - 1] : names[0];
    var first = st.stages[0] + 1, last = st.stages[st.stages.length - 1] + 1;
    label += " \u00b7 stage " + (first === last ? first : first + "\u2013" + last) + " of " + geo.stages.length;
    if (st.parts > 1) { label += " \u00b7 part " + st.part + " of " + st.parts; }
    return label;
  }

  function markStep() {
    var geo = walk.geo;
    var st = walk.step >= 0 ? walk.steps[walk.step] : null;
    var keep = {};
    if (st) { st.tps.forEach(function (t) { keep[t.id] = true; }); }
    geo.tps.forEach(function (t) {
      t.nodes.forEach(function (n) { n.classList.toggle("jm-walk-out", st !== null && !keep[t.id]); });
    });
    geo.stages.forEach(function (s, i) {
      if (s.head) { s.head.classList.toggle("jm-walk-on", st !== null && st.stages.indexOf(i) >= 0); }
    });
    Array.prototype.forEach.call(geo.pins.top.querySelectorAll("[data-stage]"), function (g) {
      var i = geo.stages.map(function (s) { return s.id; }).indexOf(g.getAttribute("data-stage"));
      g.classList.toggle("jm-walk-on", st !== null && st.stages.indexOf(i) >= 0);
    });
    walk.svg.setAttribute("data-jm-step", String(walk.step));
    walk.svg.setAttribute("data-jm-focus", st ? st.tps.map(function (t) { return t.id; }).join(" ") : "");
    if (stepLabel) { stepLabel.textContent = st ? stepName(st) : "Overview \u00b7 " + geo.stages.length + " stages"; }
    perButtons.forEach(function (b) { b.setAttribute("aria-pressed", String(Number(b.value) === walk.per)); });
  }

  /* Build (or rebuild, after a live update or a resize) the walk for the current diagram. */
  function walkReady() {
    var svg = diagram();
    if (!svg) { return false; }
    var size = screenSize(svg);
    var key = size.w + "x" + size.h + "/" + walk.per;
    if (walk.svg === svg && walk.geo && walk.key === key) { return true; }
    var keepStage = walk.step >= 0 && walk.geo && walk.steps[walk.step]
      ? walk.geo.stages[walk.steps[walk.step].stages[0]].id : null;
    var keepPart = walk.step >= 0 && walk.steps[walk.step] ? walk.steps[walk.step].part : 1;
    if (walk.svg !== svg) {
      if (walk.geo && walk.geo.pins) { walk.geo.pins.root.remove(); }
      walk.svg = svg;
      walk.original = {viewBox: svg.getAttribute("viewBox"), par: svg.getAttribute("preserveAspectRatio")};
      walk.vb = null;
      walk.geo = geometry(svg);
      if (walk.geo) { walk.geo.pins = buildPins(walk.geo); }
    }
    if (!walk.geo) { return false; }
    walk.key = key;
    walk.steps = buildSteps(walk.geo, walk.per, size.w, size.h);
    walk.step = -1;
    if (keepStage) {
      var ids = walk.geo.stages.map(function (s) { return s.id; });
      var at = ids.indexOf(keepStage);
      walk.steps.forEach(function (st, i) {
        if (walk.step < 0 && st.stages.indexOf(at) >= 0 && st.part >= Math.min(keepPart, st.parts)) { walk.step = i; }
      });
    }
    return true;
  }

  function showStep(i, animate) {
    if (!walkReady()) { return; }
    walk.step = Math.max(-1, Math.min(walk.steps.length - 1, i));
    walk.custom = false;
    var size = screenSize(walk.svg);
    walk.svg.setAttribute("preserveAspectRatio", "xMinYMin meet");
    walk.svg.parentElement.style.backgroundColor = walk.geo.bg;
    var box = walk.step < 0 ? overviewBox(walk.geo, size) : stepBox(walk.geo, walk.steps[walk.step], size);
    if (animate === false) { walk.vb = null; }
    animateTo(box);
    markStep();
  }

  function stepBy(delta) { showStep(walk.step + delta); }

  function showStage(id) {
    if (!walkReady()) { return; }
    var at = walk.geo.stages.map(function (s) { return s.id; }).indexOf(id);
    for (var i = 0; i < walk.steps.length; i++) {
      if (walk.steps[i].stages.indexOf(at) >= 0) { showStep(i); return; }
    }
  }

  function setPer(n) {
    if (!walkReady()) { return; }
    var st = walk.step >= 0 ? walk.steps[walk.step] : null;
    var stageId = st ? walk.geo.stages[st.stages[0]].id : null;
    walk.per = n;
    walk.key = "";
    walkReady();
    if (stageId) { showStage(stageId); } else { showStep(-1); }
  }

  /* Zoom the viewBox about a screen point (px in the svg box); the pins follow. */
  function zoomBox(factor, px, py) {
    if (!walkReady() || !walk.vb) { return; }
    if (walk.anim) { window.cancelAnimationFrame(walk.anim); walk.anim = 0; }
    var size = screenSize(walk.svg), b = walk.vb, geo = walk.geo;
    var s = size.w / b.w;
    var full = geo.full;
    var ns = Math.max(Math.min(size.w / (full.x1 - full.x0), size.h / (full.y1 - full.y0)) * 0.8,
                      Math.min(s * factor, (NAME_MAX_PX * 3) / walk.geo.minFont));
    if (px === undefined) {
      /* the keys zoom about the middle of what the pinned strips leave in view */
      px = Math.min(size.w / 2, (geo.stripW * s + size.w) / 2);
      py = Math.min(size.h / 2, (geo.headH * s + size.h) / 2);
    }
    var ux = b.x + px / s, uy = b.y + py / s;
    setBox({x: ux - px / ns, y: uy - py / ns, w: size.w / ns, h: size.h / ns});
    walk.custom = true;
    walk.svg.setAttribute("data-jm-settled", "true");
  }

  function panBox(dxPx, dyPx) {
    if (!walk.vb) { return; }
    var size = screenSize(walk.svg), b = walk.vb, s = size.w / b.w;
    setBox({x: b.x - dxPx / s, y: b.y - dyPx / s, w: b.w, h: b.h});
    walk.custom = true;
  }

  function leaveWalk() {
    if (walk.anim) { window.cancelAnimationFrame(walk.anim); walk.anim = 0; }
    var svg = walk.svg;
    if (svg && walk.original) {
      if (walk.original.viewBox === null) { svg.removeAttribute("viewBox"); } else { svg.setAttribute("viewBox", walk.original.viewBox); }
      if (walk.original.par === null) { svg.removeAttribute("preserveAspectRatio"); } else { svg.setAttribute("preserveAspectRatio", walk.original.par); }
      svg.removeAttribute("data-jm-step");
      svg.removeAttribute("data-jm-focus");
      svg.removeAttribute("data-jm-settled");
      svg.parentElement.style.backgroundColor = "";
    }
    if (walk.geo) {
      if (walk.geo.pins) { walk.geo.pins.root.remove(); }
      walk.geo.tps.forEach(function (t) { t.nodes.forEach(function (n) { n.classList.remove("jm-walk-out"); }); });
      walk.geo.stages.forEach(function (s) { if (s.head) { s.head.classList.remove("jm-walk-on"); } });
    }
    walk.svg = null; walk.geo = null; walk.vb = null; walk.key = ""; walk.step = -1;
  }

  /* ---- the page view: CSS zoom outside presenter mode, the walk inside it ---- */

  function applyView() {
    var wrap = stage();
    var svg = diagram();
    if (!wrap || !svg) { return; }
    wrap.classList.toggle("presenting", view.presenting);
    document.documentElement.classList.toggle("jm-presenting", view.presenting);
    if (presentButton) { presentButton.textContent = view.presenting ? "Exit" : "Present"; }
    /* a journey or blueprint (lanes and stages) gets the walk; any other picture is zoomed and
       panned as a whole */
    var walks = view.presenting && walkReady();
    wrap.classList.toggle("walking", walks);
    if (walkBox) { walkBox.hidden = !walks; }
    if (walks) {
      svg.style.transform = "";
      /* After a live update the new picture gets the same stage; a zoom or pan of the user's
         own is kept as it was. */
      var custom = walk.custom && walk.vb ? walk.vb : null;
      if (walkReady()) {
        showStep(walk.step, false);
        if (custom) { setBox(custom); walk.custom = true; }
      }
    } else {
      if (walk.svg) { leaveWalk(); }
      svg.style.transformOrigin = "0 0";
      svg.style.transform = "translate(" + view.x + "px," + view.y + "px) scale(" + view.zoom + ")";
    }
    applyFocus();
  }

  function zoomAt(factor, cx, cy) {
    var z = Math.min(20, Math.max(0.1, view.zoom * factor));
    var f = z / view.zoom;
    view.x = cx - (cx - view.x) * f;
    view.y = cy - (cy - view.y) * f;
    view.zoom = z;
    applyView();
  }

  function walking() { return view.presenting && walk.geo !== null && walk.svg === diagram(); }

  function zoomCentre(factor) {
    if (walking()) { zoomBox(factor); return; }
    var wrap = stage();
    if (!wrap) { return; }
    var r = wrap.getBoundingClientRect();
    zoomAt(factor, r.width / 2, r.height / 2);
  }

  function fit() {
    if (walking()) { showStep(walk.step); return; }
    view.zoom = 1; view.x = 0; view.y = 0; applyView();
  }

  function present(on) {
    view.presenting = on === undefined ? !view.presenting : on;
    view.zoom = 1; view.x = 0; view.y = 0;
    if (view.presenting) { walk.step = -1; }
    applyView();
    if (view.presenting && presentButton) { presentButton.blur(); }
  }

  function applyFocus() {
    var svg = diagram();
    var data = state.focus;
    if (!svg || !data) { return; }
    var keep = null;
    if (view.focus) {
      var kind = view.focus.charAt(0), id = view.focus.slice(2);
      keep = {};
      Object.keys(data.touchpoints).forEach(function (tp) {
        var sf = data.touchpoints[tp];
        if ((kind === "s" && sf[0] === id) || (kind === "f" && sf[1] === id)) { keep[tp] = true; }
      });
    }
    Object.keys(data.touchpoints).forEach(function (tp) {
      var dim = keep !== null && !keep[tp];
      ["", "-title", "-meta"].forEach(function (suffix) {
        var node = document.getElementById("tp-" + tp + suffix);
        if (node) { node.classList.toggle("jm-dim", dim); }
      });
    });
    data.edges.forEach(function (e) {
      var edge = document.getElementById("edge-" + e[0] + "--" + e[1]);
      if (edge) { edge.classList.toggle("jm-dim", keep !== null && !(keep[e[0]] && keep[e[1]])); }
    });
    if (focusSelect) { focusSelect.value = view.focus; }
  }

  function focusOptions() {
    if (!focusSelect) { return; }
    while (focusSelect.firstChild) { focusSelect.removeChild(focusSelect.firstChild); }
    var all = el("option", "", "Focus: everything");
    all.value = "";
    focusSelect.appendChild(all);
    var data = state.focus || {stages: [], functions: []};
    data.stages.forEach(function (s) {
      var o = el("option", "", "Stage: " + s[1]); o.value = "s:" + s[0]; focusSelect.appendChild(o);
    });
    data.functions.forEach(function (f) {
      var o = el("option", "", "Function: " + f[1]); o.value = "f:" + f[0]; focusSelect.appendChild(o);
    });
    var values = Array.prototype.map.call(focusSelect.options, function (o) { return o.value; });
    if (values.indexOf(view.focus) < 0) { view.focus = ""; }
  }

  function cycleFocus(kind) {
    var data = state.focus;
    if (!data) { return; }
    var list = (kind === "s" ? data.stages : data.functions).map(function (x) { return kind + ":" + x[0]; });
    if (!list.length) { return; }
    var i = list.indexOf(view.focus);
    view.focus = i < 0 ? list[0] : (i + 1 < list.length ? list[i + 1] : "");
    applyFocus();
  }

  function showErrors(lines) {
    while (errorsBox.firstChild) { errorsBox.removeChild(errorsBox.firstChild); }
    if (!lines || !lines.length) {
      errorsBox.hidden = true;
      document.documentElement.classList.remove("jm-broken");
      return;
    }
    errorsBox.appendChild(el("h2", "", "This save does not load \u2014 showing the last good picture"));
    var pre = el("pre");
    lines.forEach(function (line) { pre.appendChild(el("div", "jm-live-error-line", line)); });
    errorsBox.appendChild(pre);
    errorsBox.appendChild(el("p", "", "Fix the file and save: this message clears itself."));
    errorsBox.hidden = false;
    document.documentElement.classList.add("jm-broken");
  }

  function changed() {
    document.dispatchEvent(new CustomEvent("jm:diagram", {bubbles: true}));
  }

  function swapBody(html, bodyClass) {
    var parsed = new DOMParser().parseFromString(html, "text/html");
    Array.prototype.forEach.call(parsed.querySelectorAll("script"), function (s) { s.remove(); });
    var oldStage = stage();
    var newSvg = pick(parsed);
    var slot = null;
    if (newSvg && oldStage) {
      slot = parsed.createElement("div");
      slot.id = "jm-live-slot";
      newSvg.parentNode.replaceChild(slot, newSvg);
    }
    var sx = window.scrollX, sy = window.scrollY;
    var body = document.body;
    var anchor = body.querySelector("script");
    Array.prototype.slice.call(body.childNodes).forEach(function (node) {
      if (node === ui || (node.nodeName === "SCRIPT")) { return; }
      body.removeChild(node);
    });
    Array.prototype.slice.call(parsed.body.childNodes).forEach(function (node) {
      body.insertBefore(document.importNode(node, true), anchor || ui);
    });
    if (slot) {
      var target = document.getElementById("jm-live-slot");
      var fresh = document.importNode(newSvg, true);
      while (oldStage.firstChild) { oldStage.removeChild(oldStage.firstChild); }
      oldStage.appendChild(fresh);
      target.parentNode.replaceChild(oldStage, target);
    }
    if (bodyClass !== undefined && bodyClass !== null) { body.className = bodyClass; }
    window.scrollTo(sx, sy);
  }

  function swapSvg(markup) {
    var wrap = stage();
    if (!wrap) { return; }
    var parsed = new DOMParser().parseFromString(markup, "text/html");
    var fresh = parsed.querySelector("svg.diagram");
    if (!fresh) { return; }
    while (wrap.firstChild) { wrap.removeChild(wrap.firstChild); }
    wrap.appendChild(document.importNode(fresh, true));
  }

  function apply(msg) {
    if (msg.page !== state.page) { return; }
    if (msg.sid !== state.sid) { window.location.reload(); return; }
    if (msg.version <= state.version) { return; }
    state.version = msg.version;
    if (msg.svg && (msg.body === null || msg.body === undefined)) {
      swapSvg(msg.svg);
      if (msg.focus) { state.focus = msg.focus; focusOptions(); }
    }
    if (msg.body !== null && msg.body !== undefined) {
      swapBody(msg.body, msg.body_class);
      if (msg.focus) { state.focus = msg.focus; focusOptions(); }
      if (msg.title) { document.title = msg.title; }
    }
    showErrors(msg.errors);
    applyView();
    changed();
    document.documentElement.setAttribute("data-live-version", String(state.version));
  }

  function button(label, shortcut, action, cls) {
    var b = el("button", cls || "", label);
    b.type = "button";
    b.title = shortcut;
    b.addEventListener("click", action);
    return b;
  }

  function buildUi() {
    ui = el("div", "jm-live-ui");
    ui.id = "jm-live-ui";
    errorsBox = el("div", "jm-live-errors");
    errorsBox.id = "jm-live-errors";
    errorsBox.setAttribute("role", "alert");
    errorsBox.hidden = true;
    helpBox = el("div", "jm-live-help");
    helpBox.id = "jm-live-help";
    helpBox.hidden = true;
    helpBox.appendChild(el("h2", "", "Keyboard shortcuts"));
    var dl = el("dl");
    [["f", "presenter mode: the diagram fills the screen; again (or Esc) to leave"],
     ["\u2192 / \u2190", "presenter mode: next / previous stage (Space, Page Down / Page Up too)"],
     ["1 2 3", "presenter mode: show 1, 2 or 3 stages at a time"],
     ["Home / o", "presenter mode: the whole journey (overview)"],
     ["+ / -", "zoom in / out (the mouse wheel too in presenter mode; drag to pan)"],
     ["0", "reset the zoom (presenter mode: back to the current stage)"],
     ["s", "focus on the next stage (dims the others)"],
     ["d", "focus on the next function (department)"],
     ["Esc", "clear focus, leave presenter mode, close this help"],
     ["?", "show or hide this help"]].forEach(function (row) {
      dl.appendChild(el("dt", "", row[0]));
      dl.appendChild(el("dd", "", row[1]));
    });
    helpBox.appendChild(dl);
    var bar = el("div", "jm-live-bar");
    bar.id = "jm-live-bar";
    statusDot = el("span", "jm-live-status", "\u25CF live");
    statusDot.title = "Connected to journeymap serve";
    bar.appendChild(statusDot);
    walkBox = el("div", "jm-walk");
    walkBox.id = "jm-walk";
    walkBox.hidden = true;
    walkBox.appendChild(button("\u2039", "Previous stage (\u2190)", function () { stepBy(-1); }, "jm-prev"));
    stepLabel = el("span", "jm-step", "");
    stepLabel.id = "jm-step";
    stepLabel.setAttribute("aria-live", "polite");
    walkBox.appendChild(stepLabel);
    walkBox.appendChild(button("\u203A", "Next stage (\u2192)", function () { stepBy(1); }, "jm-next"));
    var per = el("span", "jm-per");
    per.setAttribute("role", "group");
    per.setAttribute("aria-label", "Stages at a time");
    per.appendChild(el("span", "jm-per-label", "stages"));
    [1, 2, 3].forEach(function (n) {
      var b = button(String(n), n + " stage" + (n > 1 ? "s" : "") + " at a time (" + n + ")", function () { setPer(n); });
      b.value = String(n);
      perButtons.push(b);
      per.appendChild(b);
    });
    walkBox.appendChild(per);
    walkBox.appendChild(button("Overview", "The whole journey (Home)", function () { showStep(-1); }, "jm-overview"));
    bar.appendChild(walkBox);
    presentButton = button("Present", "Presenter mode (f)", function () { present(); }, "jm-present");
    bar.appendChild(presentButton);
    bar.appendChild(button("\u2212", "Zoom out (-)", function () { zoomCentre(1 / 1.25); }));
    bar.appendChild(button("+", "Zoom in (+)", function () { zoomCentre(1.25); }));
    focusSelect = el("select");
    focusSelect.setAttribute("aria-label", "Focus on a stage or function");
    focusSelect.addEventListener("change", function () { view.focus = focusSelect.value; applyFocus(); });
    bar.appendChild(focusSelect);
    bar.appendChild(button("?", "Keyboard shortcuts (?)", function () { helpBox.hidden = !helpBox.hidden; }));
    ui.appendChild(errorsBox);
    ui.appendChild(helpBox);
    ui.appendChild(bar);
    document.body.appendChild(ui);
    focusOptions();
  }

  function typing(event) {
    var t = event.target;
    return t instanceof Element && t.matches("input, textarea, select, [contenteditable]");
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event)) { return; }
    var k = event.key;
    var p = walking();
    if (k === "?") { helpBox.hidden = !helpBox.hidden; }
    else if (k === "f") { present(); }
    else if (k === "+" || k === "=") { zoomCentre(1.25); }
    else if (k === "-" || k === "_") { zoomCentre(1 / 1.25); }
    else if (k === "0") { fit(); }
    else if (k === "s") { cycleFocus("s"); }
    else if (k === "d") { cycleFocus("f"); }
    else if (p && (k === "ArrowRight" || k === "PageDown" || k === " ")) { stepBy(1); }
    else if (p && (k === "ArrowLeft" || k === "PageUp")) { stepBy(-1); }
    else if (p && (k === "Home" || k === "o")) { showStep(-1); }
    else if (p && k === "End") { walkReady(); showStep(walk.steps.length - 1); }
    else if (p && (k === "1" || k === "2" || k === "3")) { setPer(Number(k)); }
    else if (k === "Escape") { view.focus = ""; helpBox.hidden = true; if (view.presenting) { present(false); } else { applyFocus(); } }
    else { return; }
    event.preventDefault();
  });

  document.addEventListener("wheel", function (event) {
    if (!view.presenting) { return; }
    var svg = diagram();
    if (!svg || !svg.contains(event.target)) { return; }
    event.preventDefault();
    var r = svg.getBoundingClientRect();
    if (walking()) {
      zoomBox(event.deltaY < 0 ? 1.1 : 1 / 1.1, event.clientX - r.left, event.clientY - r.top);
    } else {
      var w = stage().getBoundingClientRect();
      zoomAt(event.deltaY < 0 ? 1.1 : 1 / 1.1, event.clientX - w.left, event.clientY - w.top);
    }
  }, {passive: false});

  var drag = null;
  document.addEventListener("pointerdown", function (event) {
    if (!view.presenting || event.button !== 0) { return; }
    var svg = diagram();
    if (!svg || !svg.contains(event.target)) { return; }
    drag = {x: event.clientX, y: event.clientY, x0: event.clientX, y0: event.clientY, moved: false, target: event.target};
  });
  document.addEventListener("pointermove", function (event) {
    if (!drag) { return; }
    if (Math.abs(event.clientX - drag.x0) + Math.abs(event.clientY - drag.y0) > 4) { drag.moved = true; }
    if (drag.moved) {
      if (walking()) { panBox(event.clientX - drag.x, event.clientY - drag.y); }
      else { view.x += event.clientX - drag.x; view.y += event.clientY - drag.y; applyView(); }
      drag.x = event.clientX; drag.y = event.clientY;
    }
  });
  document.addEventListener("pointerup", function () {
    var d = drag;
    drag = null;
    if (!d || d.moved || !walking() || !(d.target instanceof Element)) { return; }
    var head = d.target.closest("g.node.stage, [data-stage]");
    if (head) {
      showStage(head.getAttribute("data-stage") || head.id.replace(/^stage-/, ""));
    }
  });

  window.addEventListener("resize", function () {
    if (walking() && walkReady()) { showStep(walk.step, false); }
  });

  buildUi();
  showErrors(state.errors);
  applyView();
  document.documentElement.setAttribute("data-live-version", String(state.version));

  if (window.EventSource) {
    var connect = function () {
      var source = new EventSource("/_live/events?page=" + encodeURIComponent(state.page));
      source.addEventListener("page", function (event) { apply(JSON.parse(event.data)); });
      source.addEventListener("open", function () { statusDot.classList.remove("off"); statusDot.title = "Connected to journeymap serve"; });
      source.addEventListener("error", function () {
        statusDot.classList.add("off");
        statusDot.title = "Not connected: is journeymap serve still running?";
        // A refused stream (503: the server is at its cap of open pages) is not retried by
        // the browser itself: try again a little later.
        if (source.readyState === 2) { setTimeout(connect, 5000); }
      });
    };
    connect();
  }
}());
"""

LIVE_CSS = r"""/* journeymap serve: presenter mode, error overlay, focus mode. */
.jm-live-stage { overflow: hidden; position: relative; }
.jm-live-stage > svg.diagram { display: block; max-width: none; width: 100%; height: auto; }
/* Presenter mode: the diagram fills the screen above a slim control bar; its viewBox does the
   zooming (live.js), so the report's own sizing rules are overridden here. */
.jm-live-stage.presenting {
  position: fixed; inset: 0 0 52px 0; z-index: 9000; background: #ffffff; color: #15202b;
  cursor: grab; touch-action: none; user-select: none;
}
.jm-live-stage.presenting > svg.diagram {
  width: 100% !important; height: 100% !important; max-width: none !important;
  max-height: none !important; border-radius: 0 !important;
}
.jm-live-stage.presenting.walking > svg.diagram { transform: none !important; }
html.jm-presenting, html.jm-presenting body { overflow: hidden; }
.presenting svg.diagram g.node.stage, .presenting svg.diagram .jm-pin-stage { cursor: pointer; }
svg.diagram .jm-pins .jm-off { display: none; }
svg.diagram .jm-walk-out { opacity: 0.3; transition: opacity 0.25s; }
svg.diagram .jm-walk-on :is(path, polygon) { stroke: #e8a200; stroke-width: 3px; }
@media (prefers-reduced-motion: reduce) { svg.diagram .jm-walk-out, svg.diagram .jm-dim { transition: none; } }
svg.diagram .jm-dim { opacity: 0.15; transition: opacity 0.2s; }
.jm-live-ui { position: fixed; z-index: 9500; inset: auto 0 0 0; pointer-events: none; font: 14px/1.4 system-ui, sans-serif; }
.jm-live-bar {
  pointer-events: auto; position: fixed; right: 1rem; bottom: 1rem; display: flex; gap: 0.4rem;
  align-items: center; padding: 0.35rem 0.5rem; border-radius: 0.5rem;
  background: rgba(20, 20, 20, 0.85); color: #fff; box-shadow: 0 2px 8px rgba(0, 0, 0, 0.3);
}
html.jm-presenting .jm-live-bar {
  left: 0; right: 0; bottom: 0; height: 52px; border-radius: 0; padding: 0 1rem; gap: 0.5rem;
  justify-content: center; background: #1b2229; box-shadow: none; font-size: 15px;
}
html.jm-presenting .jm-live-status { margin-right: auto; }
.jm-live-bar button, .jm-live-bar select {
  font: inherit; min-width: 2rem; min-height: 2rem; padding: 0.15rem 0.5rem; border-radius: 0.3rem;
  border: 1px solid #888; background: #333; color: #fff; cursor: pointer;
}
.jm-live-bar button:hover { background: #444; }
.jm-live-bar button:focus-visible, .jm-live-bar select:focus-visible { outline: 3px solid #ffc72c; outline-offset: 1px; }
.jm-walk { display: flex; align-items: center; gap: 0.5rem; margin-right: auto; }
.jm-walk .jm-prev, .jm-walk .jm-next { font-size: 1.35rem; line-height: 1; min-width: 2.6rem; }
.jm-step { width: 22rem; overflow: hidden; text-overflow: ellipsis; text-align: center; font-weight: 600; white-space: nowrap; font-variant-numeric: tabular-nums; }
.jm-per { display: inline-flex; align-items: center; gap: 0.2rem; margin-left: 0.5rem; }
.jm-per-label { color: #c6ced6; margin-right: 0.2rem; }
.jm-per button[aria-pressed="true"] { background: #e8a200; border-color: #e8a200; color: #111; font-weight: 700; }
.jm-live-status { color: #7fd67f; white-space: nowrap; }
.jm-live-status.off { color: #ff8a80; }
.jm-live-errors {
  pointer-events: auto; position: fixed; top: 1rem; left: 50%; transform: translateX(-50%);
  width: min(60rem, 92vw); max-height: 70vh; overflow: auto; padding: 0.75rem 1rem;
  background: rgba(255, 244, 242, 0.96); color: #5c0b00; border: 3px solid #D55E00;
  border-radius: 0.5rem; box-shadow: 0 4px 18px rgba(0, 0, 0, 0.35);
}
.jm-live-errors h2 { margin: 0 0 0.5rem; font-size: 1.05rem; }
.jm-live-errors pre { margin: 0; white-space: pre-wrap; font: 13px/1.45 ui-monospace, monospace; }
.jm-live-errors p { margin: 0.5rem 0 0; font-size: 0.9rem; }
html.jm-broken svg.diagram { filter: grayscale(0.7); opacity: 0.55; }
.jm-live-help {
  pointer-events: auto; position: fixed; right: 1rem; bottom: 4rem; width: min(30rem, 92vw);
  padding: 0.75rem 1rem; background: rgba(20, 20, 20, 0.92); color: #fff; border-radius: 0.5rem;
}
.jm-live-help h2 { margin: 0 0 0.5rem; font-size: 1rem; }
.jm-live-help dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 0.75rem; margin: 0; }
.jm-live-help dt { font-weight: 700; font-family: ui-monospace, monospace; }
.jm-live-help dd { margin: 0; }
.jm-live-waiting { padding: 2rem; font: 1rem/1.5 system-ui, sans-serif; }
[hidden] { display: none !important; }
"""
