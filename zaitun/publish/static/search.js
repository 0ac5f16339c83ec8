// The search page: load Pagefind's interface and index (built with the site, in /pagefind/) and
// search the pages of this page's language only (Pagefind keeps one index per <html lang>).
(function () {
  "use strict";
  var box = document.getElementById("search");
  if (!box) { return; }
  var bundle = box.getAttribute("data-bundle");
  var style = document.createElement("link");
  style.rel = "stylesheet";
  style.href = bundle + "pagefind-ui.css";
  document.head.appendChild(style);
  var script = document.createElement("script");
  script.src = bundle + "pagefind-ui.js";
  script.onload = function () {
    var ui = new window.PagefindUI({
      element: "#search", bundlePath: bundle, showImages: false, showSubResults: false, resetStyles: false,
      autofocus: true
    });
    var query = new URLSearchParams(window.location.search).get("q");
    if (query) { ui.triggerSearch(query); }
  };
  document.head.appendChild(script);
  var fallback = document.getElementById("search-fallback");
  if (fallback) { fallback.hidden = true; }
})();
