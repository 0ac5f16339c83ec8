"""A process that builds again plans from its last plan (pages.plan's `before`): whatever the documents did
since (a body, title, date, tag, programme or section changed, a document added or withdrawn, an English
version released or gone), the pages it plans are those a plan from nothing makes of the same documents."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from zaitun.publish import layout
from zaitun.publish.inputs import Entry
from zaitun.publish.pages import PageSpec, Site, plan

SITE = Site(layout.Urls("https://example.org"), {"zh": "泉州", "en": "Quanzhou"}, dt.date(2026, 1, 1), "s.css",
            ZoneInfo("Asia/Shanghai"), page_size=2)
SLUGS = [f"doc-{n}" for n in range(8)]

document = st.fixed_dictionaries({
    "section": st.sampled_from(["guides", "policies"]),
    "day": st.integers(1, 4),  # few dates: documents of one date are ordered by slug
    "tags": st.lists(st.sampled_from(["visa", "Visa", "payments", "出入境"]), max_size=2, unique=True),
    "programme": st.sampled_from([None, "240-hour-transit", "payments"]),
    "title": st.sampled_from(["一", "二"]),
    "english": st.booleans(),
})
sites = st.dictionaries(st.sampled_from(SLUGS), document, min_size=1)


def _entries(docs: dict[str, dict], before: dict[tuple[str, str], Entry]) -> tuple[list[Entry], dict]:
    """The entries of these documents in the order a build collects them; an entry whose document is as it was
    is the very same object, as inputs.collect keeps it."""
    made, entries = {}, []
    for slug in sorted(docs):
        doc = docs[slug]
        for lang in ("zh", "en") if doc["english"] else ("zh",):
            was = before.get((slug, lang))
            if was is not None and was.meta["doc"] == doc:
                entry = was
            else:
                meta = {"doc": doc, "tags": doc["tags"]} | ({"programme": doc["programme"]} if doc["programme"] else {})
                entry = Entry(slug, doc["section"], lang, f"{doc['title']} {lang}", "", "",
                              dt.date(2025, 5, doc["day"]), dt.datetime(2025, 5, doc["day"], 8, tzinfo=dt.UTC),
                              meta, f"{slug}{doc}")
            made[(slug, lang)] = entry
            entries.append(entry)
    return entries, made


def _shown(spec: PageSpec) -> tuple:
    """All a page is planned with; its documents by identity (the very entries)."""
    return (spec.group, spec.lang, spec.path, spec.template, spec.title, spec.description, tuple(spec.feeds or ()),
            spec.listed, None if spec.items is None else tuple(map(id, spec.items)), repr(spec.data), id(spec.entry))


@settings(max_examples=300, deadline=None)
@given(st.lists(sites, min_size=2, max_size=5))
def test_a_plan_made_from_the_last_one_is_the_plan_made_from_nothing(states):
    entries, made = _entries(states[0], {})
    last = plan(entries, SITE)
    for docs in states[1:]:
        entries, made = _entries(docs, made)
        again = plan(entries, SITE, last)
        assert [_shown(s) for s in again.specs] == [_shown(s) for s in plan(entries, SITE).specs]
        last = again


@settings(max_examples=200, deadline=None)
@given(sites, st.data())
def test_one_document_changed_in_its_place_plans_the_same_pages_as_from_nothing(docs, data):
    """The common rebuild: one document's title or body changed, its date, section and lists the same."""
    entries, made = _entries(docs, {})
    last = plan(entries, SITE)
    for _ in range(3):
        slug = data.draw(st.sampled_from(sorted(docs)))
        docs = docs | {slug: docs[slug] | {"title": data.draw(st.sampled_from(["一", "二", "三"]))}}
        entries, made = _entries(docs, made)
        again = plan(entries, SITE, last)
        assert [_shown(s) for s in again.specs] == [_shown(s) for s in plan(entries, SITE).specs]
        last = again
