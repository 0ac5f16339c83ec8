"""Rejecting English that is already published takes it off the site: only English a named reviewer saw and
approved goes out, and rejected English is no longer approved.

A document's English is approved and online; a second reviewer rejects one of its approved segments. At the
next build its English page goes (the Chinese page stays), and with it its feed entries, sitemap entry, search
results, provenance.json record and unsent social posts; the build and `zaitun status` say why; a rollback
will not put it back unasked; approving a corrected translation puts the page back. Saving a new draft of an
approved segment keeps the approved English online while it is reviewed.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from publish_helpers import FixtureProject, age, make_fixture

from zaitun.project import Project
from zaitun.publish import layout, warm
from zaitun.review import gate
from zaitun.review.users import issue_token
from zaitun.state import heads
from zaitun.state.segments import segment_states
from zaitun.state.store import Store
from zaitun.translate.glossary import load_glossary

SLUG = "transit"
FRONT = """\
    title: 240小时过境免签政策指南
    date: {date}
    summary: 经泉州晋江国际机场过境前往第三国，可免签停留最长10天。
    programme: 240-hour-transit
"""
BODY = """\
    外国人过境免签停留时间延长为240小时。

    持有联程客票的旅客可以申请。
"""
WRONG = "Holders of a through ticket are refused."  # the approved English a second reviewer finds wrong
RIGHT = "Travellers holding a through ticket may apply."
PAGE = f"en/guides/{SLUG}/index.html"
URL = f"https://example.org/en/guides/{SLUG}/"
OFFLINE = "English taken offline: vera rejected segment 4: it says the opposite of the Chinese; " \
          "approve a corrected translation to put it back"


def english(source: str) -> str:
    return WRONG if source.startswith("持有联程客票") else f"EN[{source}]"


def published_project(root: Path, database_url: str = ""):
    """One guide, dated today (so it is announced), translated and approved by rita; vera reviews after her."""
    fx = make_fixture(root)
    if database_url:  # the same project, its state in another database
        fx.store.close()
        config = root / "zaitun.toml"
        config.write_text(config.read_text(encoding="utf-8") + f'\n[review]\ndatabase_url = "{database_url}"\n',
                          encoding="utf-8")
        fx = FixtureProject(Project(root), Store.open(database_url))
        with fx.store.tx() as conn:
            fx.store.add_user(conn, "rita", "reviewer", "x")
    with fx.store.tx() as conn:
        fx.store.add_user(conn, "vera", "reviewer", "x")
    fx.write("guides", SLUG, FRONT.format(date=fx.project.today().isoformat()), BODY)
    fx.ingest()
    fx.translate_and_approve(SLUG, english)
    return fx


def build_today(fx):
    """Build as of the project's today: the guide is dated today, and a later-dated one would wait for its day."""
    return fx.build(today=fx.project.today())


def wrong_segment(store) -> gate.SegmentState:
    return next(s for s in segment_states(store, SLUG) if s.target == WRONG)


def reject_wrong(fx) -> None:
    seg = wrong_segment(fx.store)
    gate.reject(fx.store, SLUG, seg.seg_id, "vera", "it says the opposite of the Chinese", seen=seg.version)


def approve_correction(fx) -> None:
    seg = wrong_segment(fx.store)
    result = gate.edit(fx.store, SLUG, seg.seg_id, RIGHT, "vera", glossary=load_glossary(fx.project.glossary_dir),
                       approve_now=True, based_on=seg.version)
    assert result.completed


def site_text(out: Path, name: str) -> str:
    return (out / name).read_text(encoding="utf-8")


def searchable(out: Path) -> str:
    """Every result text the search index serves."""
    return "".join(gzip.decompress(p.read_bytes()).decode("utf-8")
                   for p in (out / layout.SEARCH_DIR).rglob("fragment/*") if p.is_file())


def english_posts(out: Path) -> list[str]:
    outbox = out / layout.SOCIAL_DIR
    return sorted(p.name for p in outbox.glob(f"{SLUG}.en.*.json")) if outbox.is_dir() else []


