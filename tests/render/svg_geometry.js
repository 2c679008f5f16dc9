/* Geometry of a Graphviz SVG as Chromium draws it: injected into a test page by
   tests/browser/test_diagram_geometry.py, which does the checks in Python.

   window.svgGeometry(markup) parses one SVG document (DOMParser, image/svg+xml, so the markup
   is read as XML exactly as a file would be), puts it in the page at its natural size, measures
   it and removes it again; window.svgGeometryBatch(markups) does several and returns JSON text. Every box is [x0, y0, x1, y1] in the root <svg>'s user space (viewBox
   units, y down): an element's local box from getBBox() is mapped through
   root.getScreenCTM()^-1 * element.getScreenCTM(), which takes in Graphviz's transform on the
   graph's <g> and any nested transform. Returns

     {viewBox: [x, y, w, h],
      texts:    [{owner, ownerClass, ownerKind, text, box, size, line}],  // size: font size in
                                                                          // user units
      nodes:    [{id, cls, box}],     // box of the node's shape (null for plaintext nodes)
      clusters: [{id, cls, box}]}     // box of the cluster's first polygon
*/
(function () {
  "use strict";

  function classes(el) {
    return (el.getAttribute("class") || "").split(/\s+/).filter(Boolean);
  }

  function toRoot(root) {
    var inverse = root.getScreenCTM().inverse();
    return function (el) { return inverse.multiply(el.getScreenCTM()); };
  }

  function box(el, matrixOf) {
    var b = el.getBBox();
    var m = matrixOf(el);
    var xs = [], ys = [];
    [[b.x, b.y], [b.x + b.width, b.y], [b.x, b.y + b.height], [b.x + b.width, b.y + b.height]]
      .forEach(function (p) {
        xs.push(m.a * p[0] + m.c * p[1] + m.e);
        ys.push(m.b * p[0] + m.d * p[1] + m.f);
      });
    return [Math.min.apply(null, xs), Math.min.apply(null, ys),
            Math.max.apply(null, xs), Math.max.apply(null, ys)];
  }

  // the drawn shape of a node or cluster: its first shape element, in document order, that
  // is not inside a nested node (Graphviz wraps shapes in <g id="a_..."><a> for tooltips)
  function shapeOf(g) {
    var shapes = g.querySelectorAll("polygon, path, ellipse, circle, rect, polyline");
    for (var i = 0; i < shapes.length; i++) {
      if (shapes[i].closest("g.node, g.cluster, g.edge") === g) { return shapes[i]; }
    }
    return null;
  }

  function measure(root) {
    var matrixOf = toRoot(root);
    var vb = root.viewBox.baseVal;
    var result = {viewBox: [vb.x, vb.y, vb.width, vb.height], texts: [], nodes: [],
                  clusters: []};
    root.querySelectorAll("g.node").forEach(function (g) {
      var shape = shapeOf(g);
      result.nodes.push({id: g.id, cls: classes(g), box: shape ? box(shape, matrixOf) : null});
    });
    root.querySelectorAll("g.cluster").forEach(function (g) {
      var shape = g.querySelector("polygon");
      result.clusters.push({id: g.id, cls: classes(g), box: shape ? box(shape, matrixOf) : null});
    });
    var lineOf = new Map();
    root.querySelectorAll("text").forEach(function (t) {
      var owner = t.closest("g.node, g.edge, g.cluster");
      var line = lineOf.get(owner) || 0;
      lineOf.set(owner, line + 1);
      var m = matrixOf(t);
      var scale = Math.sqrt(Math.abs(m.a * m.d - m.b * m.c));
      result.texts.push({
        owner: owner ? owner.id : "",
        ownerClass: owner ? classes(owner) : [],
        ownerKind: owner ? classes(owner)[0] : "",
        text: t.textContent,
        box: box(t, matrixOf),
        size: parseFloat(getComputedStyle(t).fontSize) * scale,
        line: line,
      });
    });
    return result;
  }

  window.svgGeometry = function (markup) {
    var doc = new DOMParser().parseFromString(markup, "image/svg+xml");
    var error = doc.querySelector("parsererror");
    if (error) { return {error: "not well-formed SVG: " + error.textContent.slice(0, 300)}; }
    var root = document.importNode(doc.documentElement, true);
    var holder = document.createElement("div");
    holder.appendChild(root);
    document.body.appendChild(holder);
    try {
      return measure(root);
    } finally {
      holder.remove();
    }
  };

  // JSON text: Playwright hands one string back far faster than many small arrays
  window.svgGeometryBatch = function (markups) {
    return JSON.stringify(markups.map(window.svgGeometry));
  };
})();
