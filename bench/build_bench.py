"""Build benchmark: zaitun vs Pelican on the same 1,000 bilingual documents, in the same run.

    .venv/bin/python bench/build_bench.py [--docs 1000] [--keep DIR]

Generates a corpus (Chinese content files taken in with intake, English as approved releases),
then times zaitun full builds and Pelican builds of the same documents (both languages, as
translations, with feeds) in turn, and a zaitun one-change rebuild. Prints the figures and the
ratio, best against best and the median of the run pairs.
Targets: full build at least 3x faster than Pelican; one-change rebuild under 0.5 s.

Both sides build cold: each zaitun full build gets a new output folder and no manifest, so nothing
of an earlier build is reused; between runs the process keeps only what any long-running process
keeps (imported modules, compiled templates), for Pelican as for zaitun. Wall time on a small VM
swings with other load, mostly in the kernel's file creation (the "sys" CPU): the load average is
printed so a noisy run can be recognised, the two tools run in turn so both meet the same
machine, and the best of --repeat runs counts.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import logging
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

from zaitun.content.intake import ingest
from zaitun.project import Project
from zaitun.publish.site import build_site
from zaitun.store import Store, sha

ZH_WORDS = ("外籍人士 办理 居留许可 过境免签 政策 口岸 泉州 服务 指南 申请 材料 时限 窗口 热线 咨询 "
            "企业 投资 营商环境 措施 部门 单位 实施 落实 便利 支付 银行卡 文化遗产 游客").split()
EN_WORDS = ("foreign residents apply residence permit visa-free transit policy port Quanzhou service guide "
            "application documents deadline counter hotline enquiries enterprise investment business "
            "environment measures department implement facilitate payment bank card heritage visitors").split()
PROGRAMMES = ["240-hour-transit", "foreign-talent", "payments", None, None]
TAGS = ["visa", "residence", "business", "payments", "heritage", "transport"]


def sentence(rng: random.Random, words: list[str], zh: bool) -> str:
    picked = rng.choices(words, k=rng.randint(8, 16))
    return ("".join(picked) + "。") if zh else (" ".join(picked).capitalize() + ".")


def body(rng: random.Random, zh: bool) -> str:
    words = ZH_WORDS if zh else EN_WORDS
    parts = []
    for h in range(3):
        parts.append(f"## {'第' + str(h + 1) + '部分' if zh else 'Part ' + str(h + 1)}")
        for _ in range(2):
            parts.append(" ".join(sentence(rng, words, zh) for _ in range(3)))
        parts.append("\n".join(f"- {sentence(rng, words, zh)}" for _ in range(3)))
    parts.append("| 项目 | 说明 |\n| --- | --- |\n" + "\n".join(f"| {i} | {sentence(rng, words, zh)} |"
                                                        for i in range(3)))
    return "\n\n".join(parts)


def corpus(n: int) -> list[dict]:
    rng = random.Random(20241217)
    docs = []
    for i in range(n):
        section = "policies" if i % 3 == 0 else "guides"
        date = dt.date(2024, 1, 1) + dt.timedelta(days=i % 700)
        docs.append({"slug": f"doc-{i:04d}", "section": section, "date": date,
                     "programme": PROGRAMMES[i % len(PROGRAMMES)], "tags": rng.sample(TAGS, 2),
                     "zh_title": f"第{i}号 " + sentence(rng, ZH_WORDS, True)[:-1],
                     "en_title": f"No. {i}: " + sentence(rng, EN_WORDS, False)[:-1],
                     "zh_summary": sentence(rng, ZH_WORDS, True), "en_summary": sentence(rng, EN_WORDS, False),
                     "zh_body": body(rng, True), "en_body": body(rng, False)})
    return docs


def zaitun_file(doc: dict) -> str:
    programme = f"programme: {doc['programme']}\n" if doc["programme"] else ""
    return (f"---\ntitle: {doc['zh_title']}\ndate: {doc['date']}\nsummary: {doc['zh_summary']}\n{programme}"
            f"tags: [{', '.join(doc['tags'])}]\n---\n\n{doc['zh_body']}\n")


def make_zaitun_project(root: Path, docs: list[dict]) -> tuple[Project, Store]:
    root.mkdir(parents=True)
    (root / "zaitun.toml").write_text('[site]\nbase_url = "https://example.org"\n')
    (root / "glossary").mkdir()
    for doc in docs:
        path = root / "content" / doc["section"] / f"{doc['slug']}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(zaitun_file(doc), encoding="utf-8")
    project = Project(root)
    store = Store.open(project.database_url)
    ingest(project, store)
    with store.tx() as conn:  # the English as the review gate would have released it
        for doc in docs:
            raw = (root / "content" / doc["section"] / f"{doc['slug']}.md").read_text(encoding="utf-8")
            payload = {"meta": {"title": doc["en_title"], "summary": doc["en_summary"], "social": ""},
                       "body": doc["en_body"], "provenance": {"approved_by": ["bench"], "engines": ["bench"],
                                                              "glossary_versions": [], "approved_at": ""}}
            store.add_release(conn, doc["slug"], "en", sha(raw), payload)
    return project, store


def pelican_file(doc: dict, lang: str) -> str:
    return (f"Title: {doc[lang + '_title']}\nDate: {doc['date']}\nSlug: {doc['slug']}\nLang: {lang}\n"
            f"Category: {doc['section']}\nTags: {', '.join(doc['tags'])}\nSummary: {doc[lang + '_summary']}\n\n"
            f"{doc[lang + '_body']}\n")


def write_pelican_corpus(root: Path, docs: list[dict]) -> None:
    content = root / "content"
    content.mkdir(parents=True)
    for doc in docs:
        for lang in ("zh", "en"):
            (content / f"{doc['slug']}-{lang}.md").write_text(pelican_file(doc, lang), encoding="utf-8")


def run_pelican(root: Path) -> None:
    from pelican import Pelican
    from pelican.settings import read_settings

    settings = read_settings(override={
        "PATH": str(root / "content"), "OUTPUT_PATH": str(root / "output"), "SITEURL": "https://example.org",
        "DEFAULT_LANG": "zh", "TIMEZONE": "UTC", "FEED_DOMAIN": "https://example.org",
        "FEED_ALL_ATOM": "feeds/all.atom.xml", "TRANSLATION_FEED_ATOM": "feeds/all-{lang}.atom.xml",
        "CATEGORY_FEED_ATOM": "feeds/{slug}.atom.xml", "LOAD_CONTENT_CACHE": False, "CACHE_CONTENT": False,
        "DELETE_OUTPUT_DIRECTORY": True, "DEFAULT_PAGINATION": 20,
        # the same page layout as zaitun's: /<lang>/<section>/<slug>/index.html
        "ARTICLE_URL": "{lang}/{category}/{slug}/", "ARTICLE_SAVE_AS": "{lang}/{category}/{slug}/index.html",
        "ARTICLE_LANG_URL": "{lang}/{category}/{slug}/",
        "ARTICLE_LANG_SAVE_AS": "{lang}/{category}/{slug}/index.html"})
    logging.getLogger("pelican").setLevel(logging.ERROR)
    logging.getLogger().setLevel(logging.ERROR)
    with contextlib.redirect_stdout(io.StringIO()):  # its own "Done: ..." line
        Pelican(settings).run()


def spread(times: list[float]) -> str:
    return ", ".join(f"{t:.2f}" for t in times)


def cpu_spread(cpus: list[tuple[float, float]]) -> str:
    return ", ".join(f"{user:.2f}+{system:.2f}" for user, system in cpus)


def timed(fn) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def cpu_seconds() -> tuple[float, float]:
    """(user, system) time of this process and its finished children (zaitun's render workers)."""
    t = os.times()
    return t.user + t.children_user, t.system + t.children_system


def measured(fn) -> tuple[float, tuple[float, float]]:
    """Wall seconds and (user, sys) CPU seconds of one run, after the file system wrote back the last."""
    os.sync()
    user, system = cpu_seconds()
    wall = timed(fn)[0]
    after = cpu_seconds()
    return wall, (after[0] - user, after[1] - system)


def full_builds(zaitun_build, pelican_build, repeat: int) -> dict[str, tuple[list[float], list]]:
    """Full builds of both tools in turn (zaitun, Pelican, zaitun, ...), so both meet the same machine:
    this VM's kernel time for creating files swings for a minute after large deletions."""
    runs: dict[str, tuple[list[float], list]] = {"zaitun": ([], []), "pelican": ([], [])}
    for i in range(repeat):
        for name, build in (("zaitun", zaitun_build), ("pelican", pelican_build)):
            wall, cpu = measured(lambda build=build, i=i: build(i))
            runs[name][0].append(wall)
            runs[name][1].append(cpu)
    return runs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it")
    parser.add_argument("--repeat", type=int, default=3, help="full builds per tool; the best one counts")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="zaitun-bench-"))
    docs = corpus(args.docs)
    print(f"corpus: {len(docs)} documents x 2 languages, in {work}")
    print(f"load average (1 min) at start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    t_setup, (project, store) = timed(lambda: make_zaitun_project(work / "zaitun", docs))
    print(f"setup (intake + releases, not timed below): {t_setup:.2f}s")
    today = dt.date(2025, 7, 1)

    projects = []

    def fresh(i: int) -> None:  # a new output folder each time, as Pelican gets
        (project.root / "zaitun.toml").write_text(f'[site]\nbase_url = "https://example.org"\n'
                                                  f'[publish]\noutput_dir = "publish-{i}"\n')
        projects.append(Project(project.root))

    for i in range(args.repeat):  # Pelican's sources are written before any timing starts
        write_pelican_corpus(work / f"pelican-{i}", docs)

    def zaitun_build(i: int) -> None:
        fresh(i)
        build_site(projects[i], store, today, social=False)

    runs = full_builds(zaitun_build, lambda i: run_pelican(work / f"pelican-{i}"), args.repeat)
    (fulls, z_cpu), (pelicans, p_cpu) = runs["zaitun"], runs["pelican"]
    project = projects[-1]
    full, pelican = min(fulls), min(pelicans)
    print(f"zaitun full build:         {full:6.2f}s  (site only, as Pelican; runs {spread(fulls)}; "
          f"CPU user+sys {cpu_spread(z_cpu)})")
    print(f"pelican full build:        {pelican:6.2f}s  (runs {spread(pelicans)}; CPU user+sys {cpu_spread(p_cpu)})")
    pairs = sorted(p / z for p, z in zip(pelicans, fulls, strict=True))
    print(f"ratio pelican / zaitun (full build, wall clock): {pelican / full:.1f}x best against best, "
          f"{pairs[len(pairs) // 2]:.1f}x median of run pairs ({', '.join(f'{r:.1f}' for r in pairs)}) "
          f"(target >= 3x); user CPU {min(u for u, _ in p_cpu) / min(u for u, _ in z_cpu):.1f}x (all processes)")
    fill, report = timed(lambda: build_site(project, store, today))
    print(f"social outbox first fill:  {fill:6.2f}s  ({len(report.social)} posts, once in a site's life)")
    noop, report = timed(lambda: build_site(project, store, today))
    print(f"zaitun no-change rebuild:  {noop:6.3f}s  (rendered {len(report.rendered)})")
    changed = project.content_dir / docs[7]["section"] / f"{docs[7]['slug']}.md"
    changed.write_text(changed.read_text(encoding="utf-8") + "\n新增一段说明。\n", encoding="utf-8")
    t_ingest, _ = timed(lambda: ingest(project, store))
    one, report = timed(lambda: build_site(project, store, today))
    print(f"zaitun one-change rebuild: {one:6.3f}s  (rendered {len(report.rendered)}: "
          f"{', '.join(report.rendered[:6])}; intake took {t_ingest:.2f}s)")
    print(f"one-change rebuild under 0.5 s: {'yes' if one < 0.5 else 'NO'}")
    print(f"load average (1 min) at end: {os.getloadavg()[0]:.2f}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
