"""Intake parses again only the content files whose bytes changed (zaitun.content.unchanged), and counts the
others unchanged only while the store holds what they say: any doubt means parsing, as before."""

from __future__ import annotations

import orjson
import pytest
from conftest import write_doc

from zaitun.content import model, unchanged
from zaitun.content.intake import ingest
from zaitun.pipeline import intake

FRONT = "title: 标题\ndate: 2025-01-01"


@pytest.fixture
def parsed(monkeypatch) -> list[str]:
    """The slugs of the files parsed, in order (parse_document runs as ever)."""
    seen: list[str] = []
    parse = model.parse_document

    def spy(text, path, section, slug):
        seen.append(slug)
        return parse(text, path, section, slug)
    monkeypatch.setattr(model, "parse_document", spy)
    return seen


def _three(project) -> dict:
    return {slug: write_doc(project.root, f"guides/{slug}.md", FRONT, f"{slug}正文。") for slug in "abc"}


def test_a_pass_parses_again_only_the_files_whose_bytes_changed(tmp_project, store, parsed):
    files = _three(tmp_project)
    assert ingest(tmp_project, store).ingested == ["a", "b", "c"] and parsed == ["a", "b", "c"]
    parsed.clear()
    files["b"].write_text(files["b"].read_text(encoding="utf-8") + "\n新的一句。\n", encoding="utf-8")
    report = ingest(tmp_project, store)
    assert (report.ingested, sorted(report.unchanged), parsed) == (["b"], ["a", "c"], ["b"])
    assert [s["source"] for s in store.segments("b")][-1] == "新的一句。"
    parsed.clear()
    assert ingest(tmp_project, store).unchanged == ["a", "b", "c"] and parsed == []


def test_a_file_the_store_no_longer_holds_as_it_is_is_parsed_and_taken_in_again(tmp_project, store, parsed):
    files = _three(tmp_project)
    ingest(tmp_project, store)
    with store.tx() as conn:  # withdrawn behind intake's back, its file still there
        store.withdraw_document(conn, "a")
    with store.tx() as conn:  # and another stored with other text than its file's
        store.save_document(conn, "c", "guides", str(files["c"]), "---\ntitle: 旧\ndate: 2025-01-01\n---\n\n旧。\n")
    parsed.clear()
    report = ingest(tmp_project, store)
    assert (sorted(report.ingested), report.unchanged, sorted(parsed)) == (["a", "c"], ["b"], ["a", "c"])
    assert store.document("a")["status"] == "active" and "c正文" in store.document("c")["raw"]


def test_a_file_moved_or_brought_back_with_its_old_bytes_is_parsed(tmp_project, store, parsed):
    files = _three(tmp_project)
    ingest(tmp_project, store)
    text = files["a"].read_text(encoding="utf-8")
    files["a"].unlink()
    assert ingest(tmp_project, store).withdrawn == ["a"]
    parsed.clear()
    files["a"].write_text(text, encoding="utf-8")  # the very bytes it had when last parsed
    moved = files["b"].rename(tmp_project.content_dir / "guides" / "b2.md")
    report = ingest(tmp_project, store)
    assert sorted(report.ingested) == ["a", "b2"] and report.withdrawn == ["b"] and sorted(parsed) == ["a", "b2"]
    assert moved.exists()


@pytest.mark.parametrize("kept", ["not json", "other code", "wrong shapes"])
def test_what_intake_kept_is_not_trusted_unless_whole_and_made_by_this_code(tmp_project, store, parsed, kept):
    files = _three(tmp_project)
    ingest(tmp_project, store)
    known = tmp_project.state_dir / unchanged.FILE
    entries = {str(files["a"]): 3, str(files["b"]): ["x"], str(files["c"]): {"a": 1}}
    known.write_bytes(b"{" if kept == "not json" else orjson.dumps(
        {"format": unchanged.FORMAT, "code": "other" if kept == "other code" else unchanged.code_digest(),
         "files": entries if kept == "wrong shapes" else orjson.loads(known.read_bytes())["files"]}))
    parsed.clear()
    assert ingest(tmp_project, store).unchanged == ["a", "b", "c"] and parsed == ["a", "b", "c"]
    parsed.clear()
    assert ingest(tmp_project, store).unchanged == ["a", "b", "c"] and parsed == []  # kept anew, whole


def test_a_changed_document_is_checked_against_the_pages_of_the_documents_not_parsed_again(tmp_project, store,
                                                                                            parsed):
    write_doc(tmp_project.root, "guides/live.md", FRONT + "\ntags: [visa]", "正文。")
    write_doc(tmp_project.root, "guides/draft-doc.md", FRONT + "\ndraft: true", "草稿。")
    linking = write_doc(tmp_project.root, "guides/a.md", FRONT, "正文。")
    store_, project = store, tmp_project
    intake(project, store_)
    parsed.clear()
    linking.write_text(f"---\n{FRONT}\n---\n\n见[另一篇](../live/)和[标签](../../tags/visa/)。\n", encoding="utf-8")
    assert intake(project, store_).ingested == ["a"] and parsed == ["a"]  # its links meet the pages of `live`
    linking.write_text(f"---\n{FRONT}\n---\n\n见[草稿](../draft-doc/)。\n", encoding="utf-8")
    report = intake(project, store_)
    assert report.ingested == [] and "draft-doc" in str(report.errors[0])  # a draft, known so unparsed


def test_a_copy_of_a_document_not_parsed_again_is_told_from_what_intake_kept_and_only_the_copy_is_parsed(
        tmp_project, store, parsed):
    numbered = FRONT + "\ndoc_number: 泉政办规〔2024〕11号"
    files = {slug: write_doc(tmp_project.root, f"guides/{slug}.md", numbered if slug == "a" else FRONT,
                             f"{slug}正文。") for slug in "abc"}
    assert ingest(tmp_project, store).twice == []
    parsed.clear()
    copies = [write_doc(tmp_project.root, "policies/d.md", FRONT + "\ndoc_number: 泉政办规[2024]11号", "另一份正文。"),
              write_doc(tmp_project.root, "policies/e.md", FRONT, "b正文。")]
    report = ingest(tmp_project, store)
    assert sorted(parsed) == ["d", "e"] and sorted(report.unchanged) == ["a", "b", "c"]
    assert [(w.path, w.line) for w in report.twice] == [(copies[0], 4), (copies[1], 6)]
    assert f"the same notice as {files['a']}:4 (document number 泉政办规[2024]11号)" in report.twice[0].message
    assert f"the same notice as {files['b']}:6 (the same Chinese text)" in report.twice[1].message
    parsed.clear()
    again = ingest(tmp_project, store)
    assert parsed == [] and [str(w) for w in again.twice] == [str(w) for w in report.twice]
