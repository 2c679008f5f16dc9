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

  function select(targetId, scrollTo) {
    clear();
    if (!targetId) { return; }
    var shape = document.getElementById(targetId);
    var rows = rowsFor(targetId);
    mark(shape);
    rows.forEach(function (row) {
      mark(row);
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

  /* "Actual size" shows the diagram at its natural size, scrolling inside its frame. */
  Array.prototype.forEach.call(document.querySelectorAll("figure.zoomable"), function (figure) {
    var button = figure.querySelector("button.zoom");
    var svg = figure.querySelector("svg.diagram");
    var natural = svg && svg.getAttribute("data-natural-width");
    if (!button || !natural) { if (button) { button.hidden = true; } return; }
    button.addEventListener("click", function () {
      var on = button.getAttribute("aria-pressed") !== "true";
      button.setAttribute("aria-pressed", on ? "true" : "false");
      figure.classList.toggle("zoomed", on);
      /* CSSOM, not a style attribute: the Content-Security-Policy allows this. */
      var area = figure.querySelector(".zoom-area");
      /* Keep the point at the middle of the frame where it is (fitted: the diagram's centre). */
      var fx = area ? (area.scrollLeft + area.clientWidth / 2) / Math.max(1, area.scrollWidth) : 0;
      var fy = area ? (area.scrollTop + area.clientHeight / 2) / Math.max(1, area.scrollHeight) : 0;
      svg.style.width = on ? natural + "px" : "";
      svg.style.maxWidth = on ? "none" : "";
      svg.style.maxHeight = on ? "none" : "";
      if (area) {
        area.scrollLeft = fx * area.scrollWidth - area.clientWidth / 2;
        area.scrollTop = fy * area.scrollHeight - area.clientHeight / 2;
      }
    });
  });

  /* Mark diagram shapes that have findings so they look clickable. */
  Array.prototype.forEach.call(document.querySelectorAll("[data-target]"), function (row) {
    var shape = document.getElementById(row.getAttribute("data-target"));
    if (shape) { shape.classList.add("has-finding"); }
  });
})();