def assert_online(out: Path, text: str) -> None:
    assert text in site_text(out, PAGE)
    for feed in ("en/feed.xml", "en/atom.xml"):
        assert text in site_text(out, feed), feed
    assert URL in site_text(out, "sitemap.xml")
    assert URL in json.loads(site_text(out, layout.PROVENANCE))["pages"]
    assert text in searchable(out)


def assert_offline(out: Path) -> None:
    """The rejected English is nowhere on the site or in the outbox; the Chinese page stays."""
    assert not (out / PAGE).exists()
    assert (out / f"zh/guides/{SLUG}/index.html").is_file()
    for feed in ("en/feed.xml", "en/atom.xml"):
        assert WRONG not in site_text(out, feed) and URL not in site_text(out, feed), feed
    assert URL not in site_text(out, "sitemap.xml")
    assert URL not in json.loads(site_text(out, layout.PROVENANCE))["pages"]
    assert WRONG not in searchable(out)
    assert english_posts(out) == []
    assert f'href="/en/guides/{SLUG}/"' not in site_text(out, f"zh/guides/{SLUG}/index.html")  # no dead alternate


def zaitun(root: Path, *args: str, token: str = "", ok: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "zaitun", "--project", str(root), *args], capture_output=True,
                            text=True, timeout=300, env=os.environ | {"ZAITUN_TOKEN": token})
    if ok:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def test_rejecting_published_english_takes_it_offline_in_a_new_process_build_until_a_correction_is_approved(
        tmp_path):
    fx = published_project(tmp_path / "proj")
    token = issue_token(fx.store, "vera", actor="test setup")
    root, out = fx.project.root, fx.out
    zaitun(root, "build")
    assert_online(out, WRONG)
    assert english_posts(out)
    seg = wrong_segment(fx.store)

    rejected = zaitun(root, "review", "reject", SLUG, f"{seg.seg_id}@{seg.version}", "--comment",
                      "it says the opposite of the Chinese", token=token)
    assert "the English page goes offline at the next build until a corrected translation is approved" \
        in rejected.stdout

    built = zaitun(root, "build")
    assert f"{SLUG} (en): {OFFLINE}" in built.stdout
    assert_offline(out)
    assert OFFLINE in zaitun(root, "status").stdout
    listed = zaitun(root, "review", "list").stdout
    assert "english offline" in listed and "update in review" not in listed

    refused = zaitun(root, "rollback", ok=False)
    assert refused.returncode != 0
    assert f"English rejected since: {SLUG}" in refused.stdout + refused.stderr
    assert_offline(out)  # nothing switched

    seg = wrong_segment(fx.store)
    zaitun(root, "review", "edit", SLUG, f"{seg.seg_id}@{seg.version}", "--target", RIGHT, "--approve", token=token)
    back = zaitun(root, "build")
    assert OFFLINE not in back.stdout
    assert_online(out, RIGHT)
    assert WRONG not in site_text(out, PAGE) and WRONG not in searchable(out)
    assert english_posts(out)  # announced again, with the corrected English


def test_rejecting_published_english_takes_it_offline_in_a_process_that_builds_again(tmp_path):
    fx = published_project(tmp_path / "proj")
    age(fx.project.root)
    try:
        build_today(fx)
        assert_online(fx.out, WRONG)
        reject_wrong(fx)
        report = build_today(fx)
        assert f"{SLUG} (en): {OFFLINE}" in report.skipped
        assert_offline(fx.out)
        again = build_today(fx)  # nothing changed: still offline, still said why
        assert_offline(fx.out)
        assert f"{SLUG} (en): {OFFLINE}" in again.skipped or again.reused
        approve_correction(fx)
        build_today(fx)
        assert_online(fx.out, RIGHT)
        assert WRONG not in site_text(fx.out, PAGE)
    finally:
        warm.forget(fx.out)
        heads.forget(fx.store)


def test_a_rollback_to_a_build_showing_rejected_english_needs_with_rejected(tmp_path):
    fx = published_project(tmp_path / "proj")
    build_today(fx)
    reject_wrong(fx)
    build_today(fx)
    assert_offline(fx.out)
    refused = zaitun(fx.project.root, "rollback", ok=False)
    assert f"English rejected since: {SLUG}" in refused.stderr and refused.returncode != 0
    assert_offline(fx.out)
    zaitun(fx.project.root, "rollback", "--with-rejected")
    assert WRONG in site_text(fx.out, PAGE)  # asked for: back until the next build


