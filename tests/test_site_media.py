"""Images and files (PDFs) placed beside content documents and linked relatively: published under media/."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading

import boto3
from conftest import free_port, write_doc
from hypothesis import given
from hypothesis import strategies as st
from moto.server import ThreadedMotoServer
from publish_helpers import make_fixture
from watchdog.events import FileCreatedEvent

from zaitun.check import check_project
from zaitun.content.intake import ingest
from zaitun.content.markdown import _parser, file_references, render_markdown
from zaitun.mediatypes import content_type
from zaitun.publish.sinks import deploy, upload_rank
from zaitun.watch import DebouncedHandler, linked_files

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PDF = b"%PDF-1.4\n%%EOF\n"
FRONT = "title: 机场交通\ndate: 2025-06-01"
BODY = "## 位置\n\n![泉州晋江国际机场位置图](images/map.png)\n\n请下载[申请表](form.pdf#page=2)。"


def english(source: str) -> str:
    """A translator keeps links and images, translating the alt text."""
    alt = {"泉州晋江国际机场位置图": "Location of Quanzhou Jinjiang International Airport"}
    return alt.get(source, f"EN[{source}]")


def airport_project(tmp_path, body: str = BODY):
    fx = make_fixture(tmp_path / "site")
    guides = fx.project.content_dir / "guides"
    (guides / "images").mkdir(parents=True)
    (guides / "images" / "map.png").write_bytes(PNG)
    (guides / "form.pdf").write_bytes(PDF)
    fx.write("guides", "airport", FRONT, body)
    fx.ingest()
    return fx


def page(fx, lang: str) -> str:
    return (fx.out / lang / "guides" / "airport" / "index.html").read_text(encoding="utf-8")


def img_src(html: str) -> str:
    return re.search(r'<img src="([^"]+)"', html).group(1)


def test_an_image_beside_a_document_is_published_once_and_both_language_pages_link_it(tmp_path):
    fx = airport_project(tmp_path)
    fx.translate_and_approve("airport", english)
    fx.build()
    zh, en = page(fx, "zh"), page(fx, "en")
    assert img_src(zh) == img_src(en) == "/media/guides/images/map.png"
    assert (fx.out / "media" / "guides" / "images" / "map.png").read_bytes() == PNG
    assert 'alt="泉州晋江国际机场位置图"' in zh
    assert 'alt="Location of Quanzhou Jinjiang International Airport"' in en
    assert '<a href="/media/guides/form.pdf#page=2">申请表</a>' in zh
    assert (fx.out / "media" / "guides" / "form.pdf").read_bytes() == PDF
    assert not (fx.out / "media" / "guides" / "airport.md").exists()  # only linked files are published


def test_links_follow_the_base_path_and_chinese_file_names(tmp_path):
    fx = airport_project(tmp_path, "![泉州地图](地图.png)")
    (fx.project.content_dir / "guides" / "地图.png").write_bytes(PNG)
    (fx.project.root / "zaitun.toml").write_text('[site]\nbase_url = "https://example.org/visit/"\n',
                                                 encoding="utf-8")
    fx.project.__dict__.pop("config", None)  # the setting changed on disk
    fx.build()
    assert img_src(page(fx, "zh")) == "/visit/media/guides/%E5%9C%B0%E5%9B%BE.png"
    assert (fx.out / "media" / "guides" / "地图.png").read_bytes() == PNG


def test_unchanged_files_are_reused_and_a_changed_file_is_republished_alone(tmp_path):
    fx = airport_project(tmp_path)
    first = fx.build()
    assert "media/guides/images/map.png" in first.rendered
    second = fx.build()
    assert {"media/guides/images/map.png", "media/guides/form.pdf"} <= set(second.reused)
    assert second.rendered == []
    (fx.project.content_dir / "guides" / "images" / "map.png").write_bytes(PNG + b"new")
    third = fx.build()
    assert third.rendered == ["media/guides/images/map.png"]  # the pages link the same path
    assert (fx.out / "media" / "guides" / "images" / "map.png").read_bytes() == PNG + b"new"


def test_a_changed_picture_right_beside_its_document_is_republished_and_not_read_as_a_page(tmp_path):
    """media/guides/map.png has the depth of a document page (en/guides/airport/): the search index read the
    changed picture as a page's HTML, and every build then stopped with a UnicodeDecodeError."""
    fx = airport_project(tmp_path, BODY.replace("images/map.png", "map.png"))
    (fx.project.content_dir / "guides" / "map.png").write_bytes(PNG)
    fx.translate_and_approve("airport", english)
    fx.build()
    (fx.project.content_dir / "guides" / "map.png").write_bytes(PNG + b"new")
    again = fx.build()
    assert again.rendered == ["media/guides/map.png"]
    assert (fx.out / "media" / "guides" / "map.png").read_bytes() == PNG + b"new"


