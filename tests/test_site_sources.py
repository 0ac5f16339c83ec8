"""The build reads a document's stored file or English release only when it changed since the build online,
and each render chunk reads the bodies it renders: no process holds every body of the site."""

from __future__ import annotations

from publish_helpers import PAYING, TODAY, make_fixture, standard_project

from zaitun.publish.site import build_site
from zaitun.state.store import Store


class ReadsCounted(Store):
    """The project's store (the same database), noting which files and release payloads a build reads."""

    def __init__(self, engine) -> None:
        super().__init__(engine)
        self.files: list[str] = []
        self.payload_ids: list[int] = []

    def raws(self, slugs: list[str]) -> dict[str, str]:
        self.files += slugs
        return super().raws(slugs)

    def payloads(self, ids: list[int]) -> dict[int, str]:
        self.payload_ids += ids
        return super().payloads(ids)


def test_a_rebuild_reads_from_the_store_only_the_file_of_the_document_changed(tmp_path):
    fx = standard_project(tmp_path / "proj")
    counted = ReadsCounted(fx.store.engine)
    build_site(fx.project, counted, today=TODAY)
    assert set(counted.files) == {"transit", "notice-2023-1", "paying"} and counted.payload_ids
    fx.write("guides", "paying", PAYING, "## 刷卡\n\n所有商场均可刷卡。\n")
    fx.ingest()
    counted.files, counted.payload_ids = [], []
    report = build_site(fx.project, counted, today=TODAY)
    assert "zh/guides/paying/" in report.rendered
    assert set(counted.files) == {"paying"} and counted.payload_ids == []
    assert "所有商场均可刷卡" in (fx.out / "zh/guides/paying/index.html").read_text(encoding="utf-8")


def test_an_english_release_of_a_store_made_anew_is_not_taken_for_the_earlier_one_of_its_number(tmp_path):
    fx = standard_project(tmp_path / "proj")
    fx.build()
    assert "EN[" in (fx.out / "en/guides/transit/index.html").read_text(encoding="utf-8")
    fx.store.close()
    (fx.project.state_dir / "state.db").unlink()  # the same content taken in again, translated otherwise
    anew = make_fixture(fx.project.root)
    anew.ingest()
    anew.translate_and_approve("transit", english=lambda source: f"NEW[{source}]")
    anew.translate_and_approve("notice-2023-1")
    anew.build()
    page = (anew.out / "en/guides/transit/index.html").read_text(encoding="utf-8")
    assert "NEW[" in page and "EN[" not in page
