"""`zaitun check` predicts every refusal: a corpus of bad documents, one fault each, beside good ones."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import insert

from zaitun.check import content_problems
from zaitun.pipeline import intake
from zaitun.project import Project
from zaitun.publish.site import build_site
from zaitun.state.store import Store, documents, now, sha

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
FRONT = "title: 指南\ndate: 2025-01-01"
FAULTS = {  # slug -> (front matter, body): each breaks one rule
    "summary-number": (FRONT + "\nsummary: 2024", "正文。"),
    "summary-list": (FRONT + "\nsummary: [一, 二]", "正文。"),
    "summary-alias": (FRONT + "\ntags: &t [visa-free]\nsummary: *t", "正文。"),
    "title-number": ("title: 2024\ndate: 2025-01-01", "正文。"),
    "missing-date": ("title: 指南", "正文。"),
    "bad-date": ("title: 指南\ndate: 2024-13-01", "正文。"),
    "draft-text": (FRONT + "\ndraft: 'yes'", "正文。"),
    "bad-programme": (FRONT + "\nprogramme: Visa Free", "正文。"),
    "titel-typo": (FRONT + "\ntitel: 指南", "正文。"),
    "valid-until-hyphen": (FRONT + "\nvalid-until: 2026-01-01", "正文。"),
    "slug-key": (FRONT + "\nslug: guide", "正文。"),
    "tag-dotdot": (FRONT + "\ntags: ['..']", "正文。"),
    "tag-dot": (FRONT + "\ntags: ['.']", "正文。"),
    "tag-slash": (FRONT + "\ntags: [a/b]", "正文。"),
    "tag-empty": (FRONT + "\ntags: ['']", "正文。"),
    "tag-control": (FRONT + '\ntags: ["bell\\a"]', "正文。"),
    "alias-url": (FRONT + "\naliases: ['https://example.org/old']", "正文。"),
    "alias-dotdot": (FRONT + "\naliases: [guides/../old]", "正文。"),
    "alias-file": (FRONT + "\naliases: [media/old-notice.pdf]", "正文。"),  # served as a PDF, never followed
    "title-control": ('title: "指南\\a"\ndate: 2025-01-01', "正文。"),
    "nul-body": (FRONT, "第一句。\x00第二句。"),
    "page-link": (FRONT, "见[附件](../../notice)。"),
    "fragment-link": (FRONT, "## 概况\n\n见[下文](#不存在)。"),
    "missing-image": (FRONT, "![地图](nothing.png)"),
    "image-without-alt": (FRONT, "![](images/map.png)"),
    "link-outside": (FRONT, "见[配置](../../zaitun.toml)。"),
    "link-to-draft": (FRONT, "见[草稿](../draft-doc/)。"),
}
GOOD = {
    "good-a": (FRONT + "\nsummary: 摘要\ntags: [visa-free, 政策文件]\nprogramme: transit\n"
               "aliases: [gk/t20230105_123.shtml, old/guide.htm]",
               "## 概况\n\n见[下文](#概况)。"),
    "good-b": (FRONT + "\nvalid_until: 2026-12-31", "见[另一篇](../good-a/)和![地图](images/map.png)。"),
    "draft-doc": (FRONT + "\ndraft: true", "草稿。"),
    "good-c": (FRONT, "见[全部标签](../../tags/)和[全部专题](../../programmes/)。"),  # the site's own pages
}


def corpus(root: Path) -> Project:
    for name in ("content/guides/images", "glossary", "tm", "publish"):
        (root / name).mkdir(parents=True)
    (root / "content" / "guides" / "images" / "map.png").write_bytes(PNG)
    for slug, (front, body) in {**FAULTS, **GOOD}.items():
        (root / "content" / "guides" / f"{slug}.md").write_text(f"---\n{front}\n---\n\n{body}\n", encoding="utf-8")
    return Project(root)


def published(project: Project) -> set[str]:
    return {p.parent.name for p in (project.publish_dir / "zh" / "guides").glob("*/index.html")}


def reported(project: Project) -> set[str]:
    return {problem.path.stem for problem in content_problems(project)}


def test_check_reports_a_document_exactly_when_the_pipeline_refuses_it(tmp_path):
    project = corpus(tmp_path / "p")
    store = Store.open(project.database_url)
    report = intake(project, store)
    built = build_site(project, store, today=dt.date(2025, 6, 1))
    refused = set(FAULTS) | set(GOOD) - {"draft-doc"} - published(project)
    assert reported(project) == set(FAULTS) == refused
    assert {e.path.stem for e in report.errors} == set(FAULTS) and built.problems == []
    assert {str(e) for e in report.errors} == {str(p) for p in content_problems(project)}
    store.close()


def test_the_build_alone_refuses_nothing_check_passes(tmp_path):
    """Every file put straight into the store, past intake: what the build leaves out, check reported."""
    project = corpus(tmp_path / "p")
    store = Store.open(project.database_url)
    with store.tx() as conn:
        for path in sorted((project.content_dir / "guides").glob("*.md")):
            raw = path.read_text(encoding="utf-8")
            conn.execute(insert(documents).values(slug=path.stem, section="guides", path=str(path), raw=raw,
                                                  raw_hash=sha(raw), status="active", updated_at=now()))
    report = build_site(project, store, today=dt.date(2025, 6, 1))
    left_out = {Path(line.split(":", 1)[0]).stem for line in report.problems}
    assert left_out == set(FAULTS) - published(project) - {"draft-doc"}
    assert left_out <= reported(project) and {"good-a", "good-b"} <= published(project)
    assert (project.publish_dir / "zh" / "index.html").read_text(encoding="utf-8").count("<h1") == 1
    store.close()