def test_saving_a_new_draft_of_published_english_keeps_the_page_online(tmp_path):
    fx = published_project(tmp_path / "proj")
    build_today(fx)
    seg = wrong_segment(fx.store)
    gate.edit(fx.store, SLUG, seg.seg_id, RIGHT, "vera", glossary=load_glossary(fx.project.glossary_dir),
              based_on=seg.version)
    report = build_today(fx)
    assert_online(fx.out, WRONG)  # the approved English stays while its update is reviewed
    assert not any("taken offline" in line for line in report.skipped)
    draft = next(s for s in segment_states(fx.store, SLUG) if s.target == RIGHT)
    gate.reject(fx.store, SLUG, draft.seg_id, "vera", "not better", seen=draft.version)  # a draft never online
    build_today(fx)
    assert_online(fx.out, WRONG)


def test_rejecting_english_approved_since_the_release_takes_nothing_offline(tmp_path):
    fx = published_project(tmp_path / "proj")
    more = BODY + "\n    新增一句。\n\n    又一句。\n"
    fx.write("guides", SLUG, FRONT.format(date=fx.project.today().isoformat()), more)
    fx.ingest()
    new = [s for s in segment_states(fx.store, SLUG) if s.state == "pending"]
    with fx.store.tx() as conn:
        for seg in new:
            fx.store.add_translation(conn, SLUG, seg.seg_id, seg.source, f"New: {seg.source}", origin="engine",
                                     replaces=None)
    first = next(s for s in segment_states(fx.store, SLUG) if s.seg_id == new[0].seg_id)
    gate.approve(fx.store, SLUG, {first.seg_id: first.version}, "rita", glossary=load_glossary(fx.project.glossary_dir))
    build_today(fx)  # the release online is of the Chinese before: the update is under review
    first = next(s for s in segment_states(fx.store, SLUG) if s.seg_id == first.seg_id)
    assert gate.reject(fx.store, SLUG, first.seg_id, "vera", "not yet", seen=first.version).offline is False
    report = build_today(fx)
    assert WRONG in site_text(fx.out, PAGE) and SLUG in report.under_review


def test_a_rejection_takes_english_offline_on_each_database(tmp_path, database_url):
    fx = published_project(tmp_path / "proj", database_url)
    try:
        assert set(fx.store.release_heads("en")) == {SLUG}
        reject_wrong(fx)
        assert fx.store.release_heads("en") == {} and fx.store.latest_releases("en") == {}
        assert fx.store.retractions() == {SLUG: "vera rejected segment 4: it says the opposite of the Chinese"}
        approve_correction(fx)
        assert set(fx.store.release_heads("en")) == {SLUG} and fx.store.retractions() == {}
    finally:
        fx.store.close()


@pytest.mark.parametrize("published", [True, False])
def test_the_reject_form_says_whether_the_english_page_goes_offline(tmp_path, published):
    from review_support import Client, login, real_user

    from zaitun.context import Context
    from zaitun.review.web import create_app

    fx = published_project(tmp_path / "proj")
    seg = wrong_segment(fx.store)
    if not published:  # its draft, saved since, is what a rejection would reject: the approved English stays
        gate.edit(fx.store, SLUG, seg.seg_id, RIGHT, "vera", glossary=load_glossary(fx.project.glossary_dir),
                  based_on=seg.version)
    real_user(fx.store, "alice")
    with Client(create_app(Context(fx.project, fx.store))) as client:
        login(client)
        page = client.get(f"/doc/{SLUG}").text
    card = page.split(f'data-seg="{seg.seg_id}"', 1)[1].split('data-seg="', 1)[0]
    note = "Rejecting approved English takes the English page offline at the next build"
    assert (note in card) is published
    assert ("Reject and take the English page offline" in card) is published


