"""A long-running process plans again only the lists showing a document changed since its last build, and
takes the others, the sitemap and provenance.json's lines as they were (pages.plan, warm.py): after every kind
of change the site is the one a full build of the same store writes."""

from __future__ import annotations

import pytest
from publish_helpers import NOTICE, PAYING, TRANSIT, age, make_fixture, standard_project
from test_site_cold import _full_build_of_a_copy
from test_site_warm import _same_site

from zaitun.project import Project
from zaitun.publish import extras, layout, output, warm

GUIDE = """\
    title: 指南{n}
    date: 2025-04-0{n}
    summary: 第{n}篇指南。
    tags: [{tags}]
"""


@pytest.fixture
def fx(tmp_path):
    fx = standard_project(tmp_path / "proj")
    (fx.project.root / "zaitun.toml").write_text('[site]\nbase_url = "https://example.org"\npage_size = 2\n',
                                                 encoding="utf-8")
    fx.project = Project(fx.project.root)  # read the new settings
    for n in range(1, 6):
        fx.write("guides", f"guide-{n}", GUIDE.format(n=n, tags="payments" if n % 2 else "出入境"), f"第{n}篇。")
    fx.ingest()
    age(fx.project.root)
    yield fx
    warm.forget(fx.out)


def _guide(fx, n: int, front: str, body: str = "") -> None:
    fx.write("guides", f"guide-{n}", front, body or f"第{n}篇。")
    assert fx.ingest().ingested == [f"guide-{n}"]


def _withdraw(fx, n: int) -> None:
    (fx.project.content_dir / "guides" / f"guide-{n}.md").unlink()
    fx.ingest()


def _move(fx, n: int, section: str) -> None:
    (fx.project.content_dir / "guides" / f"guide-{n}.md").unlink()
    fx.write(section, f"guide-{n}", GUIDE.format(n=n, tags="出入境").replace("指南2", "新标题"), "搬了。")
    fx.ingest()


def _page_size(fx, size: int) -> None:
    (fx.project.root / "zaitun.toml").write_text(
        f'[site]\nbase_url = "https://example.org"\npage_size = {size}\n', encoding="utf-8")
    fx.project = Project(fx.project.root)  # as `zaitun up` reads a changed zaitun.toml


def _plan(fx):
    return warm._KEPT[str(fx.out)].plan


def _specs(fx) -> dict:
    return {spec.path: spec for spec in _plan(fx).specs}


def test_warm_rebuilds_after_each_kind_of_list_change_write_the_same_site_as_a_full_build(fx, tmp_path):
    fx.build()
    changes = [
        lambda: _guide(fx, 3, GUIDE.format(n=3, tags="payments"), "正文改了。"),  # a body: its list pages' lines
        lambda: _guide(fx, 2, GUIDE.format(n=2, tags="出入境").replace("指南2", "新标题")),  # a title shown in lists
        lambda: _guide(fx, 1, GUIDE.format(n=1, tags="payments").replace("2025-04-01", "2025-06-30")),  # moves it
        lambda: _guide(fx, 4, GUIDE.format(n=4, tags="payments, 出入境")),  # a tag more
        lambda: _guide(fx, 5, GUIDE.format(n=5, tags="出入境")),  # a tag changed
        lambda: fx.translate_and_approve("guide-4"),  # English: a list page in the other language too
        lambda: _withdraw(fx, 3),  # the later pages of its lists move up
        lambda: fx.write("policies", "notice-2023-1", NOTICE.replace("2023-01-05", "2024-07-01", 1), "通知。"),
        lambda: _page_size(fx, 3),  # every list cut again
        lambda: _move(fx, 2, "policies"),  # another section: its page and the sitemap's row move, no list grows
        lambda: fx.write("guides", "paying", PAYING.replace("[payments]", "[]"), "无标签。"),  # a list gone
    ]
    for number, change in enumerate(changes):
        change()
        fx.ingest()
        assert fx.build().rendered, f"change {number} was built"
        assert (_plan(fx).fresh is None) == (change is changes[8]), "planned from the last plan but for settings"
        full = _full_build_of_a_copy(fx, tmp_path / f"full-{number}")
        assert _same_site(fx.out.resolve(), full.publish_dir.resolve()) == [], f"after change {number}"
        manifest = output.read_manifest(output.current(full.publish_dir))[0]  # written in part, linked in part
        assert output.read_manifest(output.current(fx.out))[0] == manifest, f"after change {number}"


