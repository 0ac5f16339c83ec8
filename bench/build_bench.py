"""Build benchmark: zaitun, Pelican and Hugo build the same bilingual documents, whole processes, in turn.

    .venv/bin/python bench/build_bench.py [--docs 1000,5000] [--repeat 3] [--keep DIR]

For each corpus size: generates the documents (Chinese content taken in by intake, English as
approved releases for zaitun; the same texts as translations for Pelican and as a two-language
Hugo site), then times, as whole processes (interpreter start, imports and all, as a user runs
them), full cold builds of the three tools in turn (zaitun, Pelican, Hugo, zaitun, ...), and
Hugo followed by Pagefind on its output (what a Hugo site with search runs; zaitun's build includes
its search index, Pelican's and Hugo's alone do not), and
zaitun's rebuilds: nothing changed, one Chinese body changed (`zaitun build` after `zaitun intake`,
which is timed apart) and one English approval, and the seconds a one-change `zaitun build` spends
importing modules (`python -X importtime`); then the same one-change rebuilds in a warm process,
as under `zaitun up`. Prints min/median/max of wall time, the median CPU time (user+sys, steadier
than wall time on a shared machine), the part the search indexer took, the ratios and each tool's
peak resident memory (its largest process).

Cold means cold: each full build gets a new output folder and no manifest (zaitun), no cache
(Pelican, Hugo). Wall time on a small VM swings with other load, mostly in the kernel's file
creation: the load average is printed so a noisy run can be recognised, and the tools run in turn so
each meets the same machine; a fixed pure-Python task is timed at the start and the end, so that runs on
machines of different speed are not compared as if they were one. Hugo is Debian's package (`make bench`
installs it); a missing peer is reported and skipped.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from zaitun.content.intake import ingest
from zaitun.project import Project
from zaitun.publish.indexer import executable
from zaitun.publish.output import complete_versions, current
from zaitun.review.gate import approve, shown
from zaitun.state.segments import segment_states
from zaitun.state.store import Store, sha
from zaitun.translate.glossary import Glossary, load_glossary

BIN = Path(sys.executable).parent

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
    screened = load_glossary(project.glossary_dir).version
    with store.tx() as conn:  # the English as the review gate would have released it
        for doc in docs:
            raw = (root / "content" / doc["section"] / f"{doc['slug']}.md").read_text(encoding="utf-8")
            payload = {"meta": {"title": doc["en_title"], "summary": doc["en_summary"], "social": ""},
                       "body": doc["en_body"], "provenance": {"approved_by": ["bench"], "engines": ["bench"],
                                                              "glossary_versions": [], "approved_at": ""},
                       "screened": screened}
            store.add_release(conn, doc["slug"], "en", sha(raw), payload)
    archived(project, docs)
    return project, store


def archived(project: Project, docs: list[dict]) -> None:
    """Each document and its English as if taken in and approved on its own date, as a site's archive was, not
    all this very day: a one-change rebuild then moves its document's last change to today, as a person's edit
    does, and the sitemap's <lastmod> with it."""
    db = sqlite3.connect(project.state_dir / "state.db")
    with db:
        for doc in docs:
            at = f"{doc['date']} 02:00:00"  # 10:00 in Quanzhou
            db.execute("UPDATE documents SET updated_at = ? WHERE slug = ?", (at, doc["slug"]))
            db.execute("UPDATE releases SET created_at = ? WHERE slug = ?", (at, doc["slug"]))
    db.close()


def pelican_file(doc: dict, lang: str) -> str:
    return (f"Title: {doc[lang + '_title']}\nDate: {doc['date']}\nSlug: {doc['slug']}\nLang: {lang}\n"
            f"Category: {doc['section']}\nTags: {', '.join(doc['tags'])}\nSummary: {doc[lang + '_summary']}\n\n"
            f"{doc[lang + '_body']}\n")


PELICAN_CONF = """\
SITEURL = "https://example.org"
DEFAULT_LANG = "zh"
TIMEZONE = "UTC"
FEED_DOMAIN = SITEURL
FEED_ALL_ATOM = "feeds/all.atom.xml"
TRANSLATION_FEED_ATOM = "feeds/all-{lang}.atom.xml"
CATEGORY_FEED_ATOM = "feeds/{slug}.atom.xml"
LOAD_CONTENT_CACHE = False
CACHE_CONTENT = False
DELETE_OUTPUT_DIRECTORY = True
DEFAULT_PAGINATION = 20
# the same page layout as zaitun's: /<lang>/<section>/<slug>/index.html
ARTICLE_URL = "{lang}/{category}/{slug}/"
ARTICLE_SAVE_AS = "{lang}/{category}/{slug}/index.html"
ARTICLE_LANG_URL = "{lang}/{category}/{slug}/"
ARTICLE_LANG_SAVE_AS = "{lang}/{category}/{slug}/index.html"
"""

