"""A translate pass does again only what a change since could alter (zaitun.translate.tried): a whole offline
pass leaves out a document no write touched, and looks again for a near match to repair an empty draft only
where the memory, the glossary, the threshold or zaitun's code changed."""

from __future__ import annotations

import dataclasses
import shutil

from conftest import write_doc
from review_support import FRONT, SLUG, review_project

from zaitun import pipeline
from zaitun.state.segments import segment_states
from zaitun.translate.glossary import load_glossary
from zaitun.translate.tried import FILE, Tried

STAY = "停留时间为240小时。"
UNRELATED = ("海上丝绸之路起点的港口城市。", "A port city where the Maritime Silk Road began.")


def tried(project, store, glossary: str | None = None) -> Tried:
    version = load_glossary(project.glossary_dir).version if glossary is None else glossary
    return Tried.read(project.state_dir, store, version, float(project.config.get("translate.fuzzy_threshold")))


def empty_drafts(store, slug: str = SLUG) -> dict:
    states = segment_states(store, slug)
    return {s.source: s for s in states if s.state == "draft" and s.translation["origin"] == "none"}


def looked_at(project, store, slug: str = SLUG, glossary: str | None = None) -> set[str]:
    looked = tried(project, store, glossary).of(slug)
    return {source for source, seg in empty_drafts(store, slug).items() if looked(seg)}


def test_after_a_whole_pass_with_nothing_changed_no_empty_draft_is_looked_at_again(tmp_path):
    project, store = review_project(tmp_path)
    pipeline.translate(project, store)
    assert len(empty_drafts(store)) >= 2 and STAY in empty_drafts(store)
    assert looked_at(project, store) == set()
    assert (project.state_dir / FILE).is_file()
    store.close()


def test_a_memory_entry_approved_since_has_only_the_drafts_near_it_looked_at_again(tmp_path):
    project, store = review_project(tmp_path)
    pipeline.translate(project, store)
    with store.tx() as conn:
        store.remember(conn, "停留时间为144小时。", "The stay may last 144 hours.", origin="review", approved_by="bob")
    assert looked_at(project, store) == {STAY}
    again = pipeline.translate(project, store)  # and the one looked at is repaired
    assert [(s.source, s.origin) for s in again.documents[0].segments] == [(STAY, "repair")]
    assert looked_at(project, store) == set()
    store.close()


def test_an_entry_gone_from_the_memory_has_every_empty_draft_looked_at_again(tmp_path):
    project, store = review_project(tmp_path)
    with store.tx() as conn:
        store.remember(conn, *UNRELATED, origin="review", approved_by="bob")
    pipeline.translate(project, store)
    with store.tx() as conn:
        assert store.forget(conn, *UNRELATED)
    assert looked_at(project, store) == set(empty_drafts(store))  # room for another near match
    store.close()


def test_another_glossary_has_every_empty_draft_looked_at_again(tmp_path):
    project, store = review_project(tmp_path)
    pipeline.translate(project, store)
    assert looked_at(project, store, glossary="another version") == set(empty_drafts(store))
    store.close()


def test_an_empty_draft_made_under_another_glossary_is_looked_at_again(tmp_path):
    project, store = review_project(tmp_path)
    pipeline.translate(project, store)
    looked = tried(project, store).of(SLUG)
    drafts = empty_drafts(store)
    other = dataclasses.replace(drafts[STAY], translation=drafts[STAY].translation | {"glossary_version": "older"})
    assert looked(other) and not looked(drafts[STAY])
    store.close()


def test_a_record_that_does_not_read_is_as_if_empty_and_the_next_pass_writes_it_again(tmp_path):
    project, store = review_project(tmp_path)
    pipeline.translate(project, store)
    (project.state_dir / FILE).write_text('{"format": 1, "docs": ["torn', encoding="utf-8")
    assert looked_at(project, store) == set(empty_drafts(store))
    pipeline.translate(project, store)
    assert looked_at(project, store) == set()
    store.close()


def test_a_pass_of_some_documents_vouches_only_for_those(tmp_path):
    project, store = review_project(tmp_path)
    write_doc(tmp_path, "guides/other.md", FRONT, "请拨打12367热线咨询。停留时间为240小时。\n")
    from zaitun.content.intake import ingest

    ingest(project, store)
    pipeline.translate(project, store, slugs=["other"])
    pipeline.translate(project, store, slugs=[SLUG])  # (its empty drafts made now: tried as they were made)
    with store.tx() as conn:
        store.remember(conn, *UNRELATED, origin="review", approved_by="bob")
    pipeline.translate(project, store, slugs=["other"])
    record = tried(project, store).docs
    assert record["other"] != record[SLUG]  # each with the memory as its own last pass began
    assert looked_at(project, store, "other") == set()
    assert looked_at(project, store, SLUG) == set()  # the entry added is near none of them
    store.close()


def done(report) -> list[str]:
    return [d.slug for d in report.documents]


def test_a_whole_pass_leaves_out_a_document_nothing_touched_since_and_a_named_one_is_done(tmp_path):
    project, store = review_project(tmp_path)
    assert done(pipeline.translate(project, store)) == [SLUG]
    assert done(pipeline.translate(project, store)) == []  # nothing to do: not read again
    assert done(pipeline.translate(project, store, slugs=[SLUG])) == [SLUG]
    store.close()


def test_a_document_written_since_is_done_again_and_its_new_sentence_drafted(tmp_path):
    from zaitun.content.intake import ingest

    project, store = review_project(tmp_path)
    pipeline.translate(project, store)
    write_doc(tmp_path, f"guides/{SLUG}.md", FRONT, "外国人可以过境免签。停留时间为240小时。新增一句说明。\n")
    ingest(project, store)
    again = pipeline.translate(project, store)
    assert done(again) == [SLUG] and "新增一句说明。" in [s.source for s in again.documents[0].segments]
    store.close()


def test_a_memory_entry_approved_since_has_the_documents_done_again(tmp_path):
    project, store = review_project(tmp_path)
    pipeline.translate(project, store)
    with store.tx() as conn:
        store.remember(conn, *UNRELATED, origin="review", approved_by="bob")
    assert done(pipeline.translate(project, store)) == [SLUG]
    assert done(pipeline.translate(project, store)) == []
    store.close()


def test_a_store_restored_from_an_older_backup_has_its_documents_done_again(tmp_path):
    from zaitun.content.intake import ingest
    from zaitun.state.store import Store

    project, store = review_project(tmp_path)
    pipeline.translate(project, store)
    store.close()
    database = project.state_dir / "state.db"
    shutil.copy(database, tmp_path / "backup.db")
    store = Store.open(project.database_url)
    write_doc(tmp_path, f"guides/{SLUG}.md", FRONT, "外国人可以过境免签。请拨打12367热线咨询。\n")
    ingest(project, store)
    pipeline.translate(project, store)  # its record: as of the writes since the backup
    store.close()
    shutil.copy(tmp_path / "backup.db", database)  # the backup put back: those writes are gone
    store = Store.open(project.database_url)
    assert done(pipeline.translate(project, store)) == [SLUG]
    store.close()