def test_a_file_no_longer_linked_leaves_the_site(tmp_path):
    fx = airport_project(tmp_path)
    fx.build()
    fx.write("guides", "airport", FRONT, "## 位置\n\n![泉州晋江国际机场位置图](images/map.png)")
    fx.ingest()
    report = fx.build()
    assert report.removed == ["media/guides/form.pdf"]
    assert not (fx.out / "media" / "guides" / "form.pdf").exists()


def left_out(fx) -> list[str]:
    """Build; return what the build left out, having checked the rest of the site went online."""
    report = fx.build()
    assert not (fx.out / "zh" / "guides" / "airport").exists() and (fx.out / "zh" / "index.html").is_file()
    return report.problems


def test_a_missing_image_leaves_its_page_out_naming_file_line_and_link(tmp_path):
    fx = airport_project(tmp_path, "![泉州地图](images/gone.png)")
    path = fx.project.content_dir / "guides" / "airport.md"
    assert left_out(fx) == [f"{path}:6: zh page left out of the site: broken internal link images/gone.png"]


def test_a_link_leaving_content_is_refused_and_nothing_outside_is_published(tmp_path):
    fx = airport_project(tmp_path, "见[配置](../../zaitun.toml)。")
    problems = left_out(fx)
    assert len(problems) == 1
    assert "airport.md:6: zh page left out of the site: link ../../zaitun.toml refused: it points out" in problems[0]
    assert not list(fx.out.rglob("zaitun.toml"))


def test_a_symlink_out_of_content_is_refused(tmp_path):
    fx = airport_project(tmp_path, "![泉州地图](secret.png)")
    (fx.project.root / "outside.png").write_bytes(PNG)
    (fx.project.content_dir / "guides" / "secret.png").symlink_to(fx.project.root / "outside.png")
    problem = left_out(fx)[0]
    assert "airport.md:6: zh page left out of the site: link secret.png refused: it is a symlink; copy" in problem
    assert not list(fx.out.rglob("secret.png"))


def test_check_reports_missing_refused_and_alt_less_file_links_at_path_and_line(tmp_project):
    path = write_doc(tmp_project.root, "guides/map.md", FRONT,
                     "第一段。\n\n![](map.png)\n\n![地图](images/gone.png)\n\n见[文件](../../../etc/passwd.txt)、"
                     "[表](form.docx)。")
    guides = tmp_project.content_dir / "guides"
    (guides / "map.png").write_bytes(PNG)
    (guides / "form.docx").write_bytes(b"PK")
    problems = check_project(tmp_project)
    assert [str(p) for p in problems if p.path.name == "form.docx"] == [  # the link's target, dropped as a notice
        f"{guides / 'form.docx'}: not a readable .docx file (File is not a zip file): re-save it from Word"]
    lines = [str(p) for p in problems if p.path == path]
    assert lines[0] == f"{path}:8: image map.png has no alt text: say what it shows between the brackets, " \
                       "![...](map.png)"
    assert lines[1] == f"{path}:10: image images/gone.png: no such file content/guides/images/gone.png " \
                       "(add the file or fix the link)"
    assert lines[2].startswith(f"{path}:12: link ../../../etc/passwd.txt refused: it points outside content/")
    assert lines[3].startswith(f"{path}:12: link form.docx: intake imports .txt/.docx files in a section folder")
    assert len(lines) == 4


def test_zaitun_check_prints_the_image_without_alt_text_and_fails(tmp_path):
    project = tmp_path / "p"
    assert zaitun("init", str(project)).returncode == 0  # with the sample content, which passes
    path = write_doc(project, "guides/map.md", FRONT, "![](map.png)")
    (path.parent / "map.png").write_bytes(PNG)
    result = zaitun("--project", str(project), "check")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.splitlines()[0].startswith(f"{path}:6: image map.png has no alt text")
    assert "1 problem(s) found" in result.stderr


