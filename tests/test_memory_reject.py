"""A rejection reaches every document that took the rejected English from translation memory unread.

rita approves a sentence's English in one guide (transit); the same sentence in another guide (ferry) is approved
from memory with it by the translate pass, read by nobody there, and published. When vera rejects that English in
transit, ferry's segment comes back to review, flagged with why, and ferry's English goes offline at the next build
(the Chinese page stays) until someone approves its English. A guide where a person approved that English
themselves (bus) keeps it: they read it.
"""

from __future__ import annotations

import json
from pathlib import Path

from test_retract import (
    BODY,
    FRONT,
    RIGHT,
    SLUG,
    WRONG,
    english,
    published_project,
    reject_wrong,
    site_text,
    wrong_segment,
    zaitun,
)

from zaitun import pipeline
from zaitun.publish import layout
from zaitun.review import gate
from zaitun.review.gate import shown
from zaitun.review.users import issue_token
from zaitun.state.segments import MEMORY_APPROVER, segment_states
from zaitun.translate.glossary import load_glossary

FROM_MEMORY = "ferry"  # approved from memory with transit's English
BY_PERSON = "bus"  # rita approved the same English there herself
COMMENT = "it says the opposite of the Chinese"
RECALLED = (f"the English this was approved with from translation memory was rejected by vera in {SLUG} "
            f"segment 4: {COMMENT}")
OFFLINE = (f"English taken offline: segment 4 was approved from translation memory with English vera rejected in "
           f"{SLUG} segment 4: {COMMENT}; approve a corrected translation to put it back")


def page(slug: str) -> str:
    return f"en/guides/{slug}/index.html"


def url(slug: str) -> str:
    return f"https://example.org/en/guides/{slug}/"


def three_guides(root: Path, database_url: str = ""):
    """transit approved by rita; bus, the same text, approved by rita too; ferry, the same text: the sentence
    rita approved in transit is approved there from memory, the rest (memory drafts QA flags) by rita."""
    fx = published_project(root, database_url)
    for slug in (FROM_MEMORY, BY_PERSON):
        fx.write("guides", slug, FRONT.format(date=fx.project.today().isoformat()), BODY)
    fx.ingest()
    fx.translate_and_approve(BY_PERSON, english)
    pipeline.translate(fx.project, fx.store, slugs=[FROM_MEMORY], announce=False)
    flagged = shown([s for s in segment_states(fx.store, FROM_MEMORY) if s.state == "draft"])
    gate.approve(fx.store, FROM_MEMORY, flagged, "rita", glossary=load_glossary(fx.project.glossary_dir))
    return fx


def segment_of(store, slug: str, source: str):
    return next(s for s in segment_states(store, slug) if s.source == source)


def assert_english_online(out: Path, slug: str, text: str) -> None:
    assert text in site_text(out, page(slug))
    for feed in ("en/feed.xml", "en/atom.xml"):
        assert url(slug) in site_text(out, feed), feed
    assert url(slug) in site_text(out, "sitemap.xml")
    assert url(slug) in json.loads(site_text(out, layout.PROVENANCE))["pages"]


def assert_english_offline(out: Path, slug: str) -> None:
    assert not (out / page(slug)).exists()
    assert (out / f"zh/guides/{slug}/index.html").is_file()
    for feed in ("en/feed.xml", "en/atom.xml"):
        assert url(slug) not in site_text(out, feed), feed
    assert url(slug) not in site_text(out, "sitemap.xml")
    assert url(slug) not in json.loads(site_text(out, layout.PROVENANCE))["pages"]
    outbox = out / layout.SOCIAL_DIR
    assert not list(outbox.glob(f"{slug}.en.*.json")) if outbox.is_dir() else True