HUGO_CONF = """\
baseURL = "https://example.org/"
defaultContentLanguage = "zh"
defaultContentLanguageInSubdir = true
paginate = 20
disableKinds = ["robotsTXT"]
[languages.zh]
weight = 1
contentDir = "content/zh"
[languages.en]
weight = 2
contentDir = "content/en"
[taxonomies]
tag = "tags"
programme = "programmes"
[markup.goldmark.parser.attribute]
title = false
"""
HUGO_LAYOUTS = {  # pages as zaitun's: title, facts, body, tags; lists paginated; Hugo's own RSS and sitemap
    "_default/baseof.html": '<!DOCTYPE html><html lang="{{ .Language.Lang }}"><head><meta charset="utf-8">'
    '<title>{{ .Title }} · {{ .Site.Title }}</title>{{ range .AllTranslations }}<link rel="alternate" '
    'hreflang="{{ .Language.Lang }}" href="{{ .Permalink }}">{{ end }}</head><body><header><nav>'
    '{{ range .Site.Sections }}<a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ end }}</nav></header>'
    '<main>{{ block "main" . }}{{ end }}</main></body></html>',
    "_default/single.html": '{{ define "main" }}<article><h1>{{ .Title }}</h1><p>{{ .Summary }}</p>'
    '<time>{{ .Date.Format "2006-01-02" }}</time>{{ .Content }}<ul>{{ range .Params.tags }}<li>{{ . }}</li>'
    '{{ end }}</ul></article>{{ end }}',
    "_default/list.html": '{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Paginator.Pages }}<li>'
    '<a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Summary }}</li>{{ end }}</ul>'
    '{{ template "_internal/pagination.html" . }}{{ end }}',
}


def write_pelican_corpus(root: Path, docs: list[dict]) -> None:
    content = root / "content"
    content.mkdir(parents=True)
    (root / "pelicanconf.py").write_text(PELICAN_CONF, encoding="utf-8")
    for doc in docs:
        for lang in ("zh", "en"):
            (content / f"{doc['slug']}-{lang}.md").write_text(pelican_file(doc, lang), encoding="utf-8")


def hugo_file(doc: dict, lang: str) -> str:
    programme = f"programmes: [{doc['programme']}]\n" if doc["programme"] else ""
    return (f"---\ntitle: \"{doc[lang + '_title']}\"\ndate: {doc['date']}\ntranslationKey: {doc['slug']}\n"
            f"summary: \"{doc[lang + '_summary']}\"\ntags: [{', '.join(doc['tags'])}]\n{programme}---\n\n"
            f"{doc[lang + '_body']}\n")


def write_hugo_corpus(root: Path, docs: list[dict]) -> None:
    root.mkdir(parents=True)
    (root / "hugo.toml").write_text(HUGO_CONF, encoding="utf-8")
    for name, text in HUGO_LAYOUTS.items():
        (root / "layouts" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "layouts" / name).write_text(text, encoding="utf-8")
    for doc in docs:
        for lang in ("zh", "en"):
            path = root / "content" / lang / doc["section"] / f"{doc['slug']}.md"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(hugo_file(doc, lang), encoding="utf-8")


LAST_OUTPUT: list[str] = []  # what the last timed command printed (zaitun's search index line)
LAST_CPU: list[float] = [0.0]


def run(argv: list[str], cwd: Path | None = None) -> tuple[float, int]:
    """Wall seconds and peak resident memory (MB, its largest process) of one command, run to its end;
    its CPU seconds (user+sys, with the processes it waited for) are left in LAST_CPU. Started by a small
    launcher process: a process started by this one would report this one's peak as its own (the
    kernel counts the memory a process had when it started another program), hundreds of MB after
    the corpus is made."""
    os.sync()  # the last run's files are written back before this one is timed
    with tempfile.NamedTemporaryFile() as out:
        started = time.perf_counter()
        status, cpu, maxrss = _launch(argv, cwd, out.name)
        wall = time.perf_counter() - started
        LAST_CPU[:] = [cpu]
        LAST_OUTPUT[:] = Path(out.name).read_bytes().decode(errors="replace").splitlines()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n" + "\n".join(LAST_OUTPUT[-30:]))
    return wall, maxrss // 1024


