"""Files staff drop into content/ that zaitun neither reads nor publishes: an old Word .doc, a WPS file, an
unlinked PDF, a .zip of notices. Each is named where staff look (check, intake, run, status, one
notification), with what to do; none is moved, and none goes online. Linked ones are attachments. Files merely
unlinked (pictures, PDFs) share one line per folder, but in `zaitun check`, which names each."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from conftest import FIXTURES, free_port, write_doc
from test_fault_isolation import ZAITUN, env, setting, write, zaitun
from test_notify import Inbox, mail_url

from zaitun.content.intake import ingest
from zaitun.content.model import is_scratch

LINKING = ("---\ntitle: 办事指南\ndate: 2025-01-01\n---\n\n下载[申请表](申请表.doc)和[附件](files/附件.pdf)。\n")
# file dropped into content/policies/ -> what its warning must say
UNREAD = {
    "old-notice.doc": "an old Word (.doc) file is not read: save it as a Word document (.docx)",
    "notice.wps": "a WPS Writer (.wps) file is not read: save it as a Word document (.docx)",
    "模板.wpt": "(.wpt) file is not read: save it as a Word document (.docx)",
    "notice.rtf": "(.rtf) file is not read: save it as a Word document (.docx)",
    "notice.odt": "(.odt) file is not read: save it as a Word document (.docx)",
    "通知.pdf": "is published only where a document links it, and none does: link it from a document, "
               "or drop the notice as .docx, .txt or .md",
    "名单.xls": "is published only where a document links it",
    "名单.xlsx": "is published only where a document links it",
    "名单.et": "is published only where a document links it",
    "讲解.dps": "is published only where a document links it",
    "notices.zip": "an archive (.zip) is not unpacked: unpack it into the folder",
}
SCRATCH = ["~$notice.docx", ".~lock.notice.docx#", "notice.docx.swp", ".notice.md.swp", ".DS_Store", "Thumbs.db",
           "desktop.ini", "notice.docx.bak", "#notice.md#", "notice.md~"]


def new_project(tmp_path: Path) -> Path:
    root = tmp_path / "p"
    subprocess.run([*ZAITUN, "init", str(root), "--no-sample"], check=True, capture_output=True, env=env())
    return root


def project_with_drops(tmp_path: Path) -> tuple[Path, Path]:
    """A new project whose policies/ holds a document linking a .doc form and a PDF, beside unread drops."""
    root = new_project(tmp_path)
    policies = root / "content" / "policies"
    write(root, "policies/guide.md", LINKING)
    (policies / "files").mkdir()
    for name in ["申请表.doc", "files/附件.pdf", *UNREAD, *SCRATCH]:
        (policies / name).write_bytes(b"\xd0\xcf\x11\xe0 dropped by staff")
    return root, policies


def warned(output: str) -> dict[str, str]:
    """The file name of each warning line printed -> the line."""
    lines = [line.removeprefix("warning: ") for line in output.splitlines() if line.startswith("warning: ")]
    return {Path(line.split(": ", 1)[0]).name: line for line in lines}


def test_check_names_each_unread_file_with_what_to_do_and_still_passes(tmp_path):
    root, policies = project_with_drops(tmp_path)
    before = sorted(p.name for p in root.rglob("*"))
    done = zaitun(root, "check")
    assert done.returncode == 0, done.stderr  # a stray file blocks nothing: warned of, not a problem
    found = warned(done.stderr)
    assert set(found) == set(UNREAD)  # linked attachments and editors' scratch files are not named
    for name, advice in UNREAD.items():
        assert found[name].startswith(f"{policies / name}: ") and advice in found[name], found[name]
    assert "另存为" in found["notice.wps"] and "link it from a document" in found["old-notice.doc"]
    assert f"{len(UNREAD)} file(s) not read" in done.stderr
    assert sorted(p.name for p in root.rglob("*")) == before  # nothing moved, converted or written


def test_a_pass_names_unread_files_in_its_summary_leaves_them_and_publishes_none(tmp_path):
    root, policies = project_with_drops(tmp_path)
    taken = zaitun(root, "intake")
    assert taken.returncode == 0, taken.stderr
    assert taken.stdout.strip() == f"ingested 1, unchanged 0, withdrawn 0, errors 0, not read {len(UNREAD)}"
    to_act = {name for name, advice in UNREAD.items() if "published only where" not in advice}
    assert set(warned(taken.stderr)) == to_act | {"policies"}  # the unlinked PDF and sheets: one line for the folder
    ran = zaitun(root, "run")
    assert ran.returncode == 0, ran.stderr
    assert f"intake: 0 taken in, 0 withdrawn, 0 with errors, {len(UNREAD)} not read" in ran.stdout
    assert set(warned(ran.stderr)) == to_act | {"policies"}
    published = {p.name for p in (root / "publish").rglob("*")}
    assert {"申请表.doc", "附件.pdf"} <= published and not published & {*UNREAD, *SCRATCH}
    assert all((policies / name).exists() for name in [*UNREAD, *SCRATCH])
    assert not (root / ".zaitun" / "quarantine").exists()


def mails_of_intake(root: Path, passes: int) -> list:
    """The failure mails `passes` runs of `zaitun intake` send, to a real SMTP server on 127.0.0.1."""
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    setting(root, "failure = []", f'failure = ["{mail_url(port)}"]')
    try:
        for _ in range(passes):
            assert zaitun(root, "intake").returncode == 0
    finally:
        controller.stop()
    return inbox.messages


def test_status_lists_an_unread_file_once_and_one_mail_tells_of_it_until_it_is_linked(tmp_path):
    root = new_project(tmp_path)
    guide = write(root, "policies/guide.md", "---\ntitle: 指南\ndate: 2025-01-01\n---\n\n正文。\n")
    stray = root / "content" / "policies" / "old-notice.doc"
    stray.write_bytes(b"\xd0\xcf\x11\xe0")
    [message] = mails_of_intake(root, passes=3)  # three passes: told once
    assert message["Subject"] == "1 file(s) not read: the rest of the pass went on"
    assert f"{stray}: an old Word (.doc) file is not read" in message.get_body(("plain",)).get_content()
    shown = zaitun(root, "status").stdout
    attention = [line for line in shown.splitlines() if str(stray) in line]
    assert len(attention) == 1 and attention[0].startswith(f"needs attention: {stray}: an old Word (.doc)")
    assert "needs fixing" not in shown
    status = json.loads(zaitun(root, "status", "--json").stdout)
    assert status["errors"] == [] and [Path(m.split(": ", 1)[0]) for m in status["not_read"]] == [stray]

    guide.write_text(guide.read_text(encoding="utf-8").replace("正文。", "正文，见[原件](old-notice.doc)。"),
                     encoding="utf-8")
    assert zaitun(root, "intake").returncode == 0
    assert str(stray) not in zaitun(root, "status").stdout  # linked: an attachment, nothing to do


def test_links_of_documents_not_parsed_again_still_make_their_files_attachments(tmp_project, store):
    write_doc(tmp_project.root, "guides/a.md", "title: 标题\ndate: 2025-01-01", "见[表](form.doc)。")
    form = tmp_project.content_dir / "guides" / "form.doc"
    form.write_bytes(b"\xd0\xcf\x11\xe0")
    first, second = ingest(tmp_project, store), ingest(tmp_project, store)
    assert first.ingested == ["a"] and second.unchanged == ["a"]  # (the second pass does not parse a.md)
    assert first.unread == [] and second.unread == []
    unlinked = write_doc(tmp_project.root, "guides/a.md", "title: 标题\ndate: 2025-01-01", "正文。")
    third = ingest(tmp_project, store)
    assert third.ingested == ["a"] and [w.path for w in third.unread] == [form] and unlinked.exists()
    assert [w.path for w in ingest(tmp_project, store).unread] == [form]  # nor forgotten on the pass after


def test_markdown_saved_as_txt_is_named_with_its_rename_and_left_where_it_is(tmp_project, store):
    saved = write_doc(tmp_project.root, "policies/notice.md.txt", "title: 标题\ndate: 2025-01-01", "正文。")
    report = ingest(tmp_project, store)
    assert report.ingested == [] and [e.path for e in report.errors] == [saved]
    assert "rename it to notice.md" in str(report.errors[0])
    assert saved.exists() and not tmp_project.quarantine_dir.exists()  # not converted as a plain-text notice


def test_a_notice_in_a_sub_folder_is_told_to_move_or_be_linked(tmp_project, store):
    write_doc(tmp_project.root, "policies/a.md", "title: 标题\ndate: 2025-01-01", "正文。")
    deeper = tmp_project.content_dir / "policies" / "2025" / "notice.txt"
    deeper.parent.mkdir()
    deeper.write_bytes((FIXTURES / "seed-notice.txt").read_bytes())
    [warning] = ingest(tmp_project, store).unread
    assert warning.path == deeper and "move it into content/policies/" in warning.message
    assert "or link it from a document" in warning.message and deeper.exists()


@pytest.mark.parametrize("name", SCRATCH + ["ehthumbs.db", "Desktop.ini", "~WRL0001.tmp", "notice.docx.wbk"])
def test_files_editors_and_systems_leave_are_scratch(name):
    assert is_scratch(name)


@pytest.mark.parametrize("name", ["old-notice.doc", "notice.wps", "通知.pdf", "notices.zip", "a.md", "map.png"])
def test_files_staff_drop_are_not_scratch(name):
    assert not is_scratch(name)


def project_with_old_pictures(tmp_path: Path, count: int = 40) -> tuple[Path, Path, Path]:
    """Years of notices later: `count` pictures and PDFs no document links in guides/media/, beside an old Word
    file staff meant as a notice."""
    root = new_project(tmp_path)
    write(root, "guides/guide.md", "---\ntitle: 办事指南\ndate: 2025-01-01\n---\n\n正文。\n")
    media = root / "content" / "guides" / "media"
    media.mkdir()
    for i in range(count):
        (media / f"{i:02}-活动照片.{('jpg', 'png', 'pdf')[i % 3]}").write_bytes(b"\xff\xd8\xff old picture")
    stray = root / "content" / "guides" / "old-notice.doc"
    stray.write_bytes(b"\xd0\xcf\x11\xe0")
    return root, media, stray


def test_a_folder_of_unlinked_pictures_is_one_line_in_status_and_the_pass_and_check_names_each(tmp_path):
    root, media, stray = project_with_old_pictures(tmp_path)
    pictures = sorted(p.name for p in media.iterdir())
    folder_line = (f"{media}/: 40 files no document links (e.g. {', '.join(pictures[:3])}, …): link them from a "
                   "document, or move them out of content/; `zaitun check` names each")
    checked = zaitun(root, "check")
    assert checked.returncode == 0, checked.stderr
    assert set(warned(checked.stderr)) == {*pictures, stray.name}  # the detailed view: each file
    assert "41 file(s) not read" in checked.stderr
    for command in ("intake", "run"):
        done = zaitun(root, command)
        assert done.returncode == 0, done.stderr
        said = [line for line in done.stderr.splitlines() if line.startswith("warning: ")]
        assert said == [f"warning: {folder_line}", f"warning: {warned(checked.stderr)[stray.name]}"], said
        assert "not read 41" in done.stdout or "41 not read" in done.stdout, done.stdout
    shown = zaitun(root, "status").stdout.splitlines()
    attention = [line for line in shown if line.startswith("needs attention: ")]
    assert attention == [f"needs attention: {folder_line}",
                         f"needs attention: {stray}: an old Word (.doc) file is not read: save it as a Word "
                         "document (.docx) — in WPS: 另存为 → .docx — and drop that; or link it from a document to "
                         "publish it as a download"]
    status = json.loads(zaitun(root, "status", "--json").stdout)  # for programs: each file
    assert sorted(Path(m.split(": ", 1)[0]).name for m in status["not_read"]) == sorted([*pictures, stray.name])


def test_one_mail_tells_of_a_folder_of_unlinked_pictures_in_one_line_and_of_each_file_to_act_on(tmp_path):
    root, media, stray = project_with_old_pictures(tmp_path, count=12)
    lone = root / "content" / "about" / "map.png"  # alone in its folder: told as it is
    lone.parent.mkdir()
    lone.write_bytes(b"\x89PNG")
    [message] = mails_of_intake(root, passes=2)  # two passes: told once
    assert message["Subject"] == "14 file(s) not read: the rest of the pass went on"
    body = message.get_body(("plain",)).get_content()
    told = [line for line in body.splitlines() if line.startswith(("not read: ", "not linked: "))]
    assert told == [f"not linked: {lone}: a .png file is published only where a document links it, and none does: "
                    "link it from a document, or drop the notice as .docx, .txt or .md",
                    f"not linked: {media}/: 12 files no document links (e.g. 00-活动照片.jpg, 01-活动照片.png, "
                    "02-活动照片.pdf, …): link them from a document, or move them out of content/; `zaitun check` "
                    "names each",
                    f"not read: {stray}: an old Word (.doc) file is not read: save it as a Word document (.docx) — in "
                    "WPS: 另存为 → .docx — and drop that; or link it from a document to publish it as a download"], body
