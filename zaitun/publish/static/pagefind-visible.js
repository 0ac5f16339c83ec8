// The Pagefind the search page's interface loads (as `<bundlePath>pagefind.js`): Pagefind's own, from the
// first bundle of the language (window.zaitunSearch.primary), whose results leave out those listed as
// hidden: the earlier versions of pages indexed again in a recent bundle, whose text the site no longer
// serves. A page held the same in two bundles is one result.
const site = window.zaitunSearch;
const core = await import(site.primary + "pagefind.js");
const hidden = new Set(site.hidden);

function visible(response) {
  if (!response || !response.results) { return response; }
  const seen = new Set();
  response.results = response.results.filter(function (result) {
    if (hidden.has(result.id) || seen.has(result.id)) { return false; }
    seen.add(result.id);
    return true;
  });
  return response;
}

export const { options, init, destroy, mergeIndex, preload, filters, createInstance } = core;

export async function search(term, settings) {
  return visible(await core.search(term, settings));
}

export async function debouncedSearch(term, settings, timeout) {
  return visible(await core.debouncedSearch(term, settings, timeout));
}
