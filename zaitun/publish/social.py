"""The social outbox: posts for newly published or changed documents, and the Mastodon poster.

Each post is `publish/social/<id>.json`; each build's new batch is also written as Buffer and
Hootsuite bulk-upload CSVs. What was queued and what was sent is remembered in the state
folder, so a document is announced once per substantial change and a post is never sent twice. The unsent
posts of a document that left the site (withdrawn, a draft again, held out), or whose announcement changed since
(its English edited and approved again), leave the outbox and its CSVs.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
from collections.abc import Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from zaitun import days, statefiles
from zaitun.content.model import announcement
from zaitun.errors import PublishError, StateUnreadable
from zaitun.project import Project
from zaitun.publish import layout
from zaitun.publish.inputs import Entry
from zaitun.publish.pages import Site
from zaitun.publish.posts import PLATFORMS, compose


def protected_terms(project: Project) -> dict[str, list[str]]:
    """Glossary terms (Chinese and English) that a truncated post must never split."""
    from zaitun.translate.glossary import load_glossary

    entries = load_glossary(project.glossary_dir).entries
    return {"zh": sorted({e.zh for e in entries}, key=len, reverse=True),
            "en": sorted({e.en for e in entries}, key=len, reverse=True)}


def hashtags(entry: Entry, withheld: Collection[str] = ()) -> list[str]:
    """`240-hour-transit` -> `240HourTransit`: one tag per programme; none for one whose name holds a forbidden
    rendering (`withheld`: Site.withheld)."""
    if not entry.programme or entry.programme in withheld:
        return []
    return ["".join(word[:1].upper() + word[1:] for word in entry.programme.split("-"))]


def post_url(entry: Entry, site: Site, platform: str) -> str:
    url = site.urls.absolute(layout.document(entry.lang, entry.section, entry.slug))
    query = {"utm_source": platform, "utm_medium": "social", "utm_campaign": entry.programme or entry.section}
    return f"{url}?{urlencode(query)}"


def basis(entry: Entry) -> str:
    """What a post says; a new basis means the document is announced again."""
    return announcement(entry.title, entry.summary, entry.social)


def news_date(entry: Entry) -> dt.date:
    """When a document is news: its date, or the day it takes effect when that is later."""
    return max(entry.date, entry.valid_from or entry.date)


def make_posts(entry: Entry, site: Site, terms: dict[str, list[str]], now: dt.datetime) -> list[dict]:
    text = entry.social or entry.summary or entry.title
    posts = []
    for platform in PLATFORMS.values():
        if entry.lang not in platform.languages:
            continue
        url = post_url(entry, site, platform.name)
        body = compose(text, url, hashtags(entry, site.withheld), platform, terms.get(entry.lang, []))
        post_id = f"{entry.slug}.{entry.lang}.{platform.name}.{basis(entry)}"
        posts.append({"id": post_id, "platform": platform.name, "lang": entry.lang, "slug": entry.slug,
                      "url": url, "text": body, "created_at": now.isoformat(timespec="seconds")})
    return posts


def state_path(project: Project) -> Path:
    return project.state_dir / "social.json"


def load_state(project: Project) -> dict:
    return _load(project)[0]


def _load(project: Project) -> tuple[dict, str]:
    """The state, and a digest of its file (of none: ""). A file that does not read is refused, not taken
    for none: it is the record of the posts sent, and without it every recent post would go out again."""
    path = state_path(project)
    try:
        found = statefiles.read(path, _is_state)
    except StateUnreadable as exc:
        raise SocialStateUnreadable(path, exc.why) from None
    if found is None:
        return {"queued": {}, "sent": {}}, ""
    state, data = found
    return state | {"queued": state.get("queued", {}), "sent": state.get("sent", {})}, statefiles.digest(data)


def _is_state(value: object) -> bool:
    return isinstance(value, dict) and all(isinstance(value.get(k, {}), dict) for k in ("queued", "sent"))


class SocialStateUnreadable(StateUnreadable, PublishError):
    """The record of the social posts queued and sent does not read: none is queued or sent until it does (set
    aside, it would be taken for none, and every recent post would go out again)."""

    def __init__(self, path: Path, why: str) -> None:
        super().__init__(path, why, f"{path} could not be read ({why}): it records the social posts already sent, "
                         "so none is queued or sent until it reads; restore it from a backup, or delete it to start "
                         "afresh (the posts of documents published in the last social.max_age_days are then queued "
                         "again; those the outbox marks as sent to Mastodon are not sent again)")


def save_state(project: Project, state: dict) -> str:
    """Write the state (as every record of .zaitun/: statefiles.write); returns the digest of its file."""
    return statefiles.digest(statefiles.write(state_path(project), state))


@dataclass
class Queued:
    """What one build put into the outbox, and which announcements it held back and why."""

    ids: list[str] = field(default_factory=list)
    too_old: int = 0  # documents dated before social.max_age_days: an archive is not news
    over_limit: int = 0  # documents left for another day by social.daily_limit
    expired: int = 0  # documents past their valid_until: a rule no longer in force is not news
    not_in_force: int = 0  # documents before their valid_from: announced on the day they take effect
    settled: str | None = None  # every entry's announcement queued or dismissed: the state then, and `code`
    withdrawn: int = 0  # unsent posts taken out of the outbox: their documents left the site or now say otherwise


def queue_posts(project: Project, entries: list[Entry], site: Site, outbox: Path,
                now: dt.datetime | None = None, changed: set[str] | None = None, settled: str | None = None,
                code: str = "") -> Queued:
    """Write posts for each document/language whose announcement is new and recent, within the daily limit.
    `settled`: what the build online's queue left (`Queued.settled`); while the state is still that, and the
    entries made by the same code (`code`), only those of the documents `changed` since can be new (a
    basis for each of 10,000 entries costs 10 ms)."""
    now = now or dt.datetime.now(dt.UTC)
    state, seen = _load(project)
    result = Queued()
    known = changed is not None and settled is not None and settled == f"{code}:{seen}"
    day = site.today.isoformat()
    looked = state.get("lapsed_looked") == day  # the day's first build looked at all: since, only the changed lapse
    lapsed = _lapsed(state, [e for e in entries if e.slug in changed] if known and looked else entries, site.today)
    if known:
        entries = [e for e in entries if e.slug in changed]
    gone = _gone(state["queued"], entries, changed if known else None)
    moved = _moved_from(state, gone)
    if gone:  # their posts out first: a build stopped before the state is saved finds them gone again
        result.withdrawn = len(withdraw_posts(outbox, gone, state.get("sent", {})))
        for key in gone:
            del state["queued"][key]  # back on the site later: announced again (a post sent is never resent)
    if lapsed:  # an unsent post must not announce a rule no longer in force
        result.withdrawn += len(withdraw_posts(outbox, set(lapsed), state.get("sent", {})))
        state.setdefault("lapsed", {}).update(lapsed)
    fresh = [e for e in entries if state["queued"].get(f"{e.slug}:{e.lang}") != basis(e)]
    superseded = {f"{e.slug}:{e.lang}" for e in fresh} & state["queued"].keys()
    if superseded:  # an unsent post says what the document no longer says: the reviewer's words now are the new
        result.withdrawn += len(withdraw_posts(outbox, superseded, state.get("sent", {})))
    waiting = [e for e in fresh if not e.is_in_force(site.today)]  # not recorded: weighed again each build
    result.not_in_force = len(waiting)
    fresh = [e for e in fresh if e.is_in_force(site.today)]
    oldest = site.today - dt.timedelta(days=project.config.get("social.max_age_days"))
    for entry in [e for e in fresh if e.is_expired(site.today) or news_date(e) < oldest]:
        state["queued"][f"{entry.slug}:{entry.lang}"] = basis(entry)  # never announced later either
        if news_date(entry) < oldest:
            result.too_old += 1
        else:
            result.expired += 1
    fresh = sorted((e for e in fresh if not e.is_expired(site.today) and news_date(e) >= oldest),
                   key=lambda e: (news_date(e), e.slug), reverse=True)
    if fresh:
        terms = protected_terms(project)
        told = {f"{e.slug}:{e.lang}": moved.get((e.lang, basis(e)), set()) for e in fresh}
        batch, announced = _within_daily_limit(fresh, site, terms, now, state, project.config.get("social.daily_limit"),
                                               project.today(now), told)
        result.over_limit = len(fresh) - len(announced)
        if batch:
            outbox.mkdir(parents=True, exist_ok=True)
            with ThreadPoolExecutor(4) as writers:  # creating thousands of small files is I/O-bound
                list(writers.map(lambda post: _write_atomic(outbox / f"{post['id']}.json",
                                                            json.dumps(post, ensure_ascii=False, indent=1)), batch))
            write_bulk_csvs(outbox, batch, days.local(now, project.zone))
        for entry in announced:
            state["queued"][f"{entry.slug}:{entry.lang}"] = basis(entry)
        result.ids = [p["id"] for p in batch]
    if fresh or result.too_old or gone or lapsed or not looked:
        state["lapsed_looked"] = day
        seen = save_state(project, state)
    result.settled = f"{code}:{seen}" if not (result.over_limit or waiting) else None  # none left for later
    return result


def _moved_from(state: dict, gone: set[str]) -> dict[tuple[str, str], set[str]]:
    """The platforms that were sent each announcement (language, basis) of the documents leaving the site: a
    document appearing with the same announcement in the same build (its file renamed) is the same news, not
    posted there again; where it was not sent yet, it is posted with its new link."""
    sent, platforms = state.get("sent", {}), {}
    for key in gone:
        slug, _, lang = key.rpartition(":")
        told = {post_id.split(".")[2] for post_id in sent
                if post_id.startswith(f"{slug}.{lang}.") and post_id.endswith(f".{state['queued'][key]}")}
        if told:
            platforms.setdefault((lang, state["queued"][key]), set()).update(told)
    return platforms


def _lapsed(state: dict, entries: list[Entry], today: dt.date) -> dict[str, str]:
    """The `slug:lang` of announced documents past their valid_until whose unsent posts were not yet taken out
    of the outbox, with that date (an extended, then lapsed document is looked at again)."""
    done = state.get("lapsed", {})
    found = {f"{e.slug}:{e.lang}": str(e.meta["valid_until"]) for e in entries if e.is_expired(today)}
    return {key: until for key, until in found.items() if key in state["queued"] and done.get(key) != until}


def _gone(queued: dict, entries: list[Entry], slugs: set[str] | None) -> set[str]:
    """The `slug:lang` of announced documents not among the entries (the site); while the state is as the
    build online's queue left it, only the documents changed since (`slugs`) can have left."""
    shown = {f"{e.slug}:{e.lang}" for e in entries}
    keys = queued if slugs is None else (f"{slug}:{lang}" for slug in slugs for lang in layout.LANGS)
    return {key for key in keys if key in queued and key not in shown}