LAUNCHER = """
import json, os, subprocess, sys
for line in sys.stdin:
    argv, cwd, out = json.loads(line)
    with open(out, "wb") as f:
        proc = subprocess.Popen(argv, cwd=cwd, stdout=f, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)  # this command's own figures, not every child's so far
    print(json.dumps([status, usage.ru_utime + usage.ru_stime, usage.ru_maxrss]), flush=True)
"""
_LAUNCHER: list[subprocess.Popen] = []


def installed_bytecode() -> None:
    """zaitun's modules compiled once, as `pip install` compiles them (Pelican's are): otherwise, where
    PYTHONDONTWRITEBYTECODE is set and zaitun is installed editable, every timed process compiles them again."""
    import compileall

    import zaitun

    compileall.compile_dir(Path(zaitun.__file__).parent, quiet=1)
    print(f"zaitun's bytecode written as an install writes it (PYTHONDONTWRITEBYTECODE="
          f"{os.environ.get('PYTHONDONTWRITEBYTECODE', '')!r} here)")


def start_launcher() -> None:
    """Start the launcher while this process is small (before the corpus is made)."""
    _LAUNCHER.append(subprocess.Popen([sys.executable, "-c", LAUNCHER], stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, text=True))


def _launch(argv: list[str], cwd: Path | None, out: str) -> tuple[int, float, int]:
    if not _LAUNCHER:
        start_launcher()
    launcher = _LAUNCHER[0]
    launcher.stdin.write(json.dumps([argv, str(cwd) if cwd else None, out]) + "\n")
    launcher.stdin.flush()
    return tuple(json.loads(launcher.stdout.readline()))


def zaitun(project: Path, *args: str) -> list[str]:
    return [str(BIN / "zaitun"), "--project", str(project), *args]


def set_output(project: Path, folder: str) -> None:
    (project / "zaitun.toml").write_text(f'[site]\nbase_url = "https://example.org"\n'
                                         f'[publish]\noutput_dir = "{folder}"\n[social]\nmax_age_days = 0\n',
                                         encoding="utf-8")  # a new folder: no earlier build to reuse


def figures(label: str, runs: list[float], unit: str = "s") -> str:
    return (f"{label:<46} min {min(runs):6.2f}{unit}  median {statistics.median(runs):6.2f}{unit}  "
            f"max {max(runs):6.2f}{unit}")


def full_builds(work: Path, project: Path, repeat: int, peers: dict[str, bool]) -> dict[str, list]:
    """Cold full builds of each tool in turn, so every tool meets the same machine."""
    runs: dict[str, list] = {name: [] for name, present in peers.items() if present}
    for i in range(repeat):
        set_output(project, f"publish-{i}")
        if "zaitun" in runs:
            (project / ".zaitun" / "bodies.sqlite").unlink(missing_ok=True)  # cold: no body parsed before
            runs["zaitun"].append(run(zaitun(project, "build")))
            index_line = next((line for line in LAST_OUTPUT if line.startswith("search index:")), "")
        if "pelican" in runs:
            runs["pelican"].append(run([str(BIN / "pelican"), "content", "-o", f"output-{i}", "-s", "pelicanconf.py",
                                        "-q"], cwd=work / "pelican"))
        if "hugo" in runs:
            runs["hugo"].append(run(["hugo", "--quiet", "-s", str(work / "hugo"), "-d", str(work / f"hugo-{i}")]))
        if "hugo + pagefind" in runs:  # what a Hugo site with search runs: the same Pagefind indexes its pages
            out = work / f"hugo-search-{i}"
            runs["hugo + pagefind"].append(run(["sh", "-c", 'hugo --quiet -s "$1" -d "$2" && "$3" --site "$2" --silent',
                                                "sh", str(work / "hugo"), str(out), executable()]))
    print(f"zaitun {index_line} (included in its full build)")
    return runs


@dataclass
class Timing:
    wall: float
    cpu: float  # user+sys of the process and those it waited for
    search: float  # of the wall time, seconds in the search indexer
    anew: bool = False  # a version made from nothing: no earlier one to reuse (output.recyclable)


def searched(lines: list[str]) -> float:
    """Seconds of the search index line a build prints (`search index: ... in 1.23s`), 0 without one."""
    line = next((line for line in lines if line.startswith("search index:")), "")
    return float(line.rsplit(" in ", 1)[1].rstrip("s")) if line else 0.0


