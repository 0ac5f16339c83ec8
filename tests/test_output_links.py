"""A new version takes the unchanged files of the version online as hard links (output.link_unchanged)."""

import os
import shutil
from pathlib import Path

import pytest

from zaitun.publish import output
from zaitun.publish.output import SITE, link_unchanged


def online_site(root: Path, pages: int) -> tuple[Path, list[str]]:
    """A version online of `pages` pages, each in its own folder as the site has them, and two top files."""
    names = ["index.html", "robots.txt"] + [f"{lang}/guides/doc-{i:05d}/index.html"
                                            for lang in ("zh", "en") for i in range(pages)]
    for name in names:
        (root / SITE / name).parent.mkdir(parents=True, exist_ok=True)
        (root / SITE / name).write_text(name, encoding="utf-8")
    return root, names


@pytest.mark.parametrize("pages", [3, 3 * output.LINK_SHARE])  # one thread; several
def test_a_new_version_links_every_unchanged_file_into_the_folders_it_makes(tmp_path, pages):
    online, names = online_site(tmp_path / "online", pages)
    stage = tmp_path / "stage"
    stage.mkdir()
    link_unchanged(online, stage, names)
    for name in names:
        assert os.path.samefile(stage / name, online / SITE / name), name
    made = {str(p.relative_to(stage)) for p in stage.rglob("*")}
    assert made == set(names) | {"zh", "en", "zh/guides", "en/guides"} | {os.path.dirname(n) for n in names[2:]}


def test_files_already_in_a_reused_version_keep_their_folders_and_only_the_missing_are_linked(tmp_path):
    online, names = online_site(tmp_path / "online", 4)
    stage = tmp_path / "stage"
    (stage / "zh/guides/doc-00001").mkdir(parents=True)
    (stage / "zh/guides/doc-00001/index.html").write_text("rendered anew", encoding="utf-8")
    missing = [n for n in names if n != "zh/guides/doc-00001/index.html"]
    link_unchanged(online, stage, missing)
    assert (stage / "zh/guides/doc-00001/index.html").read_text(encoding="utf-8") == "rendered anew"
    assert all(os.path.samefile(stage / n, online / SITE / n) for n in missing)


def test_files_are_copied_where_they_cannot_be_linked(tmp_path):
    shm = Path("/dev/shm")
    if not shm.is_dir() or os.stat(shm).st_dev == os.stat(tmp_path).st_dev:
        pytest.skip("needs a second file system to refuse a hard link")
    online, names = online_site(Path(os.path.join(shm, f"zaitun-links-{os.getpid()}")), output.LINK_SHARE)
    try:
        stage = tmp_path / "stage"
        stage.mkdir()
        link_unchanged(online, stage, names)
        for name in names:
            assert (stage / name).read_text(encoding="utf-8") == name
            assert not os.path.samefile(stage / name, online / SITE / name)
    finally:
        shutil.rmtree(online)