def withdraw_posts(outbox: Path, keys: set[str], sent: dict) -> list[dict]:
    """Take the unsent posts of these documents' languages (`slug:lang`) out of the outbox and its CSVs, so
    none links a page that is gone; a post already sent stays, recorded as sent. Returns the posts taken."""
    try:
        names = os.listdir(outbox)
    except FileNotFoundError:
        return []
    taken = {}
    for name in names:
        post_id = name.removesuffix(".json")
        slug, _, lang = post_id.rsplit(".", 2)[0].rpartition(".")  # <slug>.<lang>.<platform>.<basis>
        if name.endswith(".json") and f"{slug}:{lang}" in keys and post_id not in sent:
            taken[outbox / name] = json.loads((outbox / name).read_text(encoding="utf-8"))
    if taken:
        _drop_from_csvs(outbox, list(taken.values()))
        for path in taken:
            path.unlink()
    return list(taken.values())


def withdraw_unshown(project: Project, version: Path) -> int:
    """After a rollback to `version` (a build's folder): the unsent posts that do not announce what it shows
    (their page is not in it, or it has another title or summary) leave the outbox and its CSVs, and their
    documents are announced again by the next build that shows them. Staff upload the CSVs by hand: a post
    must not link a page the rollback took off, nor repeat the English it was rolled back from. Returns the
    posts taken (none when the state does not read: SocialStateUnreadable)."""
    from zaitun.publish.output import SITE, outbox_dir, read_manifest

    outbox = outbox_dir(project.publish_dir)
    state, _ = _load(project)
    docs = read_manifest(version)[0].get("docs", {})
    keys = set()
    for post in outbox_posts(outbox):
        if post["id"] in state["sent"]:
            continue
        page = page_file(project, post["url"])
        if not page or not (version / SITE / page).is_file() \
                or _shown_basis(docs.get(post["slug"]), post["slug"], post["lang"]) != post["id"].rsplit(".", 1)[1]:
            keys.add(f"{post['slug']}:{post['lang']}")
    if not keys:
        return 0
    taken = withdraw_posts(outbox, keys, state["sent"])
    for key in keys:
        state["queued"].pop(key, None)  # announced again once a build shows it
    save_state(project, state)
    return len(taken)


