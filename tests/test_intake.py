import datetime as dt
from functools import partial
from pathlib import Path

import pytest
from conftest import stamped, write_doc

from zaitun.check import document_validator
from zaitun.content.intake import ingest


def test_ingest_stores_documents_and_segments_once(tmp_project, store):
    write_doc(tmp_project.root, "guides/a.md", "title: 标题\ndate: 2025-01-01", "第一句。第二句。")
    first = ingest(tmp_project, store)
    second = ingest(tmp_project, store)
    assert first.ingested == ["a"] and second.ingested == [] and second.unchanged == ["a"]
    assert [s["source"] for s in store.segments("a")] == ["标题", "第一句。", "第二句。"]
    assert [e["name"] for e in store.events_since()] == ["zaitun.content.ingested"]


def test_changed_sentence_is_linked_to_the_one_it_replaced(tmp_project, store):
    path = write_doc(tmp_project.root, "guides/a.md", "title: 标题\ndate: 2025-01-01", "第一句。第二句。第三句。")
    ingest(tmp_project, store)
    old_ids = {s["seg_id"] for s in store.segments("a")}
    path.write_text(path.read_text(encoding="utf-8").replace("第二句", "第二句已改"), encoding="utf-8")
    assert ingest(tmp_project, store).ingested == ["a"]
    segs = store.segments("a")
    new = [s for s in segs if s["seg_id"] not in old_ids]
    assert [s["source"] for s in new] == ["第二句已改。"]
    assert store.segment("a", new[0]["prev_seg_id"])["source"] == "第二句。"
    assert len(store.segments("a", active=None)) == 5  # the old sentence is kept, inactive


def test_bad_file_is_reported_and_does_not_block_the_good_one(tmp_project, store):
    write_doc(tmp_project.root, "guides/good.md", "title: 好\ndate: 2025-01-01", "正文。")
    bad = write_doc(tmp_project.root, "guides/bad.md", "title: 坏", "正文。")
    report = ingest(tmp_project, store)
    assert report.ingested == ["good"]
    assert [e.path for e in report.errors] == [bad]
    assert "missing required field 'date'" in str(report.errors[0])
    assert bad.exists()  # nothing is lost: the file stays for staff to fix


def test_broken_edit_keeps_the_last_good_version(tmp_project, store):
    path = write_doc(tmp_project.root, "guides/a.md", "title: 标题\ndate: 2025-01-01", "正文。")
    ingest(tmp_project, store)
    path.write_text("---\ntitle: [broken\n---\n", encoding="utf-8")
    report = ingest(tmp_project, store)
    assert report.errors and report.withdrawn == []
    assert store.document("a")["status"] == "active"


def test_deleted_file_is_withdrawn(tmp_project, store):
    path = write_doc(tmp_project.root, "guides/a.md", "title: 标题\ndate: 2025-01-01", "正文。")
    write_doc(tmp_project.root, "guides/b.md", "title: 标题二\ndate: 2025-01-01", "正文二。")  # (content/ not emptied)
    ingest(tmp_project, store)
    path.unlink()
    assert ingest(tmp_project, store).withdrawn == ["a"]
    assert store.document("a")["status"] == "withdrawn"
    assert [d["slug"] for d in store.documents()] == ["b"]


@pytest.mark.parametrize("renamed", ["guides/Rn A.md", "guides/rn_a.md", "Guides/rn-a.md"])
def test_a_document_renamed_or_moved_to_a_name_refused_is_held_back_not_withdrawn(tmp_project, store, renamed):
    """Its file refused for its name or place, holding its very text: a broken rename, held back as any broken
    edit is, its pages kept, until the name is put right."""
    path = write_doc(tmp_project.root, "guides/rn-a.md", "title: 标题\ndate: 2025-01-01", "正文。")
    write_doc(tmp_project.root, "guides/b.md", "title: 标题二\ndate: 2025-01-01", "正文二。")
    ingest(tmp_project, store)
    moved = tmp_project.content_dir / renamed
    moved.parent.mkdir(exist_ok=True)
    path.rename(moved)
    report = ingest(tmp_project, store)
    assert [e.path for e in report.errors] == [moved] and report.withdrawn == []
    assert "taken as document rn-a moved here from content/guides/rn-a.md" in str(report.errors[0])
    assert [(f.slug, f.state) for f in report.failures] == [("rn-a", "held back")]
    assert store.document("rn-a")["status"] == "active"
    moved.rename(path)
    assert ingest(tmp_project, store).errors == []


