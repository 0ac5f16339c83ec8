"""Helpers for the translate-stage tests: a small project with a glossary, a document and settings."""

from __future__ import annotations

import textwrap
from pathlib import Path

import yaml

from zaitun.content.intake import ingest
from zaitun.project import Project
from zaitun.state.store import Store
from zaitun.translate.memory import export_tmx

GLOSSARY = """\
zh,en,forbidden,note
市委宣传部,Publicity Department of the CPC Quanzhou Municipal Committee,Propaganda Department,
宣传部,Publicity Department,Propaganda Department,
外国人,foreign national,alien,
晋江国际机场,Quanzhou Jinjiang International Airport,,
机场,airport,,
"""

DOCUMENT = """\
---
title: 市委宣传部发布通知
date: 2025-01-01
---

外国人经晋江国际机场过境，可以停留10天。

宣传部

详见[通知](https://example.org/a)。
"""
TITLE, STAY, TERM, LINK = ("市委宣传部发布通知", "外国人经晋江国际机场过境，可以停留10天。", "宣传部",
                           "详见[通知](https://example.org/a)。")


def make_project(root: Path, settings: str = "", document: str = DOCUMENT, slug: str = "notice") -> Project:
    """A project with the test glossary, one document in content/guides/ and the given zaitun.toml."""
    (root / "glossary").mkdir(parents=True, exist_ok=True)
    (root / "glossary" / "terms.csv").write_text(GLOSSARY, encoding="utf-8")
    (root / "content" / "guides").mkdir(parents=True, exist_ok=True)
    (root / "content" / "guides" / f"{slug}.md").write_text(document, encoding="utf-8")
    (root / "tm").mkdir(exist_ok=True)
    (root / "zaitun.toml").write_text(textwrap.dedent(settings), encoding="utf-8")
    return Project(root)


def libre_settings(url: str, timeout: float = 1.0, retries: int = 2, batch_size: int = 20) -> str:
    return f"""
    [translate]
    provider = "libre"
    provider_url = "{url}"
    api_key = "secret"
    timeout = {timeout}
    retries = {retries}
    batch_size = {batch_size}
    """


def open_ingested(project: Project) -> Store:
    store = Store.open(project.database_url)
    report = ingest(project, store)
    assert not report.errors, report.errors
    return store


def drafts_by_source(report) -> dict:
    """{source: SegmentResult} of a TranslateReport."""
    return {s.source: s for d in report.documents for s in d.segments}


def checks_of(result) -> set[str]:
    return {i["check"] for i in result.issues}


def write_tmx(path: Path, units: str, doctype: str = "") -> Path:
    """A TMX file as another tool writes it, holding `units` (<tu> elements)."""
    path.write_text(f"""<?xml version="1.0" encoding="utf-8"?>{doctype}
<tmx version="1.4"><header srclang="zh-CN" datatype="PlainText" segtype="sentence" adminlang="en"
 o-tmf="x" creationtool="x" creationtoolversion="1"/><body>{units}</body></tmx>""", encoding="utf-8")
    return path


def tu(zh: str, en: str, zh_lang: str = "zh-CN", attr: str = "xml:lang") -> str:
    return f'<tu><tuv {attr}="{zh_lang}"><seg>{zh}</seg></tuv><tuv {attr}="en"><seg>{en}</seg></tuv></tu>'


REPO = Path(__file__).resolve().parent.parent


def approved_pairs() -> list[tuple[str, str]]:
    """Every approved (Chinese, English) pair the repository holds: the sample content's memory and the
    re-issued notice's expected English."""
    memory = yaml.safe_load((REPO / "tm" / "translations.yaml").read_text(encoding="utf-8"))
    reissue = yaml.safe_load((REPO / "tests" / "fixtures" / "reissue" / "quan-zheng-ban-gui-2025-9.yaml")
                             .read_text(encoding="utf-8"))["expected"]
    return list(memory.items()) + list(reissue.items())


def write_tm(project, tmp_path: Path, pairs: dict[str, str]) -> None:
    """tm/approved.tmx as a translator's tool exports it."""
    tool = Store.open(f"sqlite:///{tmp_path / 'tool.db'}")
    with tool.tx() as conn:
        for zh, en in pairs.items():
            tool.remember(conn, zh, en, origin="review", approved_by="ana")
    (project.tm_dir / "approved.tmx").write_bytes(export_tmx(tool))
    tool.close()
