"""The project's static/ folder: images and documents content links to as /static/..."""

import httpx
import pytest
from publish_helpers import make_fixture

from zaitun.check import check_project
from zaitun.publish.preview import serve_folder
from zaitun.publish.sinks import content_disposition, upload_rank

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def project_with_image(tmp_path, target: str):
    fx = make_fixture(tmp_path / "site")
    (fx.project.static_dir / "images").mkdir(parents=True)
    (fx.project.static_dir / "images" / "map.png").write_bytes(PNG)
    (fx.project.static_dir / ".DS_Store").write_bytes(b"junk")
    fx.write("guides", "map", "title: 地图\ndate: 2025-06-01", f"## 机场\n\n![泉州晋江国际机场位置图]({target})")
    fx.ingest()
    return fx


def test_static_files_are_published_as_they_are_and_images_resolve(tmp_path):
    fx = project_with_image(tmp_path, "/static/images/map.png")
    report = fx.build()
    assert (fx.out / "static" / "images" / "map.png").read_bytes() == PNG
    assert not (fx.out / "static" / ".DS_Store").exists()
    page = (fx.out / "zh" / "guides" / "map" / "index.html").read_text(encoding="utf-8")
    assert 'src="/static/images/map.png"' in page and 'alt="泉州晋江国际机场位置图"' in page
    assert "static/images/map.png" in report.rendered
    assert "static/images/map.png" in fx.build().reused  # unchanged files are not written again


def test_an_image_that_does_not_exist_leaves_its_page_out_naming_file_line_and_link(tmp_path):
    fx = project_with_image(tmp_path, "/static/images/missing.png")
    report = fx.build()
    path = fx.project.content_dir / "guides" / "map.md"
    assert [p for p in report.problems if "left out" in p] == [
        f"{path}:8: zh page left out of the site: broken internal link /static/images/missing.png"]
    assert not (fx.out / "zh" / "guides" / "map").exists() and (fx.out / "static" / "images" / "map.png").is_file()


def test_check_reports_a_link_to_a_static_file_that_does_not_exist(tmp_path):
    fx = project_with_image(tmp_path, "/static/images/missing.png")
    [problem] = [p for p in check_project(fx.project) if p.path.suffix == ".md"]  # static/.DS_Store: below
    assert str(problem) == (f"{fx.project.content_dir / 'guides' / 'map.md'}:8: link /static/images/missing.png "
                            "points to /static/images/missing.png, which the site will not have: fix the link or "
                            "remove it")


def test_static_files_upload_before_the_pages_that_link_them():
    assert upload_rank("static/images/map.png") < upload_rank("zh/guides/map/index.html")


def test_a_symlink_in_static_is_not_published_and_is_named_by_build_and_check(tmp_path):
    fx = project_with_image(tmp_path, "/static/images/map.png")
    secret = fx.project.root / "secret.txt"
    secret.write_text("db password", encoding="utf-8")
    (fx.project.static_dir / "notes.txt").symlink_to(secret)
    (fx.project.root / "elsewhere").mkdir()
    (fx.project.root / "elsewhere" / "key.pem").write_text("KEY", encoding="utf-8")
    (fx.project.static_dir / "linked").symlink_to(fx.project.root / "elsewhere")
    report = fx.build()
    published = {p.relative_to(fx.out).as_posix() for p in fx.out.rglob("*") if p.is_file()}
    assert "static/images/map.png" in published
    assert not {"static/notes.txt", "static/linked/key.pem"} & published
    assert not [p for p in published if "db password" in (fx.out / p).read_text(errors="replace")]
    link = fx.project.static_dir / "notes.txt"
    assert f"{link}: a symlink is never published; copy the file into static/ instead" in report.problems
    checked = [str(p) for p in check_project(fx.project)]
    assert f"{link}: a symlink is never published; copy the file into static/ instead" in checked
    assert f"{fx.project.static_dir / 'linked'}: a symlink is never published; copy the file into static/ instead" \
        in checked


def test_hidden_files_in_static_are_not_published_and_check_names_them(tmp_path):
    fx = project_with_image(tmp_path, "/static/images/map.png")
    (fx.project.static_dir / ".gitkeep").write_text("", encoding="utf-8")  # git's placeholder: fine
    (fx.project.static_dir / ".env").mkdir()
    (fx.project.static_dir / ".env" / "secrets").write_text("x", encoding="utf-8")
    report = fx.build()
    assert not (fx.out / "static" / ".env").exists() and not (fx.out / "static" / ".DS_Store").exists()
    checked = [str(p) for p in check_project(fx.project)]
    hidden = "hidden files are never published; rename it without the leading dot, or remove it"
    static = fx.project.static_dir
    assert checked == [f"{static / '.DS_Store'}: {hidden}", f"{static / '.env'}: {hidden}"]
    assert sorted(p for p in report.problems if "hidden" in p) == checked


def test_a_symlink_beside_documents_is_refused_even_inside_content(tmp_path):
    fx = project_with_image(tmp_path, "images/map.png")
    guides = fx.project.content_dir / "guides"
    (fx.project.content_dir / "shared").mkdir()
    (fx.project.content_dir / "shared" / "map.png").write_bytes(PNG)
    (guides / "images").mkdir()
    (guides / "images" / "map.png").symlink_to(fx.project.content_dir / "shared" / "map.png")
    report = fx.build()
    assert [p for p in report.problems if "link images/map.png refused: it is a symlink" in p]
    assert not (fx.out / "zh" / "guides" / "map").exists() and not (fx.out / "media").exists()


SUPPLIED = {"page.shtml": "attachment", "page.xht": "attachment", "style.xsl": "attachment",
            "data.rdf": "attachment", "map.svg": "attachment", "page.html": "attachment", "tool.exe": "attachment",
            "noext": "attachment", "photo.PNG": None, "photo.jpg": None, "form.pdf": None, "site.css": None,
            "font.woff2": None, "readme.txt": None, "data.json": None}


@pytest.mark.parametrize(("name", "disposition"), SUPPLIED.items())
def test_supplied_files_are_shown_inline_only_for_allowed_types(name, disposition):
    assert content_disposition(f"static/{name}") == disposition
    assert content_disposition(f"media/guides/{name}") == disposition


def test_pages_zaitun_rendered_are_served_inline():
    for name in ("index.html", "zh/guides/map/index.html", "zh/feed.xml", "sitemap.xml", "assets/style.abc.css"):
        assert content_disposition(name) is None


def test_preview_serves_supplied_files_of_other_types_as_attachments(tmp_path):
    fx = project_with_image(tmp_path, "/static/images/map.png")
    for name in ("page.shtml", "style.xsl", "readme.txt"):
        (fx.project.static_dir / name).write_text("<html><script>alert(1)</script></html>", encoding="utf-8")
    fx.build()
    server = serve_folder(fx.out, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        heads = {name: httpx.get(f"{url}/static/{name}", timeout=5).headers.get("content-disposition")
                 for name in ("page.shtml", "style.xsl", "readme.txt", "images/map.png")}
    finally:
        server.shutdown()
        server.server_close()
    assert heads == {"page.shtml": "attachment", "style.xsl": "attachment", "readme.txt": None,
                     "images/map.png": None}