def test_rejected_english_takes_offline_the_documents_approved_from_memory_with_it_until_they_are_approved(
        tmp_path):
    fx = three_guides(tmp_path / "proj")
    token = issue_token(fx.store, "vera", actor="test setup")
    root, out = fx.project.root, fx.out
    memory_approved = segment_of(fx.store, FROM_MEMORY, wrong_segment(fx.store).source)
    assert memory_approved.state == "approved" and memory_approved.translation["reviewed_by"] == MEMORY_APPROVER
    zaitun(root, "build")
    for slug in (SLUG, FROM_MEMORY, BY_PERSON):
        assert_english_online(out, slug, WRONG)
    assert "approved translation memory" in site_text(out, page(FROM_MEMORY))

    seg = wrong_segment(fx.store)
    rejected = zaitun(root, "review", "reject", SLUG, f"{seg.seg_id}@{seg.version}", "--comment", COMMENT,
                      token=token).stdout
    assert f"{FROM_MEMORY} segment 4" in rejected and BY_PERSON not in rejected

    built = zaitun(root, "build").stdout
    assert f"{FROM_MEMORY} (en): {OFFLINE}" in built
    assert_english_offline(out, SLUG)
    assert_english_offline(out, FROM_MEMORY)
    assert_english_online(out, BY_PERSON, WRONG)  # rita read it there and approved it herself
    back = segment_of(fx.store, FROM_MEMORY, seg.source)
    assert back.state == "draft" and back.target == WRONG
    assert RECALLED in [issue["message"] for issue in back.issues]
    assert segment_of(fx.store, BY_PERSON, seg.source).state == "approved"
    status = zaitun(root, "status").stdout
    assert FROM_MEMORY in status and OFFLINE in status
    listed = [line for line in zaitun(root, "review", "list").stdout.splitlines() if FROM_MEMORY in line]
    assert listed and "english offline" in listed[0]

    zaitun(root, "review", "edit", FROM_MEMORY, f"{back.seg_id}@{back.version}", "--target", RIGHT, "--approve",
           token=token)
    again = zaitun(root, "build").stdout
    assert f"{FROM_MEMORY} (en)" not in again
    assert_english_online(out, FROM_MEMORY, RIGHT)
    assert WRONG not in site_text(out, page(FROM_MEMORY))
    assert_english_offline(out, SLUG)  # its own rejected segment still waits for a correction


def test_a_memory_approval_recalled_on_each_database_comes_back_flagged_and_its_release_is_retracted(
        tmp_path, database_url):
    fx = three_guides(tmp_path / "proj", database_url)
    try:
        assert set(fx.store.release_heads("en")) == {SLUG, FROM_MEMORY, BY_PERSON}
        reject_wrong(fx)
        assert set(fx.store.release_heads("en")) == {BY_PERSON}
        assert fx.store.retractions()[FROM_MEMORY] == OFFLINE.removeprefix("English taken offline: ").removesuffix(
            "; approve a corrected translation to put it back")
        back = segment_of(fx.store, FROM_MEMORY, wrong_segment(fx.store).source)
        assert back.state == "draft" and RECALLED in [issue["message"] for issue in back.issues]
        audit = [row for row in fx.store.audit_log(FROM_MEMORY) if row["action"] == "back-to-review"]
        assert [(row["actor"], row["seg_id"], row["note"]) for row in audit] == [("vera", back.seg_id, RECALLED)]
        gate.approve(fx.store, FROM_MEMORY, {back.seg_id: back.version}, "rita",
                     glossary=load_glossary(fx.project.glossary_dir))  # rita reads it there: it stands, hers
        assert set(fx.store.release_heads("en")) == {FROM_MEMORY, BY_PERSON}
    finally:
        fx.store.close()


