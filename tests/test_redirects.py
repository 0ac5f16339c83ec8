"""Old addresses keep working: a renamed or moved document's old page, and the aliases its front matter names,
redirect to its page; its feed entries keep their id. Through real builds of the fixture project."""

from __future__ import annotations

import gzip
import json
import re

import pytest
from publish_helpers import PAYING, PAYING_BODY, TRANSIT, TRANSIT_BODY, aged_project, standard_project
from typer.testing import CliRunner

from zaitun.cli import app
from zaitun.content.schema import OWN_FOLDERS
from zaitun.errors import ContentError
from zaitun.mediatypes import content_type
from zaitun.publish import layout
from zaitun.publish.sinks import deploy

REFRESH = re.compile(r'<meta http-equiv="refresh" content="0; url=([^"]+)">')


@pytest.fixture
def fx(tmp_path):
    fixture = standard_project(tmp_path / "proj")
    fixture.build()
    return fixture


def rename(fx, section: str, old: str, new: str, to_section: str | None = None) -> None:
    """Staff give a document's file another name (or folder); intake takes it in."""
    folder = fx.project.content_dir / (to_section or section)
    folder.mkdir(exist_ok=True)
    (fx.project.content_dir / section / f"{old}.md").rename(folder / f"{new}.md")
    fx.ingest()


def leads_to(fx, path: str) -> str | None:
    """Where the page at a site path redirects (None: it is no redirect page, or there is none)."""
    page = fx.out / layout.file_of(path)
    if not page.is_file():
        return None
    found = REFRESH.search(page.read_text(encoding="utf-8"))
    return found.group(1) if found else None


def fragment_texts(out) -> list[str]:
    """The text of every fragment the search index online serves."""
    return [gzip.decompress(p.read_bytes()).decode() for p in (out / layout.SEARCH_DIR).rglob("fragment/*")]