def page_file(project: Project, url: str) -> str:
    """The file of the site a post links to ("" for a link elsewhere)."""
    path = layout.Urls(project.config.get("site.base_url")).path_of(url)
    return layout.file_of(path) if path is not None else ""


def _shown_basis(record: dict | None, slug: str, lang: str) -> str | None:
    """The announcement (`basis`) of a document's page as a build's manifest records it (None: not known)."""
    if not record:
        return None
    meta = record.get("meta") if lang == "zh" else (record.get("en") or {}).get("meta")
    if not isinstance(meta, dict) or not meta.get("title") and lang == "zh":
        return None
    return announcement(meta.get("title") or slug, meta.get("summary") or "", meta.get("social") or "")


def _drop_from_csvs(outbox: Path, posts: list[dict]) -> None:
    """Remove these posts' rows from the Buffer (by text) and Hootsuite (by link) CSVs of their channels."""
    for platform, lang in {(p["platform"], p["lang"]) for p in posts}:
        mine = [p for p in posts if (p["platform"], p["lang"]) == (platform, lang)]
        _drop_rows(outbox / f"buffer-{platform}-{lang}.csv", 1, 0, {_cell(p["text"]) for p in mine})
        _drop_rows(outbox / f"hootsuite-{platform}-{lang}.csv", 0, 2, {_cell(p["url"]) for p in mine})