def timed(argv: list[str], project: Path | None = None) -> Timing:
    anew = project is not None and made_anew(project)
    wall, _ = run(argv)
    return Timing(wall, LAST_CPU[0], searched(LAST_OUTPUT), anew)


def made_anew(project: Path) -> bool:
    """Whether the next build of `project` makes its version from nothing, linking every file of the site:
    the first builds after a full build into a new folder, until publish.keep_versions earlier ones are kept
    to reuse (output.recyclable)."""
    proj = Project(project)
    online = current(proj.publish_dir)
    return len([v for v in complete_versions(proj.publish_dir) if v != online]) < proj.config.get(
        "publish.keep_versions")


def change_chinese(project: Path, doc: dict, note: str) -> None:
    changed = project / "content" / doc["section"] / f"{doc['slug']}.md"
    changed.write_text(changed.read_text(encoding="utf-8") + f"\n新增一段说明{note}。\n", encoding="utf-8")


def approve_english(store: Store, doc: dict, note: str, glossary: Glossary) -> None:
    """Translate and approve what the Chinese change left to review: a new English release."""
    pending = [s for s in segment_states(store, doc["slug"]) if s.state != "approved"]
    with store.tx() as conn:
        for state in pending:
            store.add_translation(conn, doc["slug"], state.seg_id, state.source, f"Added note {note}.",
                                  origin="human", replaces=state.translation, engine="", glossary_version="bench")
    approve(store, doc["slug"], shown(segment_states(store, doc["slug"]), [s.seg_id for s in pending]), "bench",
            glossary=glossary)


def rebuilds(project: Path, docs: list[dict], repeat: int) -> dict[str, list[Timing]]:
    """zaitun's incremental rebuilds, whole processes: no change, one Chinese body, one approval. A new output
    folder's first `publish.keep_versions` rebuilds make their version anew (no earlier one to reuse yet), as
    only a new site's or a new folder's do: they are timed apart, first, and the others as every later one is."""
    out: dict[str, list[Timing]] = {FIRST: [], "no change": [], "one Chinese body": [], "(its intake, apart)": [],
                                    "one English approval": [], STARTUP: []}
    store = Store.open(Project(project).database_url)
    glossary = load_glossary(Project(project).glossary_dir)
    with store.tx() as conn:
        store.add_user(conn, "bench", "reviewer", "x")
    time.sleep(2.5)  # files written in the last two seconds are not trusted unchanged (see publish/delta.py)
    first = 0
    while made_anew(project) and first < 10:  # a new folder's first rebuilds, timed apart
        change_chinese(project, docs[(3 + first) % len(docs)], f"f{first}")  # a version, as a site's always do
        run(zaitun(project, "intake"))
        out[FIRST].append(timed(zaitun(project, "build"), project))
        first += 1
    for i in range(repeat):
        out["no change"].append(timed(zaitun(project, "build")))
        doc = docs[(7 + i) % len(docs)]
        change_chinese(project, doc, str(i))
        out["(its intake, apart)"].append(timed(zaitun(project, "intake")))
        out["one Chinese body"].append(timed(zaitun(project, "build"), project))
        approve_english(store, doc, str(i), glossary)
        out["one English approval"].append(timed(zaitun(project, "build"), project))
        change_chinese(project, doc, f"s{i}")  # once more, to count what a build with work imports
        run(zaitun(project, "intake"))
        run([sys.executable, "-X", "importtime", "-m", "zaitun", "--project", str(project), "build"])
        out[STARTUP].append(Timing(imports(LAST_OUTPUT), 0.0, 0.0))
    store.close()
    return out


STARTUP = "start-up (its imports)"
FIRST = "one Chinese body, first after a full build"  # into a new output folder: made anew, linking every file


def imports(lines: list[str]) -> float:
    """Seconds a process spent importing modules, from its `python -X importtime` lines: the sum of the
    top-level imports (each line's second figure includes the imports under it)."""
    found = [line.split("|") for line in lines if line.startswith("import time:")]
    return sum(int(cumulative) for _, cumulative, name in found
               if cumulative.strip().isdigit() and not name.startswith("  ")) / 1e6