def test_a_renamed_documents_old_address_redirects_to_its_new_page_in_both_languages(fx):
    rename(fx, "guides", "transit", "transit-240")
    report = fx.build()
    assert leads_to(fx, "zh/guides/transit/") == "/zh/guides/transit-240/"
    assert any("transit is now transit-240" in note for note in report.redirects)
    assert leads_to(fx, "en/guides/transit/") is None  # its English is back once approved again: not before
    fx.translate_and_approve("transit-240")
    fx.build()
    assert leads_to(fx, "en/guides/transit/") == "/en/guides/transit-240/"
    page = (fx.out / "en/guides/transit/index.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="https://example.org/en/guides/transit-240/">' in page
    assert '<meta name="robots" content="noindex">' in page
    assert '<a href="/en/guides/transit-240/">' in page  # for a reader whose browser does not follow it


def test_redirect_pages_are_in_neither_the_sitemap_the_search_index_nor_the_feeds(fx):
    rename(fx, "guides", "transit", "transit-240")
    fx.translate_and_approve("transit-240")
    fx.build()
    assert leads_to(fx, "zh/guides/transit/") and leads_to(fx, "en/guides/transit/")
    sitemap = (fx.out / layout.SITEMAP).read_text(encoding="utf-8")
    assert "/guides/transit/" not in sitemap and "/guides/transit-240/" in sitemap
    indexed = fragment_texts(fx.out)
    assert any('"/zh/guides/transit-240/' in text for text in indexed)
    assert not [text for text in indexed if '"/zh/guides/transit/' in text or '"/en/guides/transit/' in text]
    feeds = "".join(p.read_text(encoding="utf-8") for p in fx.out.rglob("*.xml") if p.name != layout.SITEMAP)
    assert "<link>https://example.org/en/guides/transit/</link>" not in feeds
    assert 'href="https://example.org/en/guides/transit/"' not in feeds


def test_a_document_moved_to_another_section_redirects_from_its_old_section(fx):
    rename(fx, "guides", "transit", "transit", to_section="visitors")
    fx.build()
    assert leads_to(fx, "zh/guides/transit/") == "/zh/visitors/transit/"
    assert leads_to(fx, "en/guides/transit/") == "/en/visitors/transit/"  # its English moved with it


def test_a_redirect_lasts_and_a_chain_leads_to_the_last_address(fx):
    rename(fx, "guides", "transit", "transit-240")
    fx.build()
    fx.write("guides", "paying", "title: 境外银行卡支付指南\ndate: 2025-05-02", "## 刷卡\n\n改了。")  # another change
    fx.ingest()
    fx.build()
    assert leads_to(fx, "zh/guides/transit/") == "/zh/guides/transit-240/"  # recorded, not found again
    rename(fx, "guides", "transit-240", "transit-policy", to_section="visitors")
    fx.build()
    assert leads_to(fx, "zh/guides/transit/") == "/zh/visitors/transit-policy/"  # not through transit-240
    assert leads_to(fx, "zh/guides/transit-240/") == "/zh/visitors/transit-policy/"


def test_a_new_document_at_an_old_address_takes_it_and_the_build_says_so(fx):
    rename(fx, "guides", "transit", "transit-240")
    fx.build()
    fx.write("guides", "transit", "title: 过境须知\ndate: 2025-06-25\nsummary: 新的说明。", "## 须知\n\n新文件。")
    fx.ingest()
    report = fx.build()
    assert leads_to(fx, "zh/guides/transit/") is None
    assert "过境须知" in (fx.out / "zh/guides/transit/index.html").read_text(encoding="utf-8")
    assert any("/zh/guides/transit/ is a page again" in note for note in report.redirects)
    assert "zh/guides/transit/" not in json.loads((fx.project.state_dir / "redirects.json").read_text())["moved"]


def test_a_redirect_to_a_withdrawn_document_goes_away(fx):
    rename(fx, "guides", "transit", "transit-240")
    fx.build()
    (fx.project.content_dir / "guides" / "transit-240.md").unlink()
    fx.ingest()
    report = fx.build()
    assert not (fx.out / "zh/guides/transit/index.html").exists()
    assert any("/zh/guides/transit/ no longer redirects" in note for note in report.redirects)
    fx.write("guides", "transit-240", TRANSIT, TRANSIT_BODY)  # back: a new document, no redirect to it
    fx.ingest()
    fx.build()
    assert not (fx.out / "zh/guides/transit/index.html").exists()


def feed_ids(fx, path: str) -> list[str]:
    text = (fx.out / path).read_text(encoding="utf-8")
    return re.findall(r"<guid[^>]*>([^<]+)</guid>", text) or re.findall(r"<entry>.*?<id>([^<]+)</id>", text, re.S)


def test_a_renamed_documents_feed_entries_keep_their_id_and_link_its_new_page(fx):
    before = {path: feed_ids(fx, path) for path in ("zh/feed.xml", "zh/atom.xml", "en/feed.xml", "en/atom.xml")}
    items = (fx.out / "en/feed.xml").read_text(encoding="utf-8").split("<item>")
    notice = next(item for item in items if "notice-2023-1" in item)  # never renamed
    rename(fx, "guides", "transit", "transit-240")
    fx.translate_and_approve("transit-240")
    fx.build()
    assert {path: feed_ids(fx, path) for path in before} == before  # an update, not a new item
    rss = (fx.out / "en/feed.xml").read_text(encoding="utf-8")
    assert '<guid isPermaLink="false">https://example.org/en/guides/transit/</guid>' in rss
    assert "<link>https://example.org/en/guides/transit-240/</link>" in rss
    assert notice in rss  # byte for byte


def test_an_alias_redirects_to_the_documents_page(fx):
    aliased = TRANSIT + "    aliases: [news/2024/transit, en/old/transit.html]\n"
    fx.write("guides", "transit", aliased, TRANSIT_BODY)
    fx.ingest()
    fx.translate_and_approve("transit")
    report = fx.build()
    assert report.problems == []
    assert leads_to(fx, "news/2024/transit/") == "/zh/guides/transit/"  # no language first: the Chinese page
    assert leads_to(fx, "en/old/transit.html") == "/en/guides/transit/"
    assert "news/2024" not in (fx.out / layout.SITEMAP).read_text(encoding="utf-8")


def test_an_alias_taken_out_of_the_front_matter_is_gone_from_the_next_build_of_the_same_process(fx):
    fx.write("guides", "transit", TRANSIT + "    aliases: [news/2024/transit]\n", TRANSIT_BODY)
    fx.ingest()
    fx.build()
    assert leads_to(fx, "news/2024/transit/") == "/zh/guides/transit/"
    fx.write("guides", "transit", TRANSIT, TRANSIT_BODY + "\n再改一次。\n")
    fx.ingest()
    assert fx.build().problems == []
    assert not (fx.out / "news/2024/transit/index.html").exists()


@pytest.mark.parametrize(("alias", "why"), [
    ("https://example.org/old", "is a full URL"),
    ("//example.org/old", "is a full URL"),
    ("guides/../transit", "'..' part"),
    ("", "is empty"),
])
def test_a_bad_alias_is_refused_naming_the_file_and_line(fx, alias, why):
    path = fx.write("guides", "transit", TRANSIT + f"    aliases: [{json.dumps(alias)}]\n", TRANSIT_BODY)
    report = fx.ingest()
    error = next(e for e in report.errors if e.path == path)
    assert isinstance(error, ContentError) and why in error.message
    assert str(error).startswith(f"{path}:8: ")  # the aliases line of the front matter


def refused_by_check_and_intake(fx, why: str) -> str:
    """What `zaitun intake` said, both it and `zaitun check` having refused with `why` (exit status 1)."""
    project = ["--project", str(fx.project.root)]
    checked = CliRunner().invoke(app, [*project, "check"])
    assert checked.exit_code == 1 and why in checked.output, checked.output
    taken = CliRunner().invoke(app, [*project, "intake"])
    assert taken.exit_code == 1 and why in taken.output, taken.output
    return taken.output


@pytest.mark.parametrize(("alias", "file"), [
    ("media/old-notice.pdf", "old-notice.pdf"),
    ("files/2023/通知.docx", "通知.docx"),
    ("old/%E9%80%9A%E7%9F%A5.pdf", "通知.pdf"),  # %-escaped as a browser sends it
    ("feed.xml", "feed.xml"),  # names zaitun's own kinds of file: never a page
    ("en/feed.xml", "feed.xml"),
    ("sitemap.xml", "sitemap.xml"),
    ("media/old-notice.pdf/", "old-notice.pdf"),
])
def test_an_alias_naming_a_file_not_a_page_is_refused_at_its_line_by_check_and_intake_and_the_rest_goes_online(
        fx, alias, file):
    path = fx.write("guides", "transit", TRANSIT + f"    aliases: [news/2024/transit, {json.dumps(alias)}]\n",
                    TRANSIT_BODY.replace("外国人", "来华外国人"))
    why = f"{path}:8: alias {alias!r} names a file ({file}), not a page: a redirect page there would be served as"
    taken = refused_by_check_and_intake(fx, why)
    assert "to publish a file, put it beside the document and link it" in taken
    fx.write("guides", "paying", PAYING, "## 刷卡\n\n又改了。")  # another document changed meanwhile
    fx.ingest()
    fx.translate_and_approve("paying")
    report = fx.build()
    address = alias.strip("/").replace("%E9%80%9A%E7%9F%A5", "通知")
    assert leads_to(fx, address) is None and leads_to(fx, f"{address}/") is None  # (en/feed.xml: the feed is)
    assert leads_to(fx, "news/2024/transit/") is None  # the edit was refused whole: its version online stays
    assert "外国人过境免签" in (fx.out / "zh/guides/transit/index.html").read_text(encoding="utf-8")
    assert "又改了" in (fx.out / "zh/guides/paying/index.html").read_text(encoding="utf-8")
    assert report.problems == []


@pytest.mark.parametrize(("alias", "top"), [
    ("assets/old", "assets"),
    ("pagefind/old/index.html", "pagefind"),
    ("social/", "social"),
    ("Assets/old", "Assets"),  # a disk that ignores case writes into assets/ all the same
    ("%70agefind/old", "pagefind"),  # %-escaped as a browser may send it
])
def test_an_alias_in_a_folder_zaitun_writes_itself_is_refused_at_its_line_by_check_and_intake(fx, alias, top):
    path = fx.write("guides", "transit", TRANSIT + f"    aliases: [news/2024/transit, {json.dumps(alias)}]\n",
                    TRANSIT_BODY)
    refused_by_check_and_intake(
        fx, f"{path}:8: alias {alias!r} is in /{top}/, where zaitun writes its own files: choose another path")


def test_the_folders_an_alias_may_not_name_are_those_the_site_is_written_with():
    assert OWN_FOLDERS == (layout.ASSETS_DIR, layout.SEARCH_DIR, layout.SOCIAL_DIR)


def test_aliases_ending_in_a_page_name_or_a_folder_redirect_and_are_served_as_pages(fx):
    aliased = TRANSIT + "    aliases: [old/transit.htm, gk/t20240105_3.shtml, en/old/Transit.HTML, news/v2]\n"
    fx.write("guides", "transit", aliased, TRANSIT_BODY)
    checked = CliRunner().invoke(app, ["--project", str(fx.project.root), "check"])
    assert checked.exit_code == 0, checked.output
    fx.ingest()
    fx.translate_and_approve("transit")
    assert fx.build().problems == []
    for path, lang in [("old/transit.htm", "zh"), ("gk/t20240105_3.shtml", "zh"), ("en/old/Transit.HTML", "en"),
                       ("news/v2/", "zh")]:
        assert leads_to(fx, path) == f"/{lang}/guides/transit/", path
        assert content_type(layout.file_of(path)) == "text/html; charset=utf-8", path  # as S3 and preview serve it


def test_an_alias_naming_another_page_is_refused_naming_the_file_and_line_and_the_rest_is_online(fx):
    path = fx.write("guides", "transit", TRANSIT + "    aliases:\n      - news/transit\n      - zh/guides/paying\n",
                    TRANSIT_BODY)
    fx.ingest()
    report = fx.build()
    assert report.problems == [f"{path}:10: alias 'zh/guides/paying' is the address of another page "
                               "(/zh/guides/paying/): remove it, or rename that page"]
    assert leads_to(fx, "zh/guides/paying/") is None and "境外银行卡" in (
        fx.out / "zh/guides/paying/index.html").read_text(encoding="utf-8")
    assert leads_to(fx, "news/transit/") == "/zh/guides/transit/"
    status = CliRunner().invoke(app, ["--project", str(fx.project.root), "status"])  # where staff look
    assert f"{path}:10: alias 'zh/guides/paying' is the address of another page" in status.output, status.output
    assert "[alias skipped by build]" in status.output and "[left out by build]" not in status.output  # it is online


@pytest.mark.parametrize(("aliases", "message"), [
    ("[news/transit, zh/guides/paying]", "alias 'zh/guides/paying' is the address of another page "
                                         "(/zh/guides/paying/): remove it, or rename that page"),
    ("[ZH/Guides/Paying]", "alias 'ZH/Guides/Paying' differs from /zh/guides/paying/index.html only in letter case"),
    ("[news/transit, news/paying/]", "alias 'news/paying/' is also an alias of paying: remove it from one of them"),
])
def test_check_names_an_alias_the_build_would_not_write_at_the_line_the_build_names(fx, aliases, message):
    fx.write("guides", "paying", PAYING + "    aliases: [news/paying]\n", PAYING_BODY)
    path = fx.write("guides", "transit", TRANSIT + f"    aliases: {aliases}\n", TRANSIT_BODY)
    checked = CliRunner().invoke(app, ["--project", str(fx.project.root), "check"])
    assert checked.exit_code == 1 and f"{path}:8: {message}" in checked.output, checked.output
    fx.ingest()
    assert any(p.startswith(f"{path}:8: {message}") for p in fx.build().problems)


def test_a_link_to_a_renamed_documents_old_address_or_an_alias_is_no_broken_link_for_check_or_intake(fx):
    """Its redirect page is there: an edit of the document linking it is not held back."""
    fx.write("guides", "transit", TRANSIT + "    aliases: [news/transit]\n", TRANSIT_BODY)
    rename(fx, "guides", "transit", "transit-240")
    assert fx.build().problems == [] and leads_to(fx, "zh/guides/transit/") == "/zh/guides/transit-240/"
    linking = "\n    见[过境](/zh/guides/transit/)和[旧址](/news/transit/)。\n"
    fx.write("guides", "paying", PAYING, PAYING_BODY + linking)
    root = str(fx.project.root)
    checked = CliRunner().invoke(app, ["--project", root, "check"])
    assert checked.exit_code == 0, checked.output
    taken = CliRunner().invoke(app, ["--project", root, "intake"])
    assert taken.exit_code == 0 and "errors 0" in taken.output, taken.output
    assert fx.build().problems == []
    assert 'href="/zh/guides/transit/"' in (fx.out / "zh/guides/paying/index.html").read_text(encoding="utf-8")


def test_zaitun_build_tells_of_a_rename_it_redirects(fx):
    rename(fx, "guides", "transit", "transit-240")
    result = CliRunner().invoke(app, ["--project", str(fx.project.root), "build"])
    assert result.exit_code == 0, result.output
    assert "redirect: transit is now transit-240: its old addresses lead to its new page" in result.output


def test_zaitun_run_tells_of_a_rename_it_redirects_as_build_does(fx):
    guides = fx.project.content_dir / "guides"
    (guides / "transit.md").rename(guides / "transit-240.md")  # then cron's pass: intake, translate, publish
    result = CliRunner().invoke(app, ["--project", str(fx.project.root), "run"])
    assert result.exit_code == 0, result.output
    assert "redirect: transit is now transit-240: its old addresses lead to its new page" in result.output
    assert leads_to(fx, "zh/guides/transit/") == "/zh/guides/transit-240/"


def test_an_s3_deploy_sets_the_website_redirect_of_a_redirect_page(fx, s3, s3_endpoint):
    client, bucket = s3
    rename(fx, "guides", "transit", "transit-240")
    fx.build()
    deploy(fx.out, f"s3://{bucket}/site", endpoint_url=s3_endpoint)
    head = client.head_object(Bucket=bucket, Key="site/zh/guides/transit/index.html")
    assert head["WebsiteRedirectLocation"] == "/zh/guides/transit-240/"
    page = client.head_object(Bucket=bucket, Key="site/zh/guides/transit-240/index.html")
    assert "WebsiteRedirectLocation" not in page
    body = client.get_object(Bucket=bucket, Key="site/zh/guides/transit/index.html")["Body"].read()
    assert b'http-equiv="refresh"' in body  # the page works wherever the site is served from


def test_a_document_renamed_back_is_at_its_first_address_again_and_its_other_name_leads_there(fx):
    rename(fx, "guides", "transit", "transit-240")
    fx.build()
    rename(fx, "guides", "transit-240", "transit")
    report = fx.build()
    assert leads_to(fx, "zh/guides/transit/") is None and "<h1" in (fx.out / "zh/guides/transit/index.html").read_text()
    assert leads_to(fx, "zh/guides/transit-240/") == "/zh/guides/transit/"
    assert not [note for note in report.redirects if "is a page again" in note]


def test_an_unreadable_redirect_record_is_named_kept_and_the_rest_of_the_site_built(fx):
    rename(fx, "guides", "transit", "transit-240")
    fx.build()
    record = fx.project.state_dir / "redirects.json"
    record.write_text("{not json", encoding="utf-8")
    fx.write("guides", "paying", "title: 境外银行卡支付指南\ndate: 2025-05-02", "## 刷卡\n\n改了。")
    fx.ingest()
    report = fx.build()
    assert len(report.problems) == 1 and report.problems[0].startswith(f"{record} could not be read (")
    assert "改了" in (fx.out / "zh/guides/paying/index.html").read_text(encoding="utf-8")
    assert record.read_text(encoding="utf-8") == "{not json"  # left for a person to restore, not overwritten


def test_a_renamed_documents_old_address_leads_to_it_not_to_another_document_taking_its_old_slug(fx):
    """The guide is renamed while a file in another section, its slug held back till then, takes the old name in
    the same pass: the old address leads to the renamed guide, not to the newcomer."""
    fx.write("about", "transit", "title: 关于本站\ndate: 2025-05-03", "## 本站\n\n本站由市政府主办。")
    (fx.project.content_dir / "guides" / "transit.md").rename(fx.project.content_dir / "guides" / "transit-240.md")
    fx.ingest()
    report = fx.build()
    assert leads_to(fx, "zh/guides/transit/") == "/zh/guides/transit-240/"
    assert (fx.out / "zh/about/transit/index.html").is_file()  # the newcomer has its own page
    assert any("transit is now transit-240" in note for note in report.redirects)


def test_a_slug_another_document_takes_in_another_section_inherits_neither_the_old_address_nor_its_feed_ids(fx):
    """transit's file is deleted and a new notice, in policies, is given its name in the same intake: that is no
    move of transit, so transit's old page is gone (not a redirect to the notice) and the notice's feed entries
    are new items, with its own address as their id."""
    (fx.project.content_dir / "guides" / "transit.md").unlink()
    fx.write("policies", "transit", "title: 关于港口收费的通知\ndate: 2025-07-01",
             "各有关单位：\n\n港口收费标准自2025年8月1日起调整，特此通知。")
    fx.ingest()
    report = fx.build()
    assert any("transit now names another document, in policies" in note for note in report.redirects)
    assert leads_to(fx, "zh/guides/transit/") is None and not (fx.out / "zh/guides/transit/index.html").exists()
    assert (fx.out / "zh/policies/transit/index.html").is_file()
    zh = feed_ids(fx, "zh/feed.xml")
    assert "https://example.org/zh/policies/transit/" in zh and "https://example.org/zh/guides/transit/" not in zh
    fx.translate_and_approve("transit")
    fx.build()
    en = feed_ids(fx, "en/feed.xml")
    assert "https://example.org/en/policies/transit/" in en and "https://example.org/en/guides/transit/" not in en
    assert leads_to(fx, "en/guides/transit/") is None


# -- a new process: the records of the build online, made again for the documents written since ---------------------
ANNOUNCED = ("from zaitun.publish import redirects\nannounced, real = [], redirects.basis\n"
             "redirects.basis = lambda entry: announced.append(entry.slug) or real(entry)\n")


@pytest.fixture
def aged(tmp_path):
    """The standard project built, its files old enough that a next build knows what changed since (delta.py)."""
    with aged_project(tmp_path / "proj") as fixture:
        fixture.build()
        yield fixture


def _announced_in_new_process(fx, tmp_path) -> list[str]:
    """`zaitun build` in a new interpreter; the documents whose announcements it made for the redirect records."""
    from test_site_cold import BUILD
    from test_site_warm import _in_another_process

    log = tmp_path / "announced.json"
    _in_another_process(fx, f"{ANNOUNCED}{BUILD}\nimport json\nopen({str(log)!r}, 'w').write(json.dumps(announced))")
    return json.loads(log.read_text())


def test_a_new_process_makes_the_records_of_the_documents_written_since_alone_and_follows_a_rename(aged, tmp_path):
    rename(aged, "guides", "transit", "transit-240")
    assert _announced_in_new_process(aged, tmp_path) == ["transit-240"]  # of three documents' four pages
    assert leads_to(aged, "zh/guides/transit/") == "/zh/guides/transit-240/"
    saved = json.loads((aged.project.state_dir / "redirects.json").read_text(encoding="utf-8"))
    assert sorted(saved["published"]) == ["notice-2023-1", "paying", "transit-240"]
    assert saved["moved"] == {f"{lang}/guides/transit/": [lang, "transit-240"] for lang in layout.LANGS}


def test_a_redirect_record_not_as_the_build_online_left_it_is_made_again_for_every_document(aged, tmp_path):
    record = aged.project.state_dir / "redirects.json"
    record.write_text(json.dumps(json.loads(record.read_text(encoding="utf-8"))), encoding="utf-8")  # the same,
    # written otherwise: restored from a backup, say
    rename(aged, "guides", "transit", "transit-240")
    assert sorted(_announced_in_new_process(aged, tmp_path)) == ["notice-2023-1", "notice-2023-1", "paying",
                                                                   "transit-240"]
    assert leads_to(aged, "zh/guides/transit/") == "/zh/guides/transit-240/"


def test_an_alias_on_a_moved_pages_old_address_leads_there_only_while_its_document_has_that_page_and_the_old_redirect_comes_back_when_the_alias_goes(fx):  # noqa: E501
    rename(fx, "guides", "transit", "transit-240")
    fx.translate_and_approve("transit-240")
    fx.build()
    assert leads_to(fx, "en/guides/transit/") == "/en/guides/transit-240/"
    fx.write("guides", "paying", PAYING + "    aliases: [en/guides/transit]\n", PAYING_BODY)  # a slip of the pen
    fx.ingest()
    report = fx.build()  # its English is not approved: the old address keeps leading to the moved page
    assert leads_to(fx, "en/guides/transit/") == "/en/guides/transit-240/"
    assert any("/en/guides/transit/ still leads to transit-240: paying, whose alias it is, has no English page" in note
               for note in report.redirects)
    fx.translate_and_approve("paying")
    report = fx.build()
    assert leads_to(fx, "en/guides/transit/") == "/en/guides/paying/"  # the alias, once it has a page to lead to
    assert any("leads to paying, whose alias it is, not to transit-240" in note for note in report.redirects)
    fx.write("guides", "paying", PAYING, PAYING_BODY)  # the slip mended
    fx.ingest()
    assert fx.build().problems == []
    assert leads_to(fx, "en/guides/transit/") == "/en/guides/transit-240/"  # the record was never lost
    assert leads_to(fx, "zh/guides/transit/") == "/zh/guides/transit-240/"
