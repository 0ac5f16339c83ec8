"""The project's static/ folder: images and documents content links to as /static/..."""

import pytest
from publish_helpers import make_fixture

from zaitun.errors import PublishError
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


def test_an_image_that_does_not_exist_fails_the_build_naming_page_and_link(tmp_path):
    fx = project_with_image(tmp_path, "images/missing.png")
    with pytest.raises(PublishError, match=r"zh/guides/map/index.html: broken internal link images/missing.png"):
        fx.build()


def test_static_files_upload_before_the_pages_that_link_them():
    assert upload_rank("static/images/map.png") < upload_rank("zh/guides/map/index.html")