def warm_rebuilds(project: Path, docs: list[dict], repeat: int) -> dict[str, list[Timing]]:
    """The same changes built by one warm process, as `zaitun up` builds after its first build with work: from
    the call to the files committed (the version online), with its search index; intake and approval are not
    timed."""
    from zaitun.content.intake import ingest
    from zaitun.publish.site import build_site

    proj = Project(project)
    store = Store.open(proj.database_url)
    build_site(proj, store, social=False)  # warm: modules, templates, caches
    change_chinese(project, docs[7], "warm")  # and a first build with work, as `zaitun up` has made after its
    ingest(proj, store)  # first approval: it remembers what it built (publish/warm.py)
    build_site(proj, store, social=False)
    out: dict[str, list[Timing]] = {"one Chinese body, warm": [], "one English approval, warm": []}
    for i in range(repeat):
        doc = docs[(17 + i) % len(docs)]
        change_chinese(project, doc, f"w{i}")
        ingest(proj, store)
        out["one Chinese body, warm"].append(_warm(proj, store))
        approve_english(store, doc, f"w{i}", load_glossary(proj.glossary_dir))
        out["one English approval, warm"].append(_warm(proj, store))
    store.close()
    return out


def _warm(project: Project, store: Store) -> Timing:
    from zaitun.publish.site import build_site

    cpu, started = _cpu(), time.perf_counter()
    report = build_site(project, store, social=False)
    return Timing(time.perf_counter() - started, _cpu() - cpu,
                  report.search.seconds if report.search else 0.0)