def test_a_rejection_flags_memory_drafts_of_that_english_so_approving_all_unflagged_skips_them(tmp_path):
    fx = published_project(tmp_path / "proj")
    config = fx.project.root / "zaitun.toml"
    config.write_text(config.read_text(encoding="utf-8") + "\n[review]\nauto_approve_memory = false\n",
                      encoding="utf-8")
    fx.write("guides", FROM_MEMORY, FRONT.format(date=fx.project.today().isoformat()), BODY)
    fx.ingest()
    pipeline.translate(type(fx.project)(fx.project.root), fx.store, slugs=[FROM_MEMORY], announce=False)
    source = wrong_segment(fx.store).source
    assert segment_of(fx.store, FROM_MEMORY, source).unflagged_draft
    reject_wrong(fx)
    draft = segment_of(fx.store, FROM_MEMORY, source)
    assert draft.state == "draft" and not draft.unflagged_draft
    assert RECALLED.replace("was approved with", "was drafted with") in [i["message"] for i in draft.issues]
    pipeline.translate(type(fx.project)(fx.project.root), fx.store, slugs=[FROM_MEMORY], announce=False)
    assert segment_of(fx.store, FROM_MEMORY, source).issues == draft.issues  # a later pass keeps the flag


def test_a_later_translate_pass_keeps_the_recalled_segment_in_review_with_its_flag(tmp_path):
    fx = three_guides(tmp_path / "proj")
    reject_wrong(fx)
    source = wrong_segment(fx.store).source
    before = segment_of(fx.store, FROM_MEMORY, source)
    pipeline.translate(fx.project, fx.store, slugs=[FROM_MEMORY], announce=False)
    after = segment_of(fx.store, FROM_MEMORY, source)
    assert after.state == "draft" and after.target == WRONG and after.version == before.version


def test_a_correction_approved_where_the_english_was_rejected_reaches_the_recalled_segment_from_memory(tmp_path):
    fx = three_guides(tmp_path / "proj")
    reject_wrong(fx)
    seg = wrong_segment(fx.store)
    gate.edit(fx.store, SLUG, seg.seg_id, RIGHT, "vera", glossary=load_glossary(fx.project.glossary_dir),
              approve_now=True, based_on=seg.version)  # vera's English enters memory
    pipeline.translate(fx.project, fx.store, slugs=[FROM_MEMORY], announce=False)
    taken = segment_of(fx.store, FROM_MEMORY, seg.source)
    assert taken.state == "approved" and taken.target == RIGHT and not taken.issues
    assert set(fx.store.release_heads("en")) == {SLUG, FROM_MEMORY, BY_PERSON}


def test_the_review_page_names_the_segments_a_rejection_brought_back_and_shows_them_flagged_with_why(tmp_path):
    from review_support import Client, login, page_form, real_user

    from zaitun.context import Context
    from zaitun.review.web import create_app

    fx = three_guides(tmp_path / "proj")
    real_user(fx.store, "alice")
    seg = wrong_segment(fx.store)
    with Client(create_app(Context(fx.project, fx.store))) as client:
        login(client)
        form = page_form(client.get(f"/doc/{SLUG}").text, f"/doc/{SLUG}/reject", seg.seg_id)
        asked = client.post(f"/doc/{SLUG}/reject", data=form | {"comment": COMMENT}).text  # names ferry first
        client.post(f"/doc/{SLUG}/reject", data=page_form(asked, f"/doc/{SLUG}/reject") | {"comment": COMMENT})
        told = client.get(f"/doc/{SLUG}").text
        ferry = client.get(f"/doc/{FROM_MEMORY}").text
    assert (f"taken from translation memory with this English, back in review: {FROM_MEMORY} segment 4; the "
            f"English page of {FROM_MEMORY} goes offline at the next build until it is approved") in told
    back = segment_of(fx.store, FROM_MEMORY, seg.source)
    card = ferry.split(f'data-seg="{back.seg_id}"', 1)[1].split('data-seg="', 1)[0]
    assert RECALLED.replace("by vera", "by alice") in card and back.state == "draft"


