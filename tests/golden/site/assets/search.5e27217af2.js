// The search page: load Pagefind's interface and index (built with the site, in /pagefind/) and
// search the pages of this page's language only. The index is split into bundles
// (/pagefind/<lang>/h<bits>/); /pagefind/bundles.json names those of each language: the first is
// loaded, the others merged into it. A bundle of another language is never loaded (Pagefind would
// answer from it). The interface is in /pagefind/ui/, once for all bundles; it loads Pagefind through
// /pagefind/visible/, which hides the results bundles.json lists as hidden (pages since changed).
(function () {
  "use strict";
  var box = document.getElementById("search");
  if (!box) { return; }
  var bundle = box.getAttribute("data-bundle");
  var lang = (document.documentElement.lang || "").toLowerCase();

  function shardsOf(list) {
    return list[lang] || list[lang.split("-")[0]] || [];
  }

  function hiddenOf(list) {
    return Object.keys(list).reduce(function (all, key) { return all.concat(list[key]); }, []);
  }

  // The language switch opens the other language's search page with the query typed here (`?q=`, which
  // that page runs): set as a URL parameter, encoded, so the query is never read as markup or a link.
  var switchLink = document.querySelector("a.switch");

  function carryQuery() {
    var input = box.querySelector("input");
    var query = input ? input.value.trim() : new URLSearchParams(window.location.search).get("q") || "";
    var url = new URL(switchLink.getAttribute("href"), window.location.href);
    if (query) { url.searchParams.set("q", query); } else { url.searchParams.delete("q"); }
    switchLink.setAttribute("href", url.pathname + url.search + url.hash);
  }

  if (switchLink) {
    carryQuery();
    box.addEventListener("input", carryQuery);
    switchLink.addEventListener("click", carryQuery);  // a query cleared by the interface's button too
  }

  function start(shards, hidden) {
    var fallback = document.getElementById("search-fallback");
    if (!shards.length) { return; }  // no page in this language yet: nothing to search
    var primary = bundle + shards[0];
    window.zaitunSearch = { primary: primary, hidden: hidden };
    var style = document.createElement("link");
    style.rel = "stylesheet";
    style.href = bundle + "ui/pagefind-ui.css";
    document.head.appendChild(style);
    var script = document.createElement("script");
    script.src = bundle + "ui/pagefind-ui.js";
    script.onload = function () {
      var ui = new window.PagefindUI({
        element: "#search", bundlePath: bundle + "visible/", showImages: false, showSubResults: false, resetStyles: false,
        autofocus: true,
        mergeIndex: shards.slice(1).map(function (shard) { return { bundlePath: bundle + shard }; })
      });
      var query = new URLSearchParams(window.location.search).get("q");
      if (query) { ui.triggerSearch(query); }
    };
    document.head.appendChild(script);
    if (fallback) { fallback.hidden = true; }
  }

  fetch(bundle + "bundles.json").then(function (response) {
    if (!response.ok) { throw new Error("no search index at " + bundle); }
    return response.json();
  }).then(function (list) { start(shardsOf(list.languages), hiddenOf(list.hidden || {})); });
})();