def _cpu() -> float:
    """User+sys seconds of this process and of the children it waited for (the search indexer)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def print_timings(label: str, runs: list[Timing]) -> None:
    if not runs:
        return
    cpu = statistics.median(t.cpu for t in runs)
    search = statistics.median(t.search for t in runs)
    bare = [t.wall - t.search for t in runs]
    print(figures(f"zaitun rebuild, {label}", [t.wall for t in runs]) + (f"  cpu {cpu:5.2f}s (median)" if cpu else ""))
    if search:
        print(figures("   without its search indexing", bare) + f"  (indexer {search:.2f}s median)")
    anew = [t.wall for t in runs if t.anew]
    if anew:
        print(f"   of these, made anew (no earlier version to reuse yet): {len(anew)} of {len(runs)}, "
              f"{', '.join(f'{wall:.2f}s' for wall in anew)}")


def print_targets(results: dict[str, list[Timing]]) -> None:
    """The rebuild targets, met or not, on the medians (whole process unless warm)."""
    def median(label: str, search: bool = True) -> float:
        return statistics.median(t.wall - (0 if search else t.search) for t in results[label])

    for label, limit in (("no change", 0.3), ("one Chinese body", 0.4), ("one English approval", 0.4),
                         ("one Chinese body, warm", 0.1), ("one English approval, warm", 0.1), (STARTUP, 0.3)):
        bare = ("" if label == STARTUP else f"; without its search indexing "
                f"{'yes' if median(label, False) <= limit else 'NO'}, {median(label, False):.2f}s")
        print(f"target {label} <= {limit}s: {'yes' if median(label) <= limit else 'NO'} ({median(label):.2f}s{bare})")


FLAT = 1.2  # "the same at 1,000 and 5,000 documents": the larger site's one-change rebuild within a fifth
ONE_CHANGE = ("one Chinese body", "one English approval")


def indexer_startup(repeat: int) -> list[float]:
    """Seconds from starting a Pagefind service to its answer after the Chinese page that loads its dictionary
    (Indexer.warm_up): what every whole-process rebuild that indexes a Chinese page waits for at least, whatever
    the size of the site (the build starts it as soon as it knows documents were written)."""
    from zaitun.publish.indexer import Indexer

    runs = []
    with tempfile.TemporaryDirectory() as site:
        page = Path(site) / "en" / "p" / "index.html"
        page.parent.mkdir(parents=True)
        page.write_text('<html lang="en"><body><main data-pagefind-body><p>Quanzhou</p></main></body></html>')
        for _ in range(repeat):
            started = time.perf_counter()
            with Indexer() as indexer:
                indexer.warm_up()
                list(indexer.index(Path(site), ["en/p/index.html"]))  # answered after the warm page's segmenting
                runs.append(time.perf_counter() - started)
    return runs


def machine_speed(repeat: int = 3) -> float:
    """Seconds, the best of `repeat`, this interpreter takes for a fixed piece of pure-Python work (building,
    sorting and encoding 200,000 small records): wall times are comparable between two runs only when this
    figure is too (machines of one kind have differed by 3x)."""
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        records = [{"slug": f"doc-{i:06d}", "n": i * 7 % 1000, "tags": ["visa", str(i % 6)]} for i in range(200_000)]
        records.sort(key=lambda r: (r["n"], r["slug"]))
        json.dumps(records[:50_000])
        runs.append(time.perf_counter() - started)
    return min(runs)


def print_flatness(medians: dict[int, dict[str, float]]) -> None:
    """Whether a one-change rebuild (whole process) costs the same whatever the size of the site, on the medians
    of the smallest and the largest size benched."""
    if len(medians) < 2:
        return
    small, large = min(medians), max(medians)
    for label in ONE_CHANGE:
        ratio = medians[large][label] / medians[small][label]
        print(f"target {label} flat in the size of the site: {'yes' if ratio <= FLAT else 'NO'} "
              f"({medians[small][label]:.2f}s at {small} documents, {medians[large][label]:.2f}s at {large}: "
              f"{ratio:.2f}x)")


def bench_size(work: Path, n: int, repeat: int, rebuilds_only: bool = False) -> dict[str, float]:
    docs = corpus(n)
    print(f"\n== {n} documents x 2 languages, in {work}")
    started = time.perf_counter()
    project, store = make_zaitun_project(work / "zaitun", docs)
    store.close()
    write_pelican_corpus(work / "pelican", docs)
    write_hugo_corpus(work / "hugo", docs)
    print(f"setup (corpus, intake, releases; not timed below): {time.perf_counter() - started:.1f}s")
    peers = {"zaitun": True, "pelican": (BIN / "pelican").exists(), "hugo": shutil.which("hugo") is not None}
    peers["hugo + pagefind"] = peers["hugo"]
    for name, present in peers.items():
        if rebuilds_only and name != "zaitun":
            peers[name] = False
        elif not present:
            print(f"{name}: not installed, skipped (`make bench` installs the peers)")
    if rebuilds_only:
        print("peers skipped (--rebuilds-only)")
    runs = full_builds(work, project.root, 1 if rebuilds_only else repeat, peers)
    for name, results in runs.items():
        print(figures(f"{name} full cold build", [wall for wall, _ in results])
              + f"  peak memory {max(mb for _, mb in results)} MB")
    z = [wall for wall, _ in runs["zaitun"]]
    ratios = {}
    for name in ("pelican", "hugo", "hugo + pagefind"):
        if name in runs:
            pairs = sorted(p / w for (p, _), w in zip(runs[name], z, strict=True))
            ratios[name] = statistics.median(pairs)
            print(f"ratio {name} / zaitun (full build): {min(w for w, _ in runs[name]) / min(z):.2f}x best against "
                  f"best, {ratios[name]:.2f}x median of run pairs ({', '.join(f'{r:.2f}' for r in pairs)})")
    for name, ratio in ratios.items():
        if name != "pelican":  # Hugo alone has no search; Hugo + Pagefind is the same site zaitun builds
            print(f"target full cold build at least as fast as {name}: {'yes' if ratio >= 1 else 'NO'} ({ratio:.2f}x)")
    peak = max(mb for _, mb in runs["zaitun"])
    print(f"target peak memory <= 150 MB ({2 * n} pages): {'yes' if peak <= 150 else 'NO'} ({peak} MB)")
    print(f"load average (1 min) before the rebuilds: {os.getloadavg()[0]:.2f}")
    results = rebuilds(project.root, docs, repeat) | warm_rebuilds(project.root, docs, repeat)
    for label, timings in results.items():
        print_timings(label, timings)
    print_targets(results)
    return {label: statistics.median(t.wall for t in results[label]) for label in ONE_CHANGE}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", default="1000,5000", help="corpus sizes, comma-separated")
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement")
    parser.add_argument("--rebuilds-only", action="store_true", help="zaitun alone: one full build, then rebuilds")
    args = parser.parse_args()
    start_launcher()
    installed_bytecode()
    work = args.keep or Path(tempfile.mkdtemp(prefix="zaitun-bench-"))
    print(f"load average (1 min) at start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs; machine speed: "
          f"{machine_speed():.2f}s for a fixed pure-Python task (compare runs only at similar figures)")
    medians = {n: bench_size(work / str(n), n, args.repeat, args.rebuilds_only)
               for n in (int(size) for size in args.docs.split(","))}
    print(figures("\nsearch indexer start-up (Chinese dictionary)", indexer_startup(args.repeat))
          + "  (a floor under a new process's rebuild)")
    print_flatness(medians)
    print(f"\nload average (1 min) at end: {os.getloadavg()[0]:.2f}; machine speed: {machine_speed():.2f}s")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
