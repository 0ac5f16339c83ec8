"""`zaitun import` names every file it does not import, with why: a folder's other files and files named directly
that are no notices zaitun reads (an old Word .doc, a content document)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from zaitun.cli import app
from zaitun.errors import NoticeImportError

SEED = Path(__file__).parent / "fixtures" / "seed-notice.txt"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the header of an old Word (.doc) file
SAVE_AS_DOCX = "an old Word (.doc) file is not read: save it as a Word document (.docx)"


def zaitun(project: Path, *args: str):
    return CliRunner().invoke(app, ["--project", str(project), *args])


@pytest.fixture
def incoming(tmp_path: Path) -> Path:
    """A folder as staff fill it: a GBK notice, an old Word file, a PDF, a content document and hidden files."""
    folder = tmp_path / "incoming"
    folder.mkdir()
    (folder / "g1.txt").write_bytes(SEED.read_text(encoding="utf-8").encode("gbk"))
    (folder / "old.doc").write_bytes(OLE + b"\0" * 504)
    (folder / "n.pdf").write_bytes(b"%PDF-1.4")
    (folder / "x.md").write_text("---\ntitle: 已有文档\n---\n正文。\n", encoding="utf-8")
    (folder / ".DS_Store").write_bytes(b"\0")
    (folder / "~$g1.docx").write_bytes(b"\0")
    (tmp_path / "project" / "content").mkdir(parents=True)
    return folder


def test_a_folders_files_not_imported_are_each_named_with_why_and_the_old_word_file_fails_the_import(incoming,
                                                                                                     tmp_path):
    done = zaitun(tmp_path / "project", "import", str(incoming))
    assert done.exit_code == 1
    [written, summary] = done.stdout.splitlines()
    assert Path(written).is_file()
    assert summary == "imported 1 of 2 notice(s); 1 could not be imported; 2 skipped (not notices)"
    said = done.stderr.splitlines()
    assert f"zaitun: error: {incoming / 'old.doc'}: {SAVE_AS_DOCX}" in "\n".join(said)
    assert f"warning: {incoming / 'n.pdf'}: a .pdf file is not a notice zaitun reads (.txt or .docx)" in said
    assert any(line.startswith(f"warning: {incoming / 'x.md'}: a Markdown file is already a content document")
               for line in said)
    assert len(said) == 3  # hidden and scratch files are passed over silently, as intake does


def test_an_old_word_file_gets_the_advice_zaitun_check_gives_for_one_in_content(incoming, tmp_path):
    project = tmp_path / "project"
    (project / "content" / "policies").mkdir()
    shutil.copy(incoming / "old.doc", project / "content" / "policies" / "old.doc")
    checked = zaitun(project, "check")
    imported = zaitun(project, "import", str(incoming / "old.doc"))
    [advice] = [line.split(": ", 2)[2] for line in checked.stderr.splitlines() if "old.doc" in line]
    assert advice.startswith(SAVE_AS_DOCX)
    assert str(imported.exception).startswith(f"{incoming / 'old.doc'}: {advice.split('; ')[0]}")


def test_an_old_word_file_named_directly_is_refused_with_save_as_docx_not_an_encoding_advice(incoming, tmp_path):
    done = zaitun(tmp_path / "project", "import", str(incoming / "old.doc"))
    assert done.exit_code == 1 and isinstance(done.exception, NoticeImportError)
    assert SAVE_AS_DOCX in str(done.exception) and "undecodable" not in str(done.exception)


def test_a_content_document_named_directly_is_refused_as_one_not_read_as_a_notice_without_a_date(incoming, tmp_path):
    done = zaitun(tmp_path / "project", "import", str(incoming / "x.md"))
    assert done.exit_code == 1 and isinstance(done.exception, NoticeImportError)
    assert "already a content document" in str(done.exception) and "content/<section>/" in str(done.exception)
    assert "date" not in str(done.exception)


def test_files_named_directly_that_are_no_notices_count_as_notices_not_imported(incoming, tmp_path):
    done = zaitun(tmp_path / "project", "import", str(incoming / "g1.txt"), str(incoming / "n.pdf"))
    assert done.exit_code == 1
    assert done.stdout.splitlines()[-1] == "imported 1 of 2 notice(s); 1 could not be imported"
    assert f"zaitun: error: {incoming / 'n.pdf'}: a .pdf file is not a notice zaitun reads" in done.stderr


def test_files_skipped_beside_imported_notices_are_warnings_that_do_not_fail_the_import(incoming, tmp_path):
    (incoming / "old.doc").unlink()
    done = zaitun(tmp_path / "project", "import", str(incoming))
    assert done.exit_code == 0, done.output
    assert done.stdout.splitlines()[-1] == "imported 1 of 1 notice(s); 2 skipped (not notices)"
    assert all(line.startswith("warning: ") for line in done.stderr.splitlines())


def test_a_folder_holding_no_notice_zaitun_reads_imports_nothing_and_fails(incoming, tmp_path):
    for name in ("g1.txt", "old.doc"):
        (incoming / name).unlink()
    done = zaitun(tmp_path / "project", "import", str(incoming))
    assert done.exit_code == 1
    assert done.stdout.splitlines() == ["imported 0 of 0 notice(s); 2 skipped (not notices)"]


def test_a_folder_inside_the_folder_named_is_named_not_searched(incoming, tmp_path):
    (incoming / "more").mkdir()
    shutil.copy(incoming / "g1.txt", incoming / "more" / "g2.txt")
    (incoming / "old.doc").unlink()
    done = zaitun(tmp_path / "project", "import", str(incoming))
    assert done.stdout.splitlines()[-1] == "imported 1 of 1 notice(s); 3 skipped (not notices)"
    assert f"warning: {incoming / 'more'}: a folder inside the folder named is not read: name it too" in done.stderr


@pytest.mark.parametrize(("head", "said"), [
    (OLE, "is an old Word (.doc) file named .txt, not text: save it as a Word document (.docx)"),
    (b"PK\x03\x04", "is a Word document (.docx) or another zip file named .txt, not text: name it .docx"),
])
def test_a_word_file_named_txt_is_told_what_it_is_not_that_its_bytes_do_not_decode(tmp_path, head, said):
    (tmp_path / "project" / "content").mkdir(parents=True)
    notice = tmp_path / "notice.txt"
    notice.write_bytes(head + bytes(range(128, 256)) * 4)
    done = zaitun(tmp_path / "project", "import", str(notice))
    assert done.exit_code == 1 and str(done.exception).startswith(f"{notice}:1: {said}")
