"""A rendering the glossary forbids after its English was approved and published: the next build takes every
page holding it offline (the English page, its lines in the feeds, sitemap, provenance.json, search and the
social outbox), names the document and the rendering, and brings the segment back to review; approving the
fix puts the page back. A glossary change that forbids nothing online changes nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from publish_helpers import TRANSIT, TRANSIT_BODY, FixtureProject, searchable_pages, standard_project

from zaitun import failures
from zaitun.publish import layout, warm
from zaitun.publish.social import outbox_posts
from zaitun.review.gate import edit
from zaitun.state import heads
from zaitun.state.segments import segment_states
from zaitun.translate.glossary import load_glossary

CONTACT = "本指南中的宣传部联系方式仅供参考。"
PROPAGANDA = "The Propaganda Department contact details are for reference only."
PUBLICITY = "The Publicity Department contact details are for reference only."
FORBID = "宣传部,Publicity Department,Propaganda Department,\n"
PAGE = "en/guides/transit/"


@pytest.fixture
def fx(tmp_path):
    """The transit guide approved and published with "Propaganda Department" for 宣传部, which the glossary
    did not know then; this process's memory of its builds forgotten, as a new process would have none."""
    fx = standard_project(tmp_path / "proj")
    fx.write("guides", "transit", TRANSIT, TRANSIT_BODY + f"\n{CONTACT}\n")
    fx.ingest()
    fx.translate_and_approve("transit", lambda source: PROPAGANDA if "宣传部" in source else f"EN[{source}]")
    assert fx.build().problems == []
    assert PROPAGANDA in page(fx, PAGE)
    assert ("transit", "en") in posts(fx)
    yield fx
    warm.forget(fx.out)
    heads.forget(fx.store)


def forbid(fx: FixtureProject, line: str = FORBID) -> None:
    with (fx.project.glossary_dir / "terms.csv").open("a", encoding="utf-8") as glossary:
        glossary.write(line)


def page(fx: FixtureProject, path: str) -> str:
    return (fx.out / path / "index.html").read_text(encoding="utf-8")


def posts(fx: FixtureProject) -> set[tuple[str, str]]:
    return {(p["slug"], p["lang"]) for p in outbox_posts(fx.out / "social")}


def site_text(fx: FixtureProject, name: str) -> str:
    return (fx.out / name).read_text(encoding="utf-8")


def contact_segment(fx: FixtureProject):
    return next(s for s in segment_states(fx.store, "transit") if s.source == CONTACT)


def assert_taken_offline(fx: FixtureProject, problems: list[str]) -> None:
    """The English page and every line of it gone, the Chinese page online, the document named with the
    rendering and what to do, and the segment back in review, flagged."""
    [problem] = problems
    assert problem.startswith(str(fx.project.content_dir / "guides" / "transit.md") + ":")
    assert "en page left out of the site" in problem
    assert '"Propaganda Department", a forbidden rendering of 宣传部 (write "Publicity Department")' in problem
    assert "zaitun review show transit" in problem and "approve it again" in problem
    assert [(f.state, f.slug) for f in failures.current(fx.store)] == [(failures.LEFT_OUT, "transit")]
    assert not (fx.out / PAGE).exists() and CONTACT in page(fx, "zh/guides/transit/")
    for name in (layout.feed("en", "rss"), layout.feed("en", "atom"), layout.SITEMAP):
        assert PAGE not in site_text(fx, name)
    pages = json.loads(site_text(fx, layout.PROVENANCE))["pages"]
    assert ("en", "transit") not in {(p["lang"], p["slug"]) for p in pages.values()}
    assert ("zh", "transit") in {(p["lang"], p["slug"]) for p in pages.values()}
    assert PAGE + "index.html" not in searchable_pages(fx.out, "en")
    written = [p for p in fx.out.rglob("*") if p.is_file() and p.suffix in (".html", ".xml", ".json", ".txt")]
    assert not [p for p in written if "Propaganda" in p.read_text(encoding="utf-8")]
    assert ("transit", "en") not in posts(fx)  # its unsent post taken out of the outbox
    segment = contact_segment(fx)
    assert segment.state != "approved" and segment.target == PROPAGANDA
    assert "forbidden" in {issue["check"] for issue in segment.issues}


def approve_the_fix(fx: FixtureProject) -> None:
    segment = contact_segment(fx)
    result = edit(fx.store, "transit", segment.seg_id, PUBLICITY, "rita", approve_now=True,
                  glossary=load_glossary(fx.project.glossary_dir), based_on=segment.version)
    assert result.approved


