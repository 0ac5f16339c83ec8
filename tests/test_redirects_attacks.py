"""Redirects from the other side: aliases and a hand-edited redirects.json that try to lead a build's writes out
of the site, or to stop it. Through real builds of the fixture project."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from publish_helpers import PAYING, TRANSIT, TRANSIT_BODY, standard_project
from test_redirects import leads_to

from zaitun.errors import ContentError


@pytest.fixture
def fx(tmp_path):
    fixture = standard_project(tmp_path / "proj")
    fixture.build()
    return fixture


def written_outside_the_site(fx, name: str) -> list[str]:
    """Files or folders called `name` anywhere under the test's folder but inside the site online."""
    site = fx.out.resolve()
    return [str(p) for p in fx.project.root.parent.rglob(name) if not p.resolve().is_relative_to(site)]


def edit_paying(fx) -> None:
    """Another person's change, which the build must put online whatever else is wrong."""
    fx.write("guides", "paying", PAYING, "## 刷卡\n\n改了。")
    fx.ingest()


@pytest.mark.parametrize("alias", ["%2e%2e/%2e%2e/%2e%2e/escaped", "guides/%2E%2E/%2e%2e/%2e%2e/%2e%2e/escaped",
                                   "%00escaped", "%0Aescaped", "..%5C..%5Cescaped"])
def test_an_alias_whose_percent_escapes_hide_a_bad_path_is_refused_at_its_line(fx, alias):
    path = fx.write("guides", "transit", TRANSIT + f"    aliases: [{json.dumps(alias)}]\n", TRANSIT_BODY)
    report = fx.ingest()
    error = next((e for e in report.errors if e.path == path), None)
    assert isinstance(error, ContentError) and str(error).startswith(f"{path}:8: alias "), report.errors
    edit_paying(fx)
    fx.build()
    assert written_outside_the_site(fx, "escaped") == []
    assert "改了" in (fx.out / "zh/guides/paying/index.html").read_text(encoding="utf-8")


def record(fx) -> dict:
    return json.loads((fx.project.state_dir / "redirects.json").read_text(encoding="utf-8"))


def hand_edit(fx, part: str, entries: dict) -> str:
    """Put entries into one part of redirects.json as a person with an editor would; its new text."""
    data = record(fx)
    data[part].update(entries)
    text = json.dumps(data)
    (fx.project.state_dir / "redirects.json").write_text(text, encoding="utf-8")
    return text


@pytest.mark.parametrize(("part", "entries"), [
    ("moved", {"../../../../pwned/": ["zh", "transit"]}),
    ("moved", {"/tmp/pwned/": ["zh", "transit"]}),
    ("moved", {"zh/old/": "transit"}),
    ("moved", {"zh/old/": ["zh"]}),
    ("moved", {"zh/old/": ["xx", "transit"]}),
    ("published", {"transit": "guides"}),
    ("published", {"gone": {"langs": {"zh": "said"}}}),
    ("published", {"paying": {"section": "../../../../pwned", "langs": {"zh": "said"}}}),  # its old address
    ("published", {"../../../../pwned": {"section": "guides", "langs": {"zh": "said"}}}),
    ("moved", {"zh/guides/old/": ["zh", "../../../../pwned"]}),
    ("origins", {"zh:transit": ["zh/old/"]}),
    ("published", {"paying": {"section": "pwned\n", "langs": {"zh": "said"}}}),  # a line break ending a name
    ("published", {"paying": {"section": "guides", "langs": {"zh": 12}}}),
])
def test_a_hand_edited_redirect_record_that_is_not_what_a_build_writes_is_named_kept_and_the_site_built(
        fx, part, entries):
    fx.write("guides", "transit", TRANSIT, TRANSIT_BODY.replace("240小时", "二百四十小时"))  # a record is written
    fx.ingest()
    fx.build()
    text = hand_edit(fx, part, entries)
    edit_paying(fx)
    report = fx.build()
    assert [p for p in report.problems if "redirects.json could not be read" in p], report.problems
    assert "改了" in (fx.out / "zh/guides/paying/index.html").read_text(encoding="utf-8")
    assert written_outside_the_site(fx, "pwned") == []
    assert (fx.project.state_dir / "redirects.json").read_text(encoding="utf-8") == text  # kept for a person