def zaitun(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run([sys.executable, "-m", "zaitun", *args], capture_output=True, text=True, timeout=120,
                          env=env)


def test_check_accepts_files_linked_correctly_beside_documents(tmp_path):
    fx = airport_project(tmp_path)
    assert check_project(fx.project) == []


def test_intake_leaves_images_and_pdfs_alone(tmp_path):
    fx = airport_project(tmp_path)
    guides = fx.project.content_dir / "guides"
    (guides / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    report = ingest(fx.project, fx.store)
    assert report.errors == [] and report.withdrawn == [] and report.ingested == []
    assert [d["slug"] for d in fx.store.documents(status=None)] == ["airport"]
    assert (guides / "photo.jpg").is_file() and (guides / "form.pdf").is_file()
    assert (guides / "images" / "map.png").is_file()
    assert not fx.project.quarantine_dir.exists() or not any(fx.project.quarantine_dir.iterdir())


def test_the_watcher_announces_documents_and_linked_files_but_not_temporary_ones(tmp_project):
    batches: list[list[str]] = []
    fired = threading.Event()
    handler = DebouncedHandler(lambda paths: (batches.append(paths), fired.set()), debounce=0.01)
    guides = tmp_project.content_dir / "guides"
    for name in ("map.png", "a.md", "a.md~", ".a.md.swp", "form.pdf.part", "~$notice.docx"):
        handler.dispatch(FileCreatedEvent(str(guides / name)))
    assert fired.wait(5)
    assert batches == [[str(guides / "a.md"), str(guides / "map.png")]]
    assert linked_files(batches[0]) == [str(guides / "map.png")]


def test_s3_deploy_uploads_linked_files_before_pages_with_their_content_type(tmp_path, monkeypatch):
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    fx = airport_project(tmp_path)
    fx.build()
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        endpoint = f"http://127.0.0.1:{port}"
        client = boto3.client("s3", endpoint_url=endpoint)
        client.create_bucket(Bucket="site")
        report = deploy(fx.out, "s3://site/www", endpoint_url=endpoint)
        heads = {name: client.head_object(Bucket="site", Key=f"www/{name}")["ContentType"]
                 for name in ("media/guides/images/map.png", "media/guides/form.pdf")}
    finally:
        server.stop()
    assert heads == {"media/guides/images/map.png": "image/png", "media/guides/form.pdf": "application/pdf"}
    order = report.uploaded
    assert order.index("media/guides/images/map.png") < order.index("zh/guides/airport/index.html")


def test_media_files_upload_before_pages_with_their_content_type():
    assert upload_rank("media/guides/images/map.png") < upload_rank("zh/guides/map/index.html")
    assert content_type("media/guides/images/map.png") == "image/png"
    assert content_type("media/guides/form.pdf") == "application/pdf"
    assert content_type("media/guides/photo.webp") == "image/webp"


def test_only_relative_links_to_files_are_rewritten_and_unsafe_links_stay_refused():
    text = ("[a](https://example.org/a.pdf) [b](/static/b.pdf) [c](#part) [d](other.md) [e](e.pdf) "
            "[f](javascript:alert(1)) ![g](data:image/png;base64,AAAA) ![h](h.png)")
    assert [r.target for r in file_references(text)] == ["e.pdf", "h.png"]
    html = render_markdown(text, lambda target: f"/media/{target}")
    assert 'href="https://example.org/a.pdf"' in html and 'href="/static/b.pdf"' in html
    assert 'href="#part"' in html and 'href="other.md"' in html
    assert 'href="/media/e.pdf"' in html and 'src="/media/h.png"' in html
    assert "javascript:" not in html.replace("[f](javascript:alert(1))", "")



DESTS = ["x.png", "f.pdf", "<m y.pdf>", "https://e.org/a.png", "/s.png", "#top", "../x.png", "地图.png", "a.md",
         "?q", "HTTP:x.png", "&#47;x.png", "%2E%2E/x.png", "mailto:a@b", "//cdn/x.png"]
NOISE = ["](", "]:", "<", ">", ")", " ", "\n", "[", "]", "#", "/", "\\", "地图"]
ELEMENT = st.one_of(
    st.builds(lambda image, label, space, dest: f"{'!' if image else ''}[{label}]({space}{dest})",
              st.booleans(), st.sampled_from(["", "地图", "a b"]), st.sampled_from(["", " ", "\n"]),
              st.sampled_from(DESTS)),
    st.builds(lambda space, dest: f"\n\n[r]:{space}{dest}\n\n[x][r]", st.sampled_from([" ", "\n "]),
              st.sampled_from(DESTS)),
    st.sampled_from(NOISE))


@given(st.lists(ELEMENT, max_size=12).map("".join))
def test_the_quick_scan_never_hides_a_file_reference(text):
    refs: list = []
    _parser().parse(text, {"file_refs": refs})  # the full parse, without the quick scan
    assert file_references(text) == refs