def test_a_warm_rebuild_takes_the_lists_not_showing_the_changed_document_as_planned_and_built(fx):
    fx.build()
    _guide(fx, 1, GUIDE.format(n=1, tags="payments"), "第一次。")
    fx.build()  # the build online is this process's: the next one starts from its plan
    before = _specs(fx)
    policies, guides = layout.section("zh", "policies"), layout.section("zh", "guides")
    last = layout.paged(guides, 4)  # newest first, two a page: guide-5 and guide-4 on page 2, guide-1 on page 4
    record = warm._KEPT[str(fx.out)].manifest["files"][policies]
    record.update(key="a key no hashing gives", shows="what no listing gives")
    _guide(fx, 5, GUIDE.format(n=5, tags="payments").replace("第5篇指南", "新的摘要"))  # its line in lists
    report = fx.build()
    after = _specs(fx)
    assert after[policies] is before[policies] and after[last] is before[last]  # not planned again
    assert after[layout.paged(guides, 2)] is not before[layout.paged(guides, 2)]  # it shows guide-5
    assert layout.paged(guides, 2) in report.rendered
    assert policies not in report.rendered and last not in report.rendered
    kept = warm._KEPT[str(fx.out)].manifest["files"][policies]
    assert (kept["key"], kept["shows"]) == ("a key no hashing gives", "what no listing gives")  # taken as it is


def test_a_warm_rebuild_keeps_the_sitemap_while_the_pages_are_the_same(fx):
    fx.build()
    _guide(fx, 1, GUIDE.format(n=1, tags="payments"), "第一次。")
    fx.build()
    warm._KEPT[str(fx.out)].manifest["files"][layout.SITEMAP]["shows"] = "what no listing gives"
    _guide(fx, 1, GUIDE.format(n=1, tags="payments"), "第二次。")  # the same day: the same last change
    fx.build()
    assert _plan(fx).same_pages()
    assert warm._KEPT[str(fx.out)].manifest["files"][layout.SITEMAP]["shows"] == "what no listing gives"
    _withdraw(fx, 1)
    report = fx.build()
    assert not _plan(fx).same_pages() and layout.SITEMAP in report.rendered
    assert "guide-1" not in (fx.out / layout.SITEMAP).read_text(encoding="utf-8")


def test_a_warm_rebuild_encodes_only_the_changed_pages_provenance(fx):
    fx.build()
    _guide(fx, 1, GUIDE.format(n=1, tags="payments"), "第一次。")
    fx.build()
    transit = "https://example.org/zh/guides/transit/"
    joined = extras._PROVENANCE.joined  # each page's lines as this process encoded them, in order
    at = joined.at[transit]
    joined.parts[at] = joined.parts[at].replace(b'"raw_hash"', b'"kept_hash"')
    _guide(fx, 2, GUIDE.format(n=2, tags="出入境"), "改了。")
    fx.build()
    text = (fx.out / layout.PROVENANCE).read_text(encoding="utf-8")
    assert '"kept_hash"' in text  # taken as this process kept it, not encoded again
    assert text.count('"raw_hash"') == text.count('"lang": "zh"') - 1


