"""The same notice dropped into content/ twice (content/twice.py): two documents with one document number, or one
Chinese text, are each named with the other where staff look (check, intake, run, status), as a warning: both
stay and nothing is refused, for which to keep is the staff's to say. A re-issue is not told."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml
from conftest import FIXTURES
from test_fault_isolation import line_of, write, zaitun
from test_unread_files import mails_of_intake, new_project

NUMBER = "泉政办规〔2024〕11号"
SAME = "the same notice as"
ADVICE = "delete the copy not to keep (to re-issue a notice, edit its file instead"


def warnings(output: str) -> list[str]:
    return [line.removeprefix("warning: ") for line in output.splitlines() if line.startswith("warning: ")]


def told(first: Path, copy: Path, how: str, line: int | None = None, first_line: int | None = None) -> str:
    """The warning naming `copy` (at `line`) and `first` (at `first_line`), up to its advice."""
    at = f":{line}" if line else ""
    there = f":{first_line}" if first_line else ""
    return f"{copy}{at}: {SAME} {first}{there} ({how}): each is translated, reviewed and published: {ADVICE}"


def test_a_notice_dropped_twice_under_two_names_is_told_naming_both_files_and_both_are_kept(tmp_path):
    root = new_project(tmp_path)
    content = root / "content"
    for rel in ("guides/notice-again.txt", "policies/notice.txt"):  # re-exported, into another section too
        (content / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(FIXTURES / "seed-notice.txt", content / rel)
    how = f"document number {NUMBER} and the same Chinese text"

    checked = zaitun(root, "check")
    assert checked.returncode == 0, checked.stderr  # a warning: it stops nothing
    assert [w[:w.index(ADVICE) + len(ADVICE)] for w in warnings(checked.stderr)] == [
        told(content / "guides/notice-again.txt", content / "policies/notice.txt", how, 1)]
    assert "1 document(s) the same notice as another" in checked.stderr

    first, copy = content / "guides/notice-again.md", content / "policies/notice.md"
    for n in range(2):  # the second pass parses neither file again, and still tells it
        taken = zaitun(root, "intake")
        assert taken.returncode == 0, taken.stderr
        expected = told(first, copy, how, line_of(copy, "doc_number:"), line_of(first, "doc_number:"))
        assert [w[:len(expected)] for w in warnings(taken.stderr)] == [expected]
        assert f"unchanged {2 * n}," in taken.stdout
        assert taken.stdout.strip().endswith("errors 0, same notice twice 1"), taken.stdout
    assert first.exists() and copy.exists() and not (root / ".zaitun" / "quarantine").exists()

    ran = zaitun(root, "run")
    assert ran.returncode == 0, ran.stderr
    assert "intake: 0 taken in, 0 withdrawn, 0 with errors, 1 the same notice as another" in ran.stdout
    assert [w[:len(expected)] for w in warnings(ran.stderr)] == [expected]
    shown = zaitun(root, "status").stdout.splitlines()
    assert [line[:len(expected) + 17] for line in shown if SAME in line] == [f"needs attention: {expected}"]
    status = json.loads(zaitun(root, "status", "--json").stdout)
    assert [m[:len(expected)] for m in status["same_notice"]] == [expected] and status["errors"] == []
    assert status["failures"] == []  # told live, as it is now: not twice

    copy.unlink()
    assert zaitun(root, "intake").stderr == ""
    assert SAME not in zaitun(root, "status").stdout and zaitun(root, "check").stderr == ""


def test_a_document_number_written_with_other_brackets_or_spaces_is_the_same_number(tmp_path):
    root = new_project(tmp_path)
    numbers = {"a": NUMBER, "b": "泉政办规[2024] 11号", "c": "泉政办规［2024］１１号", "d": "泉政办规（2024）11号",
               "e": "泉政办规〔2024〕12号"}
    files = {name: write(root, f"policies/{name}.md", f"---\ntitle: 通知{name}\ndate: 2025-01-01\n"
                         f"doc_number: {number}\n---\n\n第{name}份通知的正文。\n") for name, number in numbers.items()}
    checked = zaitun(root, "check")
    assert checked.returncode == 0, checked.stderr
    said = warnings(checked.stderr)
    assert [w.split(": ", 1)[0] for w in said] == [f"{files[name]}:4" for name in "bcd"]  # not 12号
    for name, warning in zip("bcd", said, strict=True):
        assert warning.startswith(told(files["a"], files[name], f"document number {numbers[name]}", 4, 4))


def test_one_chinese_text_under_two_titles_is_the_same_notice_whatever_its_line_breaks(tmp_path):
    root = new_project(tmp_path)
    body = "各有关单位：\n\n现将有关事项通知如下。\n\n一、做好值班值守。\n"
    first = write(root, "guides/holiday.md", f"---\ntitle: 春节值班通知\ndate: 2025-01-20\n---\n\n{body}")
    copy = write(root, "policies/holiday-notice.md", "---\ntitle: 关于春节值班的通知\ndate: 2025-01-21\n"
                 f"tags: [holiday]\n---\n\n{body.replace('：', '：  ').replace('。', '。 ')}")
    write(root, "policies/other.md", f"---\ntitle: 元宵节通知\ndate: 2025-02-01\n---\n\n{body}\n二、注意安全。\n")
    for n in (1, 2):  # no body: no notice to compare
        write(root, f"about/empty-{n}.md", f"---\ntitle: 待补充{n}\ndate: 2025-01-01\n---\n\n")
    checked = zaitun(root, "check")
    assert checked.returncode == 0, checked.stderr
    assert [w[:w.index(ADVICE)] for w in warnings(checked.stderr)] == [
        told(first, copy, "the same Chinese text", 7, 6)[:-len(ADVICE)]]


def test_a_reissue_edited_in_place_or_added_with_its_new_number_is_not_told(tmp_path):
    root = new_project(tmp_path)
    notice = root / "content" / "policies" / "notice.txt"
    notice.parent.mkdir(parents=True)
    shutil.copyfile(FIXTURES / "seed-notice.txt", notice)
    assert zaitun(root, "intake").returncode == 0
    old = notice.with_suffix(".md")
    replacements = yaml.safe_load((FIXTURES / "reissue" / "quan-zheng-ban-gui-2025-9.yaml").read_text("utf-8"))
    text = old.read_text(encoding="utf-8")
    for was, now in replacements["replace"]:
        text = text.replace(was, now)
    new = write(root, "policies/quan-zheng-ban-gui-2025-9.md", text)  # the re-issue beside the notice it replaces
    done = zaitun(root, "intake")
    assert done.returncode == 0 and done.stderr == "", done.stderr
    new.unlink()
    old.write_text(text, encoding="utf-8")  # or edited in place: one document
    done = zaitun(root, "intake")
    assert done.returncode == 0 and done.stderr == "" and "withdrawn 1" in done.stdout, done.stdout
    assert SAME not in zaitun(root, "status").stdout


def test_a_notice_dropped_as_txt_and_as_docx_is_taken_in_once_and_the_copy_told_it_is_in_already(tmp_path):
    """Both convert into the document named by its number: intake writes the first (通知.docx sorts first) and
    sets the other aside, kept; check says so beforehand; both tell first that the copy may be the notice taken in
    already, which taking another name would put online twice."""
    from docx_support import word_file
    from test_importer_docx import PARTS, seed_word_blocks

    root = new_project(tmp_path)
    policies = root / "content" / "policies"
    policies.mkdir(parents=True)
    shutil.copyfile(FIXTURES / "seed-notice.txt", policies / "通知.txt")
    word_file(policies / "通知.docx", *seed_word_blocks(), numbering=PARTS)
    checked = zaitun(root, "check")
    assert checked.returncode == 1
    assert checked.stderr.startswith(f"{policies / '通知.txt'}:1: converts into quan-zheng-ban-gui-2024-11.md, as "
                                     f"{policies / '通知.docx'} does, which intake takes in first: if that is this "
                                     "notice, delete this copy"), checked.stderr
    taken = zaitun(root, "intake")
    assert taken.returncode == 1 and "ingested 1," in taken.stdout
    assert taken.stderr.startswith(f"{policies / '通知.txt'}: slug 'quan-zheng-ban-gui-2024-11', made of its "
                                   f"document number {NUMBER}, is already used by {policies}/quan-zheng-ban-gui-2024-"
                                   "11.md: if that is this notice, it is in already: delete this copy"), taken.stderr
    [kept] = (root / ".zaitun" / "quarantine").iterdir()
    assert kept.read_bytes() == (FIXTURES / "seed-notice.txt").read_bytes()  # nothing lost
    assert sorted(p.name for p in policies.iterdir()) == ["quan-zheng-ban-gui-2024-11.md"]


def test_one_mail_tells_of_a_notice_in_twice_and_the_passes_after_do_not_tell_it_again(tmp_path):
    root = new_project(tmp_path)
    first = write(root, "guides/a.md", f"---\ntitle: 通知\ndate: 2025-01-01\ndoc_number: {NUMBER}\n---\n\n正文。\n")
    copy = write(root, "policies/a-copy.md", first.read_text(encoding="utf-8"))
    [message] = mails_of_intake(root, passes=3)
    assert message["Subject"] == "1 notice(s) in content/ twice: the rest of the pass went on"
    body = message.get_body(("plain",)).get_content()
    assert f"same notice: {told(first, copy, f'document number {NUMBER} and the same Chinese text', 4, 4)}" in body
    assert "delete the copy not to keep" in body and "need fixing" not in body


def test_the_copy_named_is_the_one_dropped_since_not_the_notice_taken_in_before_whatever_their_names(tmp_path):
    """Staff delete the copy the warning names: it must never be the notice already taken in (and published)."""
    root = new_project(tmp_path)
    content = root / "content"
    (content / "policies").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(FIXTURES / "seed-notice.txt", content / "policies/zz-notice.txt")
    assert zaitun(root, "intake").returncode == 0
    original = content / "policies/zz-notice.md"
    assert original.exists()
    original.touch()  # an edit of the original since: it is still the first
    shutil.copyfile(FIXTURES / "seed-notice.txt", content / "policies/aa-copy.txt")  # before it by name
    copy = content / "policies/aa-copy.md"
    checked = zaitun(root, "check")
    assert [w.split(": ", 1)[0] for w in warnings(checked.stderr)] == [str(content / "policies/aa-copy.txt:1")]
    assert f"{SAME} {original}:" in checked.stderr
    taken = zaitun(root, "intake")
    assert [w.split(": ", 1)[0] for w in warnings(taken.stderr)] == [f"{copy}:{line_of(copy, 'doc_number:')}"]
    assert f"{SAME} {original}:" in taken.stderr
    shown = [line for line in zaitun(root, "status").stdout.splitlines() if SAME in line]
    assert len(shown) == 1 and shown[0].startswith(f"needs attention: {copy}:")