def _drop_rows(path: Path, header: int, column: int, values: set[str]) -> None:
    """Rows below the header whose `column` is one of `values` go; a CSV left with none goes too."""
    import csv  # here: most builds queue no post (4 ms of every build's start)

    try:
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    except FileNotFoundError:
        return
    kept = rows[:header] + [row for row in rows[header:] if len(row) <= column or row[column] not in values]
    if len(kept) == header:
        path.unlink()
    elif len(kept) < len(rows):
        _write_atomic(path, _csv(kept))


def _within_daily_limit(entries: list[Entry], site: Site, terms: dict[str, list[str]], now: dt.datetime,
                        state: dict, limit: int, today: dt.date,
                        told: dict[str, set[str]]) -> tuple[list[dict], list[Entry]]:
    """Posts for the newest entries while every platform they go to has room `today` (the project's day, so
    the count starts again at midnight in Quanzhou, not at 08:00 there); counts kept in state. `told`: the
    platforms each entry (`slug:lang`) was announced on already, under the name it had before."""
    day = today.isoformat()
    counts = state.setdefault("daily", {})
    for old_day in [d for d in counts if d != day]:
        del counts[old_day]
    used = counts.setdefault(day, {})  # platform -> posts queued today
    batch, announced = [], []
    for entry in entries:
        done = told[f"{entry.slug}:{entry.lang}"]
        posts = [post for post in make_posts(entry, site, terms, now) if post["platform"] not in done]
        if any(used.get(p["platform"], 0) >= limit for p in posts):
            continue
        for post in posts:
            used[post["platform"]] = used.get(post["platform"], 0) + 1
        batch += posts
        announced.append(entry)
    return batch, announced


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write_bulk_csvs(outbox: Path, posts: list[dict], now: dt.datetime) -> None:
    """Buffer (Text, Image URL, Tags, Posting Time) and Hootsuite (date, message, link) per channel; `now` in
    the project's time zone, since Hootsuite reads its times in the account's (an office in Quanzhou)."""
    when = (now + dt.timedelta(hours=1)).replace(second=0, microsecond=0)
    when += dt.timedelta(minutes=(10 - when.minute % 10) % 10)  # Hootsuite wants 5-minute steps
    channels = sorted({(p["platform"], p["lang"]) for p in posts})
    for platform, lang in channels:
        mine = [p for p in posts if (p["platform"], p["lang"]) == (platform, lang)]
        _write_atomic(outbox / f"buffer-{platform}-{lang}.csv", _csv(
            [["Text", "Image URL", "Tags", "Posting Time"]] + [[p["text"], "", p["slug"], ""] for p in mine]))
        _write_atomic(outbox / f"hootsuite-{platform}-{lang}.csv", _csv(
            [[when.strftime("%d/%m/%Y %H:%M"), p["text"].replace(p["url"], "").strip(), p["url"]] for p in mine]))


def _csv(rows: list[list[str]]) -> str:
    import csv

    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([[_cell(value) for value in row] for row in rows])
    return buffer.getvalue()


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet opening the CSV takes for a formula


def _cell(value: str) -> str:
    """A CSV cell a spreadsheet shows as text: staff open these files in Excel or WPS to check them, and a
    text starting `=HYPERLINK(…)` (from a document's `social:` line) would run there as a formula."""
    return "'" + value if value.startswith(FORMULA_START) else value


def outbox_posts(outbox: Path, platform: str | None = None) -> list[dict]:
    """Posts in the outbox, oldest first."""
    posts = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(outbox.glob("*.json"))]
    posts = [p for p in posts if platform is None or p["platform"] == platform]
    return sorted(posts, key=lambda p: (p["created_at"], p["id"]))
