"""The project's static/ folder: images and documents content links to as /static/..."""

from publish_helpers import make_fixture

from zaitun.check import check_project
from zaitun.publish.sinks import upload_rank

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
    assert report.problems == [f"{path}:8: zh page left out of the site: broken internal link "
                               "/static/images/missing.png"]
    assert not (fx.out / "zh" / "guides" / "map").exists() and (fx.out / "static" / "images" / "map.png").is_file()


def test_check_reports_a_link_to_a_static_file_that_does_not_exist(tmp_path):
    fx = project_with_image(tmp_path, "/static/images/missing.png")
    [problem] = check_project(fx.project)
    assert str(problem) == (f"{fx.project.content_dir / 'guides' / 'map.md'}:8: link /static/images/missing.png "
                            "points to /static/images/missing.png, which the site will not have: fix the link or "
                            "remove it")


def test_static_files_upload_before_the_pages_that_link_them():
    assert upload_rank("static/images/map.png") < upload_rank("zh/guides/map/index.html")