def test_a_reviewer_in_a_browser_is_told_before_and_after_that_rejecting_published_english_takes_it_offline(
        tmp_path):
    from review_support import reviewer_browser

    fx = published_project(tmp_path / "proj")
    seg = wrong_segment(fx.store)
    with reviewer_browser(fx.project, fx.store, f"/doc/{SLUG}") as (page, sync_api):
        card = page.locator(f"#s-{seg.seg_id}")
        card.locator("summary:has-text('Reject')").click()
        sync_api.expect(card.locator(".offline-note")).to_be_visible()
        sync_api.expect(card.locator(".offline-note")).to_contain_text(
            "Rejecting approved English takes the English page offline at the next build, until a corrected "
            "translation is approved")
        card.locator("input[name=comment]").fill("it says the opposite of the Chinese")
        card.locator("button:has-text('Reject and take the English page offline')").click()
        sync_api.expect(page.locator(".flash.ok")).to_contain_text(
            "the English page goes offline at the next build until a corrected translation is approved",
            timeout=10_000)
    assert fx.store.retractions() == {SLUG: "alice rejected segment 4: it says the opposite of the Chinese"}


def test_rejected_english_is_forgotten_by_translation_memory_so_no_other_document_is_approved_from_it(tmp_path):
    from zaitun.translate.fuzzy import memory_index

    fx = published_project(tmp_path / "site")
    seg = wrong_segment(fx.store)
    assert fx.store.memory_lookup([seg.source]) == {seg.source: WRONG}  # rita's approval went into memory
    assert any(e.target == WRONG for e in memory_index(fx.store).containing("联程客票"))
    reject_wrong(fx)
    assert fx.store.memory_lookup([seg.source]) == {}
    assert not any(e.target == WRONG for e in memory_index(fx.store).containing("联程客票"))  # nor suggested
    assert "memory-forget" in {row["action"] for row in fx.store.audit_log(SLUG)}

    fx.write("guides", "ferry", FRONT.format(date=fx.project.today().isoformat()), BODY)  # the same sentence
    fx.ingest()
    from zaitun import pipeline

    pipeline.translate(fx.project, fx.store, slugs=["ferry"], announce=False)
    same = next(s for s in segment_states(fx.store, "ferry") if s.source == seg.source)
    assert same.state != "approved" and same.target != WRONG


def made_at(store, release_id: int, by: dt.timedelta) -> None:
    """Stamp a release as a process whose clock was off by `by` would have (hosts sharing a PostgreSQL store, a
    clock stepped back): what it holds stays as it is."""
    from sqlalchemy import select, update

    from zaitun.state.store import releases

    with store.tx() as conn:
        stamped = conn.execute(select(releases.c.created_at).where(releases.c.id == release_id)).scalar_one()
        conn.execute(update(releases).where(releases.c.id == release_id).values(created_at=stamped + by))


def test_a_release_stamped_by_a_clock_behind_the_approval_is_retracted_with_the_english_it_holds(
        tmp_path, database_url):
    fx = published_project(tmp_path / "proj", database_url)
    try:
        made_at(fx.store, fx.store.latest_release(SLUG)["id"], -dt.timedelta(minutes=5))
        assert wrong_segment(fx.store).translation["reviewed_at"] > fx.store.latest_release(SLUG)["created_at"]
        seg = wrong_segment(fx.store)
        rejected = gate.reject(fx.store, SLUG, seg.seg_id, "vera", "it says the opposite of the Chinese",
                               seen=seg.version)
        assert fx.store.release_heads("en") == {}
        assert fx.store.retractions() == {SLUG: "vera rejected segment 4: it says the opposite of the Chinese"}
        assert rejected.offline  # and the reviewer is told so
    finally:
        fx.store.close()


def test_a_rejection_retracts_no_release_of_other_english_whatever_its_time(tmp_path, database_url):
    fx = published_project(tmp_path / "proj", database_url)
    try:
        first = fx.store.latest_release(SLUG)["id"]  # holds WRONG, approved by rita
        made_at(fx.store, first, dt.timedelta(hours=1))  # stamped by a clock an hour ahead
        approve_correction(fx)  # vera's RIGHT, released now: before the first release, as the clocks tell
        second = fx.store.latest_release(SLUG)["id"]
        seg = next(s for s in segment_states(fx.store, SLUG) if s.target == RIGHT)
        gate.reject(fx.store, SLUG, seg.seg_id, "rita", "too free", seen=seg.version)
        assert fx.store.retracted([first, second]) == {second}  # WRONG was never rejected
    finally:
        fx.store.close()