def test_a_document_moved_and_broken_on_the_way_is_held_back_and_the_error_says_so(tmp_project, store):
    """Deleted from one section while a broken file of its name is in another: taken as its move, its pages kept
    until the file reads; staff are told which document is kept online, and how to withdraw it."""
    path = write_doc(tmp_project.root, "guides/a.md", "title: 标题\ndate: 2025-01-01", "正文。")
    write_doc(tmp_project.root, "guides/b.md", "title: 标题二\ndate: 2025-01-01", "正文二。")
    ingest(tmp_project, store)
    broken = tmp_project.content_dir / "policies" / "a.md"
    broken.parent.mkdir(exist_ok=True)
    broken.write_text("---\ntitle: [broken\n---\n正文。\n", encoding="utf-8")
    path.unlink()
    report = ingest(tmp_project, store)
    assert report.withdrawn == [] and store.document("a")["status"] == "active"
    said = str(report.errors[0])
    assert said.startswith(f"{broken}:2: broken YAML front matter")
    assert "taken as document a moved here from content/guides/a.md, which is gone" in said
    assert "delete this file too to withdraw it" in said
    assert [(f.slug, f.state) for f in report.failures] == [("a", "held back")]
    broken.unlink()
    assert ingest(tmp_project, store).withdrawn == ["a"]


def test_a_broken_file_of_a_documents_name_beside_it_is_not_taken_as_its_move(tmp_project, store):
    write_doc(tmp_project.root, "guides/a.md", "title: 标题\ndate: 2025-01-01", "正文。")
    ingest(tmp_project, store)
    other = tmp_project.content_dir / "policies" / "a.md"
    other.parent.mkdir(exist_ok=True)
    other.write_text("---\ntitle: [broken\n---\n正文。\n", encoding="utf-8")
    report = ingest(tmp_project, store)
    assert "moved here" not in str(report.errors[0])
    assert [(f.slug, f.state) for f in report.failures] == [("a", "quarantined")]


def test_a_document_renamed_to_a_name_refused_and_edited_too_is_withdrawn_as_its_file_is_gone(tmp_project, store):
    path = write_doc(tmp_project.root, "guides/rn-a.md", "title: 标题\ndate: 2025-01-01", "正文。")
    write_doc(tmp_project.root, "guides/b.md", "title: 标题二\ndate: 2025-01-01", "正文二。")
    ingest(tmp_project, store)
    moved = tmp_project.content_dir / "guides" / "Rn A.md"
    moved.write_text(path.read_text(encoding="utf-8").replace("正文", "新正文"), encoding="utf-8")
    path.unlink()
    assert ingest(tmp_project, store).withdrawn == ["rn-a"]


def test_restored_file_comes_back(tmp_project, store):
    path = write_doc(tmp_project.root, "guides/a.md", "title: 标题\ndate: 2025-01-01", "正文。")
    write_doc(tmp_project.root, "guides/b.md", "title: 标题二\ndate: 2025-01-01", "正文二。")  # (content/ not emptied)
    ingest(tmp_project, store)
    text = path.read_text(encoding="utf-8")
    path.unlink()
    ingest(tmp_project, store)
    path.write_text(text, encoding="utf-8")
    assert ingest(tmp_project, store).ingested == ["a"]
    assert store.document("a")["status"] == "active"


def test_dropped_notice_is_converted_and_its_original_kept_aside(tmp_project, store):
    from conftest import FIXTURES

    section = tmp_project.content_dir / "policies"
    section.mkdir()
    (section / "notice.txt").write_bytes((FIXTURES / "seed-notice.txt").read_bytes())
    report = ingest(tmp_project, store)
    assert report.errors == [] and report.ingested == ["notice"]
    assert (section / "notice.md").exists() and not (section / "notice.txt").exists()
    assert [p.name.endswith("notice.txt") for p in (tmp_project.state_dir / "imported").iterdir()] == [True]


def test_unconvertible_notice_is_quarantined_and_reported(tmp_project, store):
    section = tmp_project.content_dir / "policies"
    section.mkdir()
    (section / "broken.txt").write_text("没有日期也没有标题的文字", encoding="utf-8")
    report = ingest(tmp_project, store)
    assert len(report.errors) == 1 and "quarantine" in str(report.errors[0])
    assert list(tmp_project.quarantine_dir.iterdir())