def test_english_rejected_while_a_translate_pass_waits_on_its_engine_is_not_approved_from_memory_by_that_pass(
        tmp_path):
    from libre_server import LibreServer
    from translate_support import libre_settings

    from zaitun.project import Project
    from zaitun.state.store import Store
    from zaitun.translate.engines import make_engine

    fx = published_project(tmp_path / "proj")
    source = wrong_segment(fx.store).source

    class RejectingAtFirstRequest(LibreServer):
        """The test engine; as the pass's first request reaches it, vera rejects transit's English (which the
        pass has just looked up in memory)."""

        def decide(self, params: dict) -> str:
            if not self.requests:
                other = Store.open(fx.project.database_url)  # the reviewer's own process, as it were
                try:
                    reject_wrong(type(fx)(fx.project, other))
                finally:
                    other.close()
            return super().decide(params)

    with RejectingAtFirstRequest() as server:
        config = fx.project.root / "zaitun.toml"
        config.write_text(config.read_text(encoding="utf-8") + libre_settings(server.url), encoding="utf-8")
        fx.write("guides", "late", FRONT.format(date=fx.project.today().isoformat()), BODY + "\n    详见通知。\n")
        fx.ingest()
        project = Project(fx.project.root)
        pipeline.translate(project, fx.store, slugs=["late"], engine=make_engine(project.config, backoff=0.01),
                           announce=False)
        assert server.requests  # the engine was asked, so the rejection came between lookup and approval
    assert wrong_segment(fx.store).state == "rejected"
    late = segment_of(fx.store, "late", source)
    assert late.target == WRONG and late.state == "draft"  # a person reads it before it is approved, if ever
    assert MEMORY_APPROVER not in {row["actor"] for row in fx.store.audit_log("late")
                                   if row["action"] == "approve-from-memory"} | {late.translation["reviewed_by"]}


def test_a_rejection_reaching_many_documents_names_a_few_and_counts_the_rest(tmp_path):
    from zaitun.review import actions

    fx = published_project(tmp_path / "proj")
    others = [f"copy-{n}" for n in range(7)]
    for slug in others:
        fx.write("guides", slug, FRONT.format(date=fx.project.today().isoformat()), BODY)
    fx.ingest()
    pipeline.translate(fx.project, fx.store, slugs=others, announce=False)  # the sentence approved from memory
    seg = wrong_segment(fx.store)
    rejection = actions.reject(fx.store, SLUG, seg.seg_id, "vera", COMMENT, seen=seg.version)
    note = actions.rejected_note(fx.project, fx.store, SLUG, rejection)
    assert "back in review: copy-0 segment 4, copy-1 segment 4, copy-2 segment 4, copy-3 segment 4, copy-4 " \
           "segment 4 and 2 more (see `zaitun status`)" in note
    assert all(segment_of(fx.store, slug, seg.source).state == "draft" for slug in others)


def test_a_rejection_reaches_the_english_memory_gave_to_the_same_sentence_wrapped_anew(tmp_path):
    fx = published_project(tmp_path / "proj")
    wrapped = BODY.replace("持有联程客票的旅客可以申请。", "持有联程客票的旅客\n    可以申请。")
    fx.write("guides", FROM_MEMORY, FRONT.format(date=fx.project.today().isoformat()), wrapped)
    fx.ingest()
    pipeline.translate(fx.project, fx.store, slugs=[FROM_MEMORY], announce=False)
    flagged = shown([s for s in segment_states(fx.store, FROM_MEMORY) if s.state == "draft"])  # (EN[…] by rita)
    gate.approve(fx.store, FROM_MEMORY, flagged, "rita", glossary=load_glossary(fx.project.glossary_dir))
    taken = segment_of(fx.store, FROM_MEMORY, "持有联程客票的旅客\n可以申请。")
    assert taken.state == "approved" and taken.target == WRONG  # memory's English, though spaced otherwise
    assert taken.translation["reviewed_by"] == MEMORY_APPROVER
    zaitun(fx.project.root, "build")
    assert_english_online(fx.out, FROM_MEMORY, WRONG)

    reject_wrong(fx)
    zaitun(fx.project.root, "build")
    assert_english_offline(fx.out, FROM_MEMORY)
    back = segment_of(fx.store, FROM_MEMORY, taken.source)
    assert back.state == "draft" and any("was rejected by vera" in issue["message"] for issue in back.issues)
