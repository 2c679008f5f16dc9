/* journeymap report: link findings and diagram edges both ways. No network, no eval, no data from
   the page is ever turned into markup: only ids and classes are read and toggled. */
(function () {
  "use strict";
  var selected = [];

  function clear() {
    selected.forEach(function (el) {
      el.classList.remove("is-selected");
      el.removeAttribute("aria-current");
    });
    selected = [];
  }

  function mark(el) {
    if (el && selected.indexOf(el) < 0) {
      el.classList.add("is-selected");
      el.setAttribute("aria-current", "true");
      selected.push(el);
    }
  }

  function rowsFor(targetId) {
    return Array.prototype.filter.call(document.querySelectorAll("[data-target]"), function (row) {
      return row.getAttribute("data-target") === targetId;
    });
  }

  function markersFor(number) {
    return Array.prototype.filter.call(document.querySelectorAll(".emotion-curve [data-handoff]"), function (el) {
      return el.getAttribute("data-handoff") === number;
    });
  }

  /* Findings sit in closed <details>: open the ones in (and around) an element before showing it. */
  function reveal(el) {
    if (!el) { return; }
    Array.prototype.forEach.call(el.querySelectorAll("details:not([open])"), function (d) { d.open = true; });
    for (var d = el.closest("details"); d; d = d.parentElement && d.parentElement.closest("details")) {
      d.open = true;
    }
  }

  function revealHash() {
    var id = window.location.hash.slice(1);
    var el = id && document.getElementById(decodeURIComponent(id));
    if (el && !el.closest("svg")) { reveal(el); el.scrollIntoView(); }
  }
  window.addEventListener("hashchange", revealHash);

  /* A printed page shows every finding: open the folded lists for printing, then fold them back. */
  var printOpened = [];
  window.addEventListener("beforeprint", function () {
    printOpened = Array.prototype.slice.call(document.querySelectorAll("details:not([open])"));
    printOpened.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    printOpened.forEach(function (d) { d.open = false; });
    printOpened = [];
  });
  revealHash();

  function select(targetId, scrollTo) {
    clear();
    if (!targetId) { return; }
    var shape = document.getElementById(targetId);
    var rows = rowsFor(targetId);
    mark(shape);
    rows.forEach(function (row) {
      mark(row);
      if (scrollTo === "row") { reveal(row); }
      var number = row.getAttribute("data-handoff");
      if (number) { markersFor(number).forEach(mark); }
    });
    if (scrollTo === "row" && rows.length) {
      rows[0].scrollIntoView({block: "center"});
    } else if (scrollTo === "shape" && shape) {
      shape.scrollIntoView({block: "center", inline: "center"});
    }
  }

  document.addEventListener("click", function (event) {
    var el = event.target;
    if (!(el instanceof Element)) { return; }
    var row = el.closest("tr[data-target]");
    if (row) {
      select(row.getAttribute("data-target"), "shape");
      /* a click on a summary opens or closes its own <details> */
      if (!el.closest("summary")) { reveal(row); }
      return;
    }
    var marker = el.closest(".emotion-curve [data-handoff]");
    if (marker) {
      var handoff = document.getElementById("handoff-" + marker.getAttribute("data-handoff"));
      if (handoff) { select(handoff.getAttribute("data-target"), "row"); }
      return;
    }
    var shape = el.closest("svg.diagram g.edge, svg.diagram g.node");
    if (shape && shape.id) {
      select(shape.id, "row");
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { clear(); return; }
    var el = event.target;
    if ((event.key === "Enter" || event.key === " ") && el instanceof Element && el.matches(".emotion-curve [data-handoff]")) {
      event.preventDefault();
      el.dispatchEvent(new MouseEvent("click", {bubbles: true}));
    }
  });

  /* "Actual size" shows the diagram at its natural size, scrolling inside its frame from the top
     left. A journey diagram keeps its lane labels (left) and stage headers (top) in view: sticky
     copies of them, cloned from the diagram itself (ids removed), over the scrolling picture. */
  var SVGNS = "http://www.w3.org/2000/svg";

  function svgEl(tag, attrs) {
    var node = document.createElementNS(SVGNS, tag);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, String(attrs[k])); });
    return node;
  }

  function bare(node) {
    var copy = node.cloneNode(true);
    copy.removeAttribute("id");
    Array.prototype.forEach.call(copy.querySelectorAll("[id]"), function (n) { n.removeAttribute("id"); });
    Array.prototype.forEach.call(copy.querySelectorAll("title"), function (n) { n.remove(); });
    return copy;
  }

  /* The engine draws each line of a label as its own pinned node (<id>, <id>-2, ... and, on a
     framed label, <id>-text, <id>-text-2, ...): fold the lines back into the label's group, so
     a label is one element to measure, clone and highlight. Coordinates are shared. */
  function foldLines(graph) {
    if (graph.jmFolded) { return; }
    graph.jmFolded = true;
    Array.prototype.forEach.call(graph.querySelectorAll("g.node[id]"), function (g) {
      var m = /^(.*?)(-text)?(-[0-9]+)?$/.exec(g.id);
      if (!m || (!m[2] && !m[3]) || g.querySelector("polygon, path, ellipse")) { return; }
      var base = document.getElementById(m[1]);
      if (!base || base === g || base.closest("svg") !== g.closest("svg")) { return; }
      Array.prototype.forEach.call(g.querySelectorAll("text"), function (t) { base.appendChild(t); });
    });
  }

  /* Lanes, stage headers and the label strip in viewBox units (see the grid views' SVG contract). */
  function grid(svg) {
    var graph = svg.querySelector("g.graph");
    var vb = svg.viewBox.baseVal;
    if (!graph || !vb || !vb.width) { return null; }
    foldLines(graph);
    var t = graph.transform.baseVal.consolidate();
    var m = t ? t.matrix : {a: 1, d: 1, e: 0, f: 0};
    function box(node) {
      var b = node.getBBox();
      var xs = [m.a * b.x + m.e, m.a * (b.x + b.width) + m.e], ys = [m.d * b.y + m.f, m.d * (b.y + b.height) + m.f];
      return {x0: Math.min(xs[0], xs[1]), x1: Math.max(xs[0], xs[1]), y0: Math.min(ys[0], ys[1]), y1: Math.max(ys[0], ys[1])};
    }
    var lanes = Array.prototype.map.call(graph.querySelectorAll("g.cluster.lane"), function (g) {
      var shape = g.querySelector("polygon, path");
      var id = g.id.replace(/^lane-/, "");
      return shape && {id: id, shape: shape, box: box(shape), label: document.getElementById("lane-label-" + id)};
    }).filter(Boolean);
    var bands = Array.prototype.map.call(graph.querySelectorAll("g.cluster.stage"), function (g) {
      var shape = g.querySelector("polygon, path");
      return shape && box(shape);
    }).filter(Boolean);
    var heads = Array.prototype.slice.call(graph.querySelectorAll("g.node.stage[id]"));
    if (!lanes.length || !bands.length || !heads.length) { return null; }
    var hb = heads.map(box);
    var bandsTop = Math.min.apply(null, bands.map(function (b) { return b.y0; }));
    var headTop = Math.min.apply(null, hb.map(function (b) { return b.y0; }));
    var gap = Math.max(0, bandsTop - Math.max.apply(null, hb.map(function (b) { return b.y1; })));
    var back = graph.querySelector(":scope > polygon");
    var bg = (back && back.getAttribute("fill")) || "#ffffff";
    return {graph: graph, vb: vb, lanes: lanes, heads: heads, bg: bg === "none" ? "#ffffff" : bg,
            stripX0: Math.min.apply(null, lanes.map(function (l) { return l.box.x0; })),
            stripX1: Math.min.apply(null, bands.map(function (b) { return b.x0; })),
            lanesTop: Math.min.apply(null, lanes.map(function (l) { return l.box.y0; })),
            lanesBottom: Math.max.apply(null, lanes.map(function (l) { return l.box.y1; })),
            headTop: headTop - gap, headBottom: bandsTop};
  }

  /* A small SVG showing part [x0, x1] x [y0, y1] (viewBox units) of the diagram at k px a unit. */
  function piece(g, k, x0, x1, y0, y1, cls) {
    var out = svgEl("svg", {"class": "sticky-pin " + cls, "aria-hidden": "true", focusable: "false",
      viewBox: [x0, y0, x1 - x0, y1 - y0].join(" "), width: ((x1 - x0) * k).toFixed(2), height: ((y1 - y0) * k).toFixed(2)});
    var inner = svgEl("g", {transform: g.graph.getAttribute("transform") || ""});
    out.appendChild(inner);
    return {svg: out, g: inner};
  }

  function local(g, x, y) {
    var t = g.graph.transform.baseVal.consolidate();
    var m = t ? t.matrix : {a: 1, d: 1, e: 0, f: 0};
    return {x: (x - m.e) / m.a, y: (y - m.f) / m.d, sx: Math.abs(m.a), sy: Math.abs(m.d)};
  }

  function rect(g, x0, y0, x1, y1, fill, stroke) {
    var p = local(g, x0, y0), q = local(g, x1, y1);
    return svgEl("rect", {x: Math.min(p.x, q.x), y: Math.min(p.y, q.y), width: Math.abs(q.x - p.x),
      height: Math.abs(q.y - p.y), fill: fill, stroke: stroke || "none"});
  }

  function addPins(area, svg, k) {
    var g = grid(svg);
    if (!g) { return false; }
    var vb = g.vb;
    /* the label strip, full height, sticky at the left */
    var left = piece(g, k, vb.x, g.stripX1, vb.y, vb.y + vb.height, "pin-lanes");
    var labels = [];
    left.g.appendChild(rect(g, vb.x, g.lanesTop, g.stripX0, g.lanesBottom, g.bg));
    g.lanes.forEach(function (l) {
      left.g.appendChild(rect(g, l.box.x0, l.box.y0, g.stripX1, l.box.y1,
        l.shape.getAttribute("fill") || g.bg, l.shape.getAttribute("stroke") || "none"));
      if (l.label) {
        var copy = bare(l.label);
        copy.setAttribute("data-lane", l.id);
        left.g.appendChild(copy);
        var lb = l.label.getBBox(), o = local(g, 0, 0);
        labels.push({node: copy, y0: (lb.y - o.y) * o.sy, y1: (lb.y + lb.height - o.y) * o.sy, lane: l.box});
      }
    });
    /* the stage header row, full width, sticky at the top */
    var top = piece(g, k, vb.x, vb.x + vb.width, g.headTop, g.headBottom, "pin-stages");
    top.g.appendChild(rect(g, vb.x, g.headTop, vb.x + vb.width, g.headBottom, g.bg));
    var names = g.heads.map(function (h) {
      var copy = bare(h);
      copy.setAttribute("data-stage", h.id.replace(/^stage-/, ""));
      top.g.appendChild(copy);
      var b = h.getBBox(), at = local(g, 0, 0);
      var widths = Array.prototype.map.call(h.querySelectorAll("text"), function (t) { return t.getBBox().width * at.sx; });
      return {texts: copy.querySelectorAll("text"), x0: (b.x - at.x) * at.sx, x1: (b.x + b.width - at.x) * at.sx,
              w: Math.max.apply(null, widths.concat([0]))};
    });
    /* the corner where they meet */
    var corner = piece(g, k, vb.x, g.stripX1, g.headTop, g.headBottom, "pin-corner");
    corner.g.appendChild(rect(g, vb.x, g.headTop, g.stripX1, g.headBottom, g.bg));
    var offset = ((g.headTop - vb.y) * k).toFixed(2) + "px";
    top.svg.style.marginTop = offset;
    corner.svg.style.marginTop = offset;
    [left.svg, top.svg, corner.svg].forEach(function (node) { area.appendChild(node); });
    area.jmNames = {g: g, names: names, labels: labels, k: k};
    follow(area);
    if (!area.jmFollows) {
      area.jmFollows = true;
      var queued = false;
      area.addEventListener("scroll", function () {
        if (queued) { return; }
        queued = true;
        window.requestAnimationFrame(function () { queued = false; follow(area); });
      }, {passive: true});
    }
    return true;
  }

  /* Each sticky stage name sits in the middle of the part of its header in view, and each lane
     label slides down its lane under the sticky header row: a stage wider, or a lane taller, than
     the frame keeps its name in view while it scrolls by. */
  function follow(area) {
    var state = area.jmNames;
    if (!state) { return; }
    var g = state.g, k = state.k, vb = g.vb;
    var top = Math.max(g.headBottom, vb.y + area.scrollTop / k + g.headBottom - g.headTop) + 4 * local(g, 0, 0).sy;
    state.labels.forEach(function (l) {
      var shift = Math.max(0, Math.min(top - l.y0, l.lane.y1 - l.y1 - (l.y0 - l.lane.y0)));
      l.node.setAttribute("transform", "translate(0 " + (shift / local(g, 0, 0).sy).toFixed(2) + ")");
    });
    var left = vb.x + area.scrollLeft / k + (g.stripX1 - vb.x), right = vb.x + (area.scrollLeft + area.clientWidth) / k;
    var at = local(g, 0, 0), pad = 6 * at.sx;
    state.names.forEach(function (n) {
      var lo = Math.max(n.x0, left), hi = Math.min(n.x1, right);
      var cx = hi > lo ? (lo + hi) / 2 : (n.x0 + n.x1) / 2;
      cx = n.x1 - n.x0 < n.w + 2 * pad ? (n.x0 + n.x1) / 2 : Math.max(n.x0 + n.w / 2 + pad, Math.min(n.x1 - n.w / 2 - pad, cx));
      /* a name that would be cut by the frame's edge or the sticky labels is left out */
      var cut = cx - n.w / 2 < left - 0.5 || cx + n.w / 2 > right + 0.5;
      var x = (cx / at.sx + at.x).toFixed(2);
      Array.prototype.forEach.call(n.texts, function (t) {
        t.setAttribute("x", x);
        t.setAttribute("visibility", cut ? "hidden" : "visible");
      });
    });
  }

  function removePins(area) {
    Array.prototype.forEach.call(area.querySelectorAll(":scope > .sticky-pin"), function (n) { n.remove(); });
    area.jmNames = null;
  }

  /* Which figures are zoomed and where they are scrolled, by section: the live preview replaces
     the page's body (and these figures) after an edit, and puts them back as they were. */
  var remembered = {};

  function keyOf(figure) {
    var section = figure.closest("[id]");
    return section ? section.id : "";
  }

  function remember(figure) {
    var area = figure.querySelector(".zoom-area");
    remembered[keyOf(figure)] = {on: figure.classList.contains("zoomed"),
      left: area ? area.scrollLeft : 0, top: area ? area.scrollTop : 0};
  }

  function setZoom(figure, on) {
    var button = figure.querySelector("button.zoom");
    var svg = figure.querySelector("svg.diagram");
    var area = figure.querySelector(".zoom-area");
    var natural = svg && Number(svg.getAttribute("data-natural-width"));
    if (!button || !svg || !natural) { return; }
    button.setAttribute("aria-pressed", on ? "true" : "false");
    /* Keep the point at the middle of the frame where it is (a picture without lanes). */
    var fx = area ? (area.scrollLeft + area.clientWidth / 2) / Math.max(1, area.scrollWidth) : 0;
    var fy = area ? (area.scrollTop + area.clientHeight / 2) / Math.max(1, area.scrollHeight) : 0;
    if (area) { removePins(area); }
    figure.classList.remove("pinned");
    figure.classList.toggle("zoomed", on);
    /* CSSOM, not a style attribute: the Content-Security-Policy allows this. */
    svg.style.width = on ? natural + "px" : "";
    svg.style.maxWidth = on ? "none" : "";
    svg.style.maxHeight = on ? "none" : "";
    if (!area) { return; }
    var pinned = on && addPins(area, svg, natural / svg.viewBox.baseVal.width);
    figure.classList.toggle("pinned", pinned);
    if (pinned || !on) {
      area.scrollLeft = 0;
      area.scrollTop = 0;
    } else {
      area.scrollLeft = fx * area.scrollWidth - area.clientWidth / 2;
      area.scrollTop = fy * area.scrollHeight - area.clientHeight / 2;
    }
    if (!area.jmRemembers) {
      area.jmRemembers = true;
      area.addEventListener("scroll", function () { remember(figure); }, {passive: true});
    }
    remember(figure);
  }

  Array.prototype.forEach.call(document.querySelectorAll("figure.zoomable"), function (figure) {
    var button = figure.querySelector("button.zoom");
    var svg = figure.querySelector("svg.diagram");
    if (button && !(svg && svg.getAttribute("data-natural-width"))) { button.hidden = true; }
  });

  /* Delegated: the live preview swaps the page's body and keeps this script. */
  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element && event.target.closest("figure.zoomable button.zoom");
    if (button) { setZoom(button.closest("figure.zoomable"), button.getAttribute("aria-pressed") !== "true"); }
  });

  /* A new picture (or page body) from the live preview: zoomed figures stay zoomed, scrolled
     where they were, with fresh sticky copies. */
  document.addEventListener("jm:diagram", function () {
    Array.prototype.forEach.call(document.querySelectorAll("figure.zoomable"), function (figure) {
      var was = remembered[keyOf(figure)];
      if (!was || (!was.on && !figure.classList.contains("zoomed"))) { return; }
      setZoom(figure, was.on);
      var area = figure.querySelector(".zoom-area");
      if (area) { area.scrollLeft = was.left; area.scrollTop = was.top; remember(figure); }
    });
  });

  /* Mark diagram shapes that have findings so they look clickable. */
  Array.prototype.forEach.call(document.querySelectorAll("[data-target]"), function (row) {
    var shape = document.getElementById(row.getAttribute("data-target"));
    if (shape) { shape.classList.add("has-finding"); }
  });
  /* The portfolio's heat map comes in two views, both in the page (handoffs, customers); without
     this script the first shows and its switch stays hidden. The switch is two toggle buttons;
     the choice survives the live preview's body swaps. */
  var heatChoice = "";

  function heatSwitch(choice) {
    var bar = document.querySelector(".heat-switch");
    if (!bar) { return; }
    var views = document.querySelectorAll(".heat-view[data-heat-view]");
    var known = Array.prototype.some.call(views, function (v) { return v.getAttribute("data-heat-view") === choice; });
    if (!known) { choice = views.length ? views[0].getAttribute("data-heat-view") : ""; }
    heatChoice = choice;
    bar.hidden = false;
    Array.prototype.forEach.call(bar.querySelectorAll("button[data-heat]"), function (b) {
      b.setAttribute("aria-pressed", b.getAttribute("data-heat") === choice ? "true" : "false");
    });
    Array.prototype.forEach.call(views, function (v) { v.hidden = v.getAttribute("data-heat-view") !== choice; });
  }

  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element && event.target.closest(".heat-switch button[data-heat]");
    if (button) { heatSwitch(button.getAttribute("data-heat")); }
  });
  document.addEventListener("jm:diagram", function () { heatSwitch(heatChoice); });
  heatSwitch(heatChoice);
})();
