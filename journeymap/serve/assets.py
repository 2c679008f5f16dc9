"""The live client: a script and a stylesheet served at ``/_live/live.js`` and ``/_live/live.css``.

Kept as Python strings so every installed copy of journeymap carries them (no package data to
forget). The script only reads ids and classes and sets ``textContent``; see the comment at its top.
"""

from __future__ import annotations

__all__ = ["LIVE_JS", "LIVE_CSS"]

LIVE_JS = r"""/* journeymap serve: live updates over server-sent events, presenter controls.
   Never turns data into script: journey text arrives as HTML the server rendered with
   autoescaping, is parsed inert by DOMParser (scripts dropped), and errors are set as textContent. */
(function () {
  "use strict";
  var stateEl = document.getElementById("jm-live-state");
  if (!stateEl) { return; }
  var state = JSON.parse(stateEl.textContent);
  var view = {zoom: 1, x: 0, y: 0, presenting: false, focus: ""};
  var ui, errorsBox, helpBox, focusSelect, statusDot;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function diagram() { return document.querySelector("svg.diagram"); }

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

  function applyView() {
    var wrap = stage();
    var svg = diagram();
    if (!wrap || !svg) { return; }
    wrap.classList.toggle("presenting", view.presenting);
    document.documentElement.classList.toggle("jm-presenting", view.presenting);
    svg.style.transformOrigin = "0 0";
    svg.style.transform = "translate(" + view.x + "px," + view.y + "px) scale(" + view.zoom + ")";
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

  function zoomCentre(factor) {
    var wrap = stage();
    if (!wrap) { return; }
    var r = wrap.getBoundingClientRect();
    zoomAt(factor, r.width / 2, r.height / 2);
  }

  function fit() { view.zoom = 1; view.x = 0; view.y = 0; applyView(); }

  function present(on) {
    view.presenting = on === undefined ? !view.presenting : on;
    fit();
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
      var node = document.getElementById("tp-" + tp);
      if (node) { node.classList.toggle("jm-dim", keep !== null && !keep[tp]); }
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

  function swapBody(html, bodyClass) {
    var parsed = new DOMParser().parseFromString(html, "text/html");
    Array.prototype.forEach.call(parsed.querySelectorAll("script"), function (s) { s.remove(); });
    var oldStage = stage();
    var newSvg = parsed.querySelector("svg.diagram");
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
    document.documentElement.setAttribute("data-live-version", String(state.version));
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
    [["f", "fit the diagram to the screen (presenter mode); again to leave"],
     ["+ / -", "zoom in / out (or the mouse wheel in presenter mode; drag to pan)"],
     ["0", "reset zoom: fit"],
     ["s", "focus on the next stage (dims the others)"],
     ["d", "focus on the next function (department)"],
     ["Esc", "clear focus, leave presenter mode, close this help"],
     ["?", "show or hide this help"]].forEach(function (row) {
      dl.appendChild(el("dt", "", row[0]));
      dl.appendChild(el("dd", "", row[1]));
    });
    helpBox.appendChild(dl);
    var bar = el("div", "jm-live-bar");
    statusDot = el("span", "jm-live-status", "\u25CF live");
    statusDot.title = "Connected to journeymap serve";
    bar.appendChild(statusDot);
    [["Fit", "f", function () { present(); }],
     ["\u2212", "-", function () { zoomCentre(1 / 1.25); }],
     ["+", "+", function () { zoomCentre(1.25); }],
     ["?", "?", function () { helpBox.hidden = !helpBox.hidden; }]].forEach(function (b) {
      var button = el("button", "", b[0]);
      button.type = "button";
      button.title = "Shortcut: " + b[1];
      button.addEventListener("click", b[2]);
      bar.appendChild(button);
    });
    focusSelect = el("select");
    focusSelect.setAttribute("aria-label", "Focus on a stage or function");
    focusSelect.addEventListener("change", function () { view.focus = focusSelect.value; applyFocus(); });
    bar.insertBefore(focusSelect, bar.lastChild);
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
    if (k === "?") { helpBox.hidden = !helpBox.hidden; }
    else if (k === "f") { present(); }
    else if (k === "+" || k === "=") { zoomCentre(1.25); }
    else if (k === "-" || k === "_") { zoomCentre(1 / 1.25); }
    else if (k === "0") { fit(); }
    else if (k === "s") { cycleFocus("s"); }
    else if (k === "d") { cycleFocus("f"); }
    else if (k === "Escape") { view.focus = ""; helpBox.hidden = true; if (view.presenting) { present(false); } else { applyFocus(); } }
    else { return; }
    event.preventDefault();
  });

  document.addEventListener("wheel", function (event) {
    if (!view.presenting) { return; }
    var wrap = stage();
    if (!wrap) { return; }
    event.preventDefault();
    var r = wrap.getBoundingClientRect();
    zoomAt(event.deltaY < 0 ? 1.1 : 1 / 1.1, event.clientX - r.left, event.clientY - r.top);
  }, {passive: false});

  var drag = null;
  document.addEventListener("pointerdown", function (event) {
    if (!view.presenting || event.button !== 0) { return; }
    var wrap = stage();
    if (!wrap || !wrap.contains(event.target)) { return; }
    drag = {x: event.clientX - view.x, y: event.clientY - view.y};
  });
  document.addEventListener("pointermove", function (event) {
    if (!drag) { return; }
    view.x = event.clientX - drag.x;
    view.y = event.clientY - drag.y;
    applyView();
  });
  document.addEventListener("pointerup", function () { drag = null; });

  buildUi();
  showErrors(state.errors);
  applyView();
  document.documentElement.setAttribute("data-live-version", String(state.version));

  if (window.EventSource) {
    var source = new EventSource("/_live/events?page=" + encodeURIComponent(state.page));
    source.addEventListener("page", function (event) { apply(JSON.parse(event.data)); });
    source.addEventListener("open", function () { statusDot.classList.remove("off"); statusDot.title = "Connected to journeymap serve"; });
    source.addEventListener("error", function () { statusDot.classList.add("off"); statusDot.title = "Not connected: is journeymap serve still running?"; });
  }
}());
"""

