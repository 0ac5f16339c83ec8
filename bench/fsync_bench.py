"""What publish.fsync costs: cold full builds and one-change rebuilds of build_bench's corpus, on and off in turn.

    .venv/bin/python bench/fsync_bench.py [DOCS]      (default 1000)

Builds run in-process (no interpreter start); the load average is printed, as wall time on a shared
machine swings with other work.
"""
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from build_bench import corpus, make_zaitun_project  # noqa: E402

from zaitun.content.intake import ingest  # noqa: E402
from zaitun.project import Project  # noqa: E402
from zaitun.publish import output  # noqa: E402
from zaitun.publish.site import build_site  # noqa: E402

n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
work = Path(tempfile.mkdtemp(prefix="fsyncbench-", dir="/tmp"))
docs = corpus(n)
_, store = make_zaitun_project(work / "proj", docs)
root = work / "proj"


def project(durable: bool) -> Project:
    (root / "zaitun.toml").write_text('[site]\nbase_url = "https://example.org"\n[publish]\n'
                                      f'fsync = {"true" if durable else "false"}\n')
    return Project(root)


def cold(durable: bool) -> tuple[float, int]:
    p = project(durable)
    shutil.rmtree(root / ".publish.versions", ignore_errors=True)
    p.publish_dir.unlink(missing_ok=True)
    started = time.perf_counter()
    report = build_site(p, store, social=False)
    return time.perf_counter() - started, len(report.rendered)


def one_change(durable: bool, i: int) -> tuple[float, int]:
    p = project(durable)
    path = root / "content" / docs[7]["section"] / f"{docs[7]['slug']}.md"
    path.write_text(path.read_text(encoding="utf-8") + f"\n改动{i}。\n", encoding="utf-8")
    ingest(p, store)
    started = time.perf_counter()
    report = build_site(p, store, social=False)
    return time.perf_counter() - started, len(report.rendered)


def flush_alone() -> float:
    """The flush by itself, right after a cold build without it: what publish.fsync adds, less the noise of
    timing two whole builds against each other."""
    cold(False)
    version = output.current(root / "publish")
    started = time.perf_counter()
    output.flush(version)
    return time.perf_counter() - started


times = {("cold", True): [], ("cold", False): [], ("rebuild", True): [], ("rebuild", False): []}
alone = [flush_alone() for _ in range(3)]
files = {}
for rep in range(3):
    for durable in (False, True):
        t, k = cold(durable)
        times[("cold", durable)].append(t)
        files["cold"] = k
        t, k = one_change(durable, rep * 2 + durable)
        times[("rebuild", durable)].append(t)
        files["rebuild"] = k
print(f"load average {os.getloadavg()[0]:.1f}")
print(f"{n} docs flush of a cold build's version alone: median {statistics.median(alone):.2f}s  "
      f"runs {', '.join(f'{r:.2f}' for r in alone)}")
for (kind, durable), runs in times.items():
    print(f"{n} docs {kind:8} fsync={'on ' if durable else 'off'} files written {files[kind]:5}: "
          f"median {statistics.median(runs):.2f}s  runs {', '.join(f'{r:.2f}' for r in runs)}")
shutil.rmtree(work, ignore_errors=True)