def assert_back_online(fx: FixtureProject, problems: list[str]) -> None:
    assert problems == [] and failures.current(fx.store) == []
    assert PUBLICITY in page(fx, PAGE) and PROPAGANDA not in page(fx, PAGE)
    for name in (layout.feed("en", "rss"), layout.feed("en", "atom"), layout.SITEMAP):
        assert PAGE in site_text(fx, name)
    pages = json.loads(site_text(fx, layout.PROVENANCE))["pages"]
    assert ("en", "transit") in {(p["lang"], p["slug"]) for p in pages.values()}


def test_a_rendering_forbidden_after_publication_goes_offline_in_a_process_building_twice(fx):
    fx.build()  # this process's memory of the build online (as `zaitun up` keeps it)
    forbid(fx)
    for _ in range(2):  # held again by the next build of the same process, and named again
        assert_taken_offline(fx, fx.build().problems)
    approve_the_fix(fx)
    assert_back_online(fx, fx.build().problems)


def zaitun(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "zaitun", "--project", str(root), *args], capture_output=True,
                          text=True, timeout=300, env=os.environ)


def test_a_rendering_forbidden_after_publication_goes_offline_at_a_new_process_build(fx):
    forbid(fx)
    for _ in range(2):
        built = zaitun(fx.project.root, "build")
        assert built.returncode == 1, built.stdout + built.stderr  # something was left out: cron is told
        problems = [line.removeprefix("  problem: ") for line in built.stderr.splitlines()
                    if line.startswith("  problem: ")]
        assert_taken_offline(fx, problems)
    status = zaitun(fx.project.root, "status").stdout
    assert f"needs fixing: {problems[0]}  [left out by build]" in status
    # the document's line says its English is offline, and why, as for English a reviewer rejected
    [line] = [line for line in status.splitlines() if line.startswith("transit ")]
    assert "english offline" in line and "update in review" not in line
    assert f"  English left out of the site by the last build: {problems[0]}" in status
    [row] = [d for d in json.loads(zaitun(fx.project.root, "status", "--json").stdout)["documents"]
             if d["slug"] == "transit"]
    assert row["stage"] == "english offline" and row["offline"].endswith(problems[0])
    approve_the_fix(fx)
    built = zaitun(fx.project.root, "build")
    assert built.returncode == 0, built.stdout + built.stderr
    assert_back_online(fx, [])


def test_a_glossary_change_forbidding_nothing_online_changes_nothing(fx):
    english = page(fx, PAGE)
    forbid(fx, "外事办,Foreign Affairs Office,Foreign Affair Bureau,\n")
    report = fx.build()
    assert report.problems == [] and failures.current(fx.store) == []
    assert page(fx, PAGE) == english and contact_segment(fx).state == "approved"


def test_a_glossary_file_broken_after_it_forbade_a_rendering_online_keeps_that_page_offline(fx):
    forbid(fx)
    fx.build()
    assert not (fx.out / PAGE / "index.html").exists()  # (no English before it to keep online)
    terms = fx.project.glossary_dir / "terms.csv"
    terms.write_text(terms.read_text(encoding="utf-8").replace("note", "notes", 1), encoding="utf-8")  # a slip
    warm.forget(fx.out)
    heads.forget(fx.store)
    built = zaitun(fx.project.root, "build")  # a new process, as cron runs it
    assert not (fx.out / PAGE / "index.html").exists(), built.stdout + built.stderr
    assert "is refused still" in zaitun(fx.project.root, "check").stderr


def test_a_rendering_forbidden_on_a_line_with_no_english_yet_takes_the_page_offline_all_the_same(fx):
    """The glossary's only forbidden rendering on a line that gives no English (a ban): the build's screen must
    look for it as the review gate does, not find the glossary forbidding nothing."""
    forbid(fx, "宣传部,,Propaganda Department,\n")
    [problem] = fx.build().problems
    assert "en page left out of the site" in problem and '"Propaganda Department", a forbidden rendering of 宣传部' \
        in problem
    assert not (fx.out / PAGE).exists() and CONTACT in page(fx, "zh/guides/transit/")
    assert contact_segment(fx).state != "approved"


def test_the_build_names_the_line_whose_english_holds_the_forbidden_rendering_not_the_first_holding_the_term(fx):
    """The title holds 宣传部 too, rendered as it should be: the message points staff at the sentence whose English
    holds "Propaganda Department", where the reviewer must edit."""
    path = fx.write("guides", "contacts", "title: 宣传部联系指南\ndate: 2025-06-01", f"本指南仅供参考。\n\n{CONTACT}")
    fx.ingest()
    fx.translate_and_approve("contacts", lambda source: PROPAGANDA if source == CONTACT else (
        "A guide to the Publicity Department's contacts" if "宣传部" in source else f"EN[{source}]"))
    fx.build()
    forbid(fx)
    problems = [p for p in fx.build().problems if p.startswith(str(path))]
    line = path.read_text(encoding="utf-8").split("\n").index(CONTACT) + 1
    assert [p.split(": ", 1)[0] for p in problems] == [f"{path}:{line}"], problems