LIVE_CSS = r"""/* journeymap serve: presenter controls, error overlay, focus mode. */
.jm-live-stage { overflow: hidden; position: relative; }
.jm-live-stage > svg.diagram { display: block; max-width: none; width: 100%; height: auto; }
.jm-live-stage.presenting {
  position: fixed; inset: 0; z-index: 9000; background: Canvas; color: CanvasText;
  cursor: grab; touch-action: none;
}
.jm-live-stage.presenting > svg.diagram { width: 100vw; height: 100vh; }
html.jm-presenting, html.jm-presenting body { overflow: hidden; }
svg.diagram .jm-dim { opacity: 0.15; transition: opacity 0.2s; }
.jm-live-ui { position: fixed; z-index: 9500; inset: auto 0 0 0; pointer-events: none; font: 14px/1.4 system-ui, sans-serif; }
.jm-live-bar {
  pointer-events: auto; position: fixed; right: 1rem; bottom: 1rem; display: flex; gap: 0.4rem;
  align-items: center; padding: 0.35rem 0.5rem; border-radius: 0.5rem;
  background: rgba(20, 20, 20, 0.85); color: #fff; box-shadow: 0 2px 8px rgba(0, 0, 0, 0.3);
}
.jm-live-bar button, .jm-live-bar select {
  font: inherit; min-width: 2rem; padding: 0.15rem 0.5rem; border-radius: 0.3rem;
  border: 1px solid #888; background: #333; color: #fff; cursor: pointer;
}
.jm-live-status { color: #7fd67f; }
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
  pointer-events: auto; position: fixed; right: 1rem; bottom: 4rem; width: min(28rem, 92vw);
  padding: 0.75rem 1rem; background: rgba(20, 20, 20, 0.92); color: #fff; border-radius: 0.5rem;
}
.jm-live-help h2 { margin: 0 0 0.5rem; font-size: 1rem; }
.jm-live-help dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 0.75rem; margin: 0; }
.jm-live-help dt { font-weight: 700; font-family: ui-monospace, monospace; }
.jm-live-help dd { margin: 0; }
.jm-live-waiting { padding: 2rem; font: 1rem/1.5 system-ui, sans-serif; }
[hidden] { display: none !important; }
"""