def test_a_quarantined_notice_is_named_by_the_time_in_the_projects_zone_and_never_overwritten(tmp_project, store):
    """The names sort in time order; a second copy set aside within the same second is kept beside the first."""
    (tmp_project.root / "zaitun.toml").write_text('[site]\ntimezone = "Asia/Kathmandu"\n', encoding="utf-8")
    tmp_project.reload_config()
    section = tmp_project.content_dir / "policies"
    section.mkdir()
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    for text in ("第一份没有日期的文字", "第二份没有日期的文字"):
        (section / "broken.txt").write_text(text, encoding="utf-8")
        ingest(tmp_project, store)
    kept = sorted(tmp_project.quarantine_dir.iterdir())
    assert [p.read_text(encoding="utf-8") for p in kept] == ["第一份没有日期的文字", "第二份没有日期的文字"]
    for path in kept:
        when = stamped(path.name, "{stamp}-policies-broken\\.txt", "Asia/Kathmandu")
        assert before <= when <= dt.datetime.now(dt.UTC)


def test_dropped_notice_whose_slug_is_taken_is_quarantined_under_its_own_name_with_a_free_name_to_use(
        tmp_project, store):
    """Two notices without a document number, of one day, both want notice-<date>: the second is the one
    refused, named by its own file, and told which document holds the slug and what to rename it to (the
    document holding it is fine and is not listed as needing fixing)."""
    from zaitun import failures

    section = tmp_project.content_dir / "policies"
    section.mkdir()
    for name, what in (("通知一.txt", "春节"), ("通知二.txt", "元宵节")):  # no document number: slug notice-<date>
        (section / name).write_text(f"泉州市外事办公室关于做好{what}期间涉外服务工作的通知\n\n各县外事办：\n\n"
                                    "请各地加强值班值守。\n\n泉州市外事办公室\n\n2025年1月20日\n", encoding="utf-8")
    report = ingest(tmp_project, store)
    taken = section / "notice-2025-01-20.md"
    assert report.ingested == ["notice-2025-01-20"] and [e.path for e in report.errors] == [section / "通知二.txt"]
    message = report.errors[0].message
    assert f"slug 'notice-2025-01-20' is already used by {taken}" in message
    assert "rename the notice to the slug it should have (e.g. notice-2025-01-20-2.txt)" in message
    assert "if that is this notice, dropped in before, it is in already: delete this copy" in message  # (dropped
    # twice, the advice to rename it alone would make two documents of one notice)
    assert "--force" not in message
    assert [f.message.startswith(f"{section / '通知二.txt'}: ") for f in failures.current(store)] == [True]


def test_office_owner_files_and_editor_backups_are_left_alone(tmp_project, store):
    section = tmp_project.content_dir / "policies"
    section.mkdir()
    (section / "~$notice.docx").write_bytes(b"\x05rita" + b"\x00" * 157)  # Word, while notice.docx is open
    (section / "draft.md~").write_text("---\ntitle: 旧\n---\n", encoding="utf-8")
    (section / "~$old.md").write_text("not a document", encoding="utf-8")
    report = ingest(tmp_project, store)
    assert report.errors == [] and report.ingested == []
    assert (section / "~$notice.docx").exists() and not tmp_project.quarantine_dir.exists()


def test_a_second_file_of_a_slug_in_another_section_never_takes_over_the_document(tmp_project, store):
    from zaitun.check import content_problems, stored_places

    write_doc(tmp_project.root, "guides/a.md", "title: 原文\ndate: 2025-01-01", "正文。")
    ingest(tmp_project, store)
    newcomer = write_doc(tmp_project.root, "about/a.md", "title: 冒名\ndate: 2025-01-01", "别的正文。")  # sorts first
    report = ingest(tmp_project, store)
    assert report.ingested == [] and [e.path for e in report.errors] == [newcomer]
    assert "already used by" in str(report.errors[0]) and "guides/a.md" in str(report.errors[0])
    assert [(f.source, f.state) for f in report.failures] == [(str(newcomer), "quarantined")]
    row = store.document("a")
    assert (row["section"], row["status"]) == ("guides", "active") and "原文" in row["raw"]
    problems = content_problems(tmp_project, stored_places(tmp_project))  # check and status blame the same file
    assert [p.path for p in problems] == [newcomer]


def test_a_document_moved_to_another_section_is_taken_in_there_with_its_translations(tmp_project, store):
    path = write_doc(tmp_project.root, "guides/a.md", "title: 标题\ndate: 2025-01-01", "正文。")
    ingest(tmp_project, store)
    segments = store.segments("a")
    (tmp_project.content_dir / "visitors").mkdir()
    path.rename(tmp_project.content_dir / "visitors" / "a.md")
    report = ingest(tmp_project, store)
    assert report.ingested == ["a"] and report.withdrawn == [] and report.errors == []
    row = store.document("a")
    assert row["section"] == "visitors" and row["path"].endswith("visitors/a.md")
    assert store.segments("a") == segments  # the same segments: nothing goes back to review
    assert ingest(tmp_project, store).ingested == []