def test_a_warm_process_writes_the_provenance_of_one_page_or_many_as_a_full_build_does(tmp_path):
    """From its second build a process keeps each page's lines encoded and joins them: a site of one page (its
    lines both first and last) and a site of several, each after several warm builds, as built from nothing."""
    for n in (1, 3):
        fx = make_fixture(tmp_path / f"proj{n}")
        for i in range(n):
            fx.write("guides", f"guide-{i}", TRANSIT, f"第{i}篇。")
        fx.ingest()
        age(fx.project.root)
        try:
            for edit in ("一", "二", "三"):
                fx.build()
                fx.write("guides", "guide-0", TRANSIT, f"改了{edit}。")
                fx.ingest()
            assert layout.PROVENANCE in fx.build().rendered
            assert len(extras._PROVENANCE.encoded) == n  # the lines kept encoded: one a page
            cold = _full_build_of_a_copy(fx, tmp_path / f"cold{n}")
            mine, theirs = (folder / layout.PROVENANCE for folder in (fx.out, cold.publish_dir))
            assert mine.read_bytes() == theirs.read_bytes()
        finally:
            warm.forget(fx.out)


def test_a_warm_rebuild_knows_the_tags_a_changed_document_brings_and_takes_away(fx):
    """A process that builds again counts again only the tags of the documents changed since (site._Tally): a
    tag first shown is reported unlabelled, one no document shows any more is no longer."""
    fx.build()
    _guide(fx, 3, GUIDE.format(n=3, tags="payments"), "第一次。")
    assert not any(line.startswith("new-tag ") for line in fx.build().unlabelled_tags)
    _guide(fx, 3, GUIDE.format(n=3, tags="payments, new-tag"))
    assert "new-tag (zh)" in fx.build().unlabelled_tags
    _guide(fx, 1, GUIDE.format(n=1, tags="new-tag"))  # a second document shows it
    assert "new-tag (zh)" in fx.build().unlabelled_tags
    _guide(fx, 3, GUIDE.format(n=3, tags="payments"))
    assert "new-tag (zh)" in fx.build().unlabelled_tags  # guide-1 still shows it
    _guide(fx, 1, GUIDE.format(n=1, tags="payments"))
    report = fx.build()
    assert report.rendered and not any(line.startswith("new-tag ") for line in report.unlabelled_tags)


def test_a_warm_rebuild_screens_the_programme_a_changed_document_brings_and_forgets_the_one_it_takes_away(fx):
    """A process that builds again counts again only the programmes and sections of the documents changed since
    (site._Tally): a programme first shown is screened for forbidden renderings, one no document shows any more is
    no longer named."""
    with (fx.project.glossary_dir / "terms.csv").open("a", encoding="utf-8") as terms:
        terms.write("宣传部,Publicity Department,Propaganda Department,\n")
    fx.build()
    _guide(fx, 3, GUIDE.format(n=3, tags="payments") + "    programme: propaganda-department\n")
    named = [p for p in fx.build().problems if "forbidden rendering of 宣传部" in p]
    assert len(named) == 1 and "programme 'propaganda-department'" in named[0], named
    page = fx.out / "zh/programmes/propaganda-department/index.html"
    assert "Propaganda" not in page.read_text(encoding="utf-8")
    _guide(fx, 3, GUIDE.format(n=3, tags="payments"))
    report = fx.build()
    assert not [p for p in report.problems if "宣传部" in p], report.problems
    assert not page.exists()


def test_each_document_page_finds_its_entry_by_its_path_and_no_other_page_finds_one(fx):
    fx.build()
    plan = _plan(fx)
    by_page = plan.entries_by_page()
    documents = {spec.path: spec.entry for spec in plan.specs if spec.entry is not None}
    assert documents and all(by_page[path] is entry for path, entry in documents.items())
    others = [spec.path for spec in plan.specs if spec.entry is None]
    moved = [path.replace("/guides/", "/policies/") for path in documents if "/guides/" in path]  # another section
    for path in [*others, *moved, "", "zh", "zh/guides/guide-1", "xx/guides/guide-1/"]:
        assert path not in by_page and by_page.get(path) is None, path
    with pytest.raises(KeyError):
        by_page["zh/policies/guide-1/"]
