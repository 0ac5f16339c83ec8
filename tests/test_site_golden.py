"""Golden output: the built fixture site (pages, feeds, sitemap) compared with committed files.

After an intended change to templates or output, regenerate the expected files with

    ZAITUN_REGENERATE_GOLDEN=1 .venv/bin/pytest tests/test_site_golden.py

and review the diff of tests/golden/site/ before committing it.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

from publish_helpers import standard_project

GOLDEN = Path(__file__).parent / "golden" / "site"
STAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[+-]\d{2}:\d{2})?"
                   r"|[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}")


def normalised(path: Path) -> str:
    """File text with the moments of intake and approval (which differ every run) blanked out."""
    text = STAMP.sub("<TIME>", path.read_text(encoding="utf-8"))
    text = text.replace(str(dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()), "<TODAY>")  # the site's day
    return re.sub(r'"release_id": \d+', '"release_id": <ID>', text)


def site_files(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): normalised(p) for p in sorted(root.rglob("*"))
            if p.is_file() and not {"social", "pagefind"} & set(p.relative_to(root).parts)}


def test_built_site_matches_the_golden_files(tmp_path):
    fx = standard_project(tmp_path / "proj")
    fx.build()
    actual = site_files(fx.out)
    if os.environ.get("ZAITUN_REGENERATE_GOLDEN"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for name, text in actual.items():
            (GOLDEN / name).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / name).write_text(text, encoding="utf-8")
    expected = {p.relative_to(GOLDEN).as_posix(): p.read_text(encoding="utf-8")
                for p in sorted(GOLDEN.rglob("*")) if p.is_file()}
    assert sorted(actual) == sorted(expected)
    for name, text in actual.items():
        assert text == expected[name], f"{name} differs from tests/golden/site/{name} (see module docstring)"