def test_a_broken_edit_is_held_back_after_the_project_folder_moved(tmp_path, store, tmp_project):
    import shutil

    from zaitun.project import Project
    from zaitun.state.store import Store

    write_doc(tmp_project.root, "guides/a.md", "title: 标题\ndate: 2025-01-01", "正文。")
    ingest(tmp_project, store)
    store.close()
    moved = Project(Path(shutil.move(str(tmp_project.root), str(tmp_path.parent / f"{tmp_path.name}-moved"))))
    (moved.content_dir / "guides" / "a.md").write_text("---\ntitle: [broken\n---\n", encoding="utf-8")
    again = Store.open(moved.database_url)
    try:
        report = ingest(moved, again)
        assert report.errors and [f.state for f in report.failures] == ["held back"]
        assert again.document("a")["status"] == "active"
    finally:
        again.close()


def test_a_notice_linked_in_from_outside_content_is_quarantined_not_published(tmp_project, store, tmp_path):
    from conftest import FIXTURES

    outside = tmp_path.parent / f"{tmp_path.name}-outside.txt"
    outside.write_bytes((FIXTURES / "seed-notice.txt").read_bytes())
    section = tmp_project.content_dir / "policies"
    section.mkdir()
    (section / "linked.txt").symlink_to(outside)
    report = ingest(tmp_project, store)
    assert report.ingested == [] and "outside the content folder" in str(report.errors[0])
    assert not (section / "linked.md").exists() and outside.exists()  # the file linked to is left as it was
    assert [p.is_symlink() for p in tmp_project.quarantine_dir.iterdir()] == [True]


def test_a_notice_dropped_into_content_itself_is_reported_and_left_there(tmp_project, store):
    from conftest import FIXTURES

    notice = tmp_project.content_dir / "notice.txt"
    notice.write_bytes((FIXTURES / "seed-notice.txt").read_bytes())
    report = ingest(tmp_project, store)
    assert report.ingested == [] and [e.path for e in report.errors] == [notice]
    assert "section folder" in str(report.errors[0]) and notice.exists()
    assert [f.source for f in report.failures] == [str(notice)]


def test_markdown_files_named_otherwise_than_md_are_reported_not_skipped(tmp_project, store):
    upper = write_doc(tmp_project.root, "guides/a.MD", "title: 标题\ndate: 2025-01-01", "正文。")
    long_name = write_doc(tmp_project.root, "guides/b.markdown", "title: 标题\ndate: 2025-01-01", "正文。")
    write_doc(tmp_project.root, "guides/c.md", "title: 标题\ndate: 2025-01-01", "正文。")
    spaced = write_doc(tmp_project.root, "guides/d.md ", "title: 标题\ndate: 2025-01-01", "正文。")  # a space after
    report = ingest(tmp_project, store)
    assert report.ingested == ["c"]
    assert sorted(e.path.name for e in report.errors) == ["a.MD", "b.markdown", "d.md "]
    assert "rename it to d.md" in str(next(e for e in report.errors if e.path == spaced))
    assert "rename it to a.md" in str(next(e for e in report.errors if e.path == upper))
    assert long_name.exists()


def test_status_calls_a_draft_a_draft_however_far_its_review_went(tmp_project, store):
    import datetime as dt

    from zaitun.review.status import project_status

    path = write_doc(tmp_project.root, "guides/a.md", "title: 标题\ndate: 2025-01-01", "正文。")
    ingest(tmp_project, store)
    path.write_text(path.read_text(encoding="utf-8").replace("date:", "draft: true\ndate:"), encoding="utf-8")
    ingest(tmp_project, store)
    assert [(r.slug, r.stage) for r in project_status(store, dt.date(2025, 6, 1), 30)] == [("a", "draft")]


def test_intake_names_every_problem_of_a_file_at_once_not_one_a_pass(tmp_project, store):
    """Staff fix a file once: intake says each line, as `zaitun check` and `zaitun status` do."""
    path = write_doc(tmp_project.root, "guides/a.md", "title: 标题\ndate: 2025-01-01",
                     "第一句。\n\n参见[密码](../../etc/passwd)。\n\n第二句。\n\n![地图](images/missing.png)\n")
    [error] = ingest(tmp_project, store, checks=partial(document_validator, tmp_project)).errors  # as zaitun runs it
    assert error.path == path and error.line == 8, error
    assert "passwd" in error.message and "(also line 12: " in error.message and "missing.png" in error.message
    assert store.document("a") is None