def test_a_record_edited_in_place_between_two_builds_of_one_process_is_read_again(fx):
    """A process that builds again (zaitun up) keeps the record it read or wrote: a person's edit of the very
    file, at the same size, must still be seen by its next build."""
    fx.write("guides", "transit", TRANSIT, TRANSIT_BODY.replace("240小时", "二百四十小时"))  # a record is written
    fx.ingest()
    fx.build()
    edit_paying(fx)
    fx.build()  # read from what this process kept
    path = fx.project.state_dir / "redirects.json"
    data = path.read_bytes()
    assert b'"section": "guides"' in data
    with path.open("r+b") as file:  # the same file, the same size: a section leading out of the site
        file.write(data.replace(b'"section": "guides"', b'"section": "../gui"', 1))
    fx.write("guides", "paying", PAYING, "## 刷卡\n\n又改了。")
    fx.ingest()
    report = fx.build()
    assert [p for p in report.problems if "redirects.json could not be read" in p], report.problems
    assert "又改了" in (fx.out / "zh/guides/paying/index.html").read_text(encoding="utf-8")
    assert b'"../gui"' in path.read_bytes()  # kept for a person


def test_a_hand_edited_redirect_at_another_pages_address_is_dropped_and_the_site_built(fx):
    fx.write("guides", "transit", TRANSIT, TRANSIT_BODY.replace("240小时", "二百四十小时"))  # a record is written
    fx.ingest()
    fx.build()
    hand_edit(fx, "moved", {"zh/tags/payments/": ["zh", "transit"]})  # the payments tag's page
    edit_paying(fx)
    report = fx.build()
    page = (fx.out / "zh/tags/payments/index.html").read_text(encoding="utf-8")
    assert "境外银行卡支付指南" in page and "http-equiv" not in page
    assert any("/zh/tags/payments/ is a page again" in note for note in report.redirects), report.redirects
    assert "改了" in (fx.out / "zh/guides/paying/index.html").read_text(encoding="utf-8")
    assert "zh/tags/payments/" not in record(fx)["moved"]


@pytest.mark.parametrize(("alias", "other"), [
    ("ZH/guides/paying", "zh/guides/paying/index.html"),  # a page's address, but for letter case
    ("zh/Tags/Payments", "zh/tags/payments/index.html"),  # a tag's page
    ("old/cafe\u0301", "old/caf\u00e9/index.html"),  # another alias, in the other Unicode form
])
def test_an_alias_differing_from_another_address_only_in_case_or_unicode_form_is_refused_at_its_line(
        fx, alias, other):
    path = fx.write("guides", "transit", TRANSIT + "    aliases:\n      - old/caf\u00e9\n" + f"      - {alias}\n",
                    TRANSIT_BODY)  # on a disk that ignores case (a Windows share), the page became a redirect loop
    fx.ingest()
    report = fx.build()
    assert [p for p in report.problems if p.startswith(f"{path}:10: alias {alias!r} differs from /{other} only "
                                                       "in letter case or Unicode form")], report.problems
    assert not [p for p in fx.out.rglob("index.html") if p.relative_to(fx.out).as_posix().casefold()
                == f"{alias}/index.html".casefold() and p.relative_to(fx.out).as_posix() != other]
    assert (fx.out / "old/caf\u00e9/index.html").is_file()  # the first alias is written


def test_a_renamed_document_offline_until_its_date_keeps_its_redirects_for_when_it_is_back(fx):
    (fx.project.content_dir / "guides/transit.md").rename(fx.project.content_dir / "guides/transit-240.md")
    fx.ingest()
    fx.build()
    fx.redate("guides/transit-240.md", "2025-06-20", "2025-07-05")  # dated later by mistake: offline until then
    report = fx.build()
    assert not (fx.out / "zh/guides/transit/index.html").exists()  # no redirect to a page not online
    assert not [note for note in report.redirects if "left the site" in note], report.redirects
    report = fx.build(today=dt.date(2025, 7, 6))
    assert leads_to(fx, "zh/guides/transit/") == "/zh/guides/transit-240/"
    assert (fx.out / "en/guides/transit-240/index.html").exists() is (leads_to(fx, "en/guides/transit/") is not None)


def test_a_document_renamed_in_a_build_that_leaves_its_page_out_gets_its_redirects_once_it_is_mended(fx):
    source = fx.project.content_dir / "guides/transit.md"
    text = source.read_text(encoding="utf-8")
    source.unlink()
    renamed = fx.project.content_dir / "guides/transit-240.md"
    renamed.write_text(text.replace("## 适用条件", "## 适用条件\n\n见[说明](/zh/guides/nowhere/)。"), encoding="utf-8")
    fx.ingest()
    report = fx.build()  # its page links to no page: left out of the site
    assert [p for p in report.problems if "transit-240" in p], report.problems
    renamed.write_text(text, encoding="utf-8")  # mended
    fx.ingest()
    report = fx.build()
    assert leads_to(fx, "zh/guides/transit/") == "/zh/guides/transit-240/", report.redirects
