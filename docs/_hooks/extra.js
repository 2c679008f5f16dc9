/* Tables too wide for the page scroll sideways inside Material's wrapper: make each wrapper
   focusable, so keyboard users can scroll it too (axe: scrollable-region-focusable).
   docs/hooks.py puts this file in the site. */
document$.subscribe(function () {
  document.querySelectorAll(".md-typeset__scrollwrap").forEach(function (wrap) {
    wrap.tabIndex = 0;
  });
});
