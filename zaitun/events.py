"""Domain events: the one registry of their names, and sending them to Prefect automations.

Every event zaitun records in its store or sends to Prefect is named in `EVENTS` below, and
`prefect.yaml` triggers only on those (a test holds both to it). Events are sent only when a
Prefect API is configured (`PREFECT_API_URL`); without one this is a no-op, so the library
never starts an ephemeral Prefect server. A failure to send is logged and never interrupts
the caller.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading

log = logging.getLogger(__name__)
_SENDING = threading.Lock()  # one thread at a time hands an event over and drains: see emit
_RUNS_ON = False  # this process runs on (stay_connected): its events go out through one worker, never drained

CONTENT_CHANGED = "zaitun.content.changed"
CONTENT_INGESTED = "zaitun.content.ingested"
CONTENT_FAILED = "zaitun.content.failed"
FILES_CHANGED = "zaitun.content.files-changed"
TRANSLATE_DRAFTED = "zaitun.translate.drafted"
TRANSLATION_READY = "zaitun.translation.ready"
MEMORY_CHANGED = "zaitun.memory.changed"
DOCUMENT_APPROVED = "zaitun.document.approved"
DOCUMENT_WITHDRAWN = "zaitun.document.withdrawn"
DOCUMENT_RETRACTED = "zaitun.document.retracted"
DOCUMENT_FAILED = "zaitun.document.failed"
SITE_PUBLISHED = "zaitun.site.published"

EVENTS: dict[str, str] = {
    CONTENT_CHANGED: "the watcher saw files under content/ change (payload: paths); starts intake",
    CONTENT_INGESTED: "intake took in new or changed documents (payload: slugs); starts translate and publish",
    CONTENT_FAILED: "intake could not read a content file (store only; payload: error)",
    FILES_CHANGED: "a file documents link (image, PDF) changed (payload: paths); starts publish",
    TRANSLATE_DRAFTED: "a document got new drafts (store only; payload: counts)",
    TRANSLATION_READY: "a translate run ended (payload: slugs, drafted)",
    MEMORY_CHANGED: "a .tmx file under tm/ was added, changed or removed while `zaitun up` ran; starts translate, "
                    "which reads tm/ again (new approved work reused, a removed file's pairs forgotten)",
    DOCUMENT_APPROVED: "every segment of a document is approved; starts publish",
    DOCUMENT_WITHDRAWN: "a document's file was deleted; starts publish, which takes it off the site",
    DOCUMENT_RETRACTED: "a reviewer rejected English that is online (payload: retracted_by, why); starts "
                        "publish, which takes the English page off the site",
    DOCUMENT_FAILED: "a pass quarantined, held back or left out a file, or the translation provider failed "
                     "(payload: stage, source, state, message)",
    SITE_PUBLISHED: "publish built (and deployed) the site (payload: counts)",
}

# What the events are about: Prefect's `prefect.resource.id` (`<slug>` stands for a document's slug).
CONTENT_BATCH = "zaitun.content.batch"
PROJECT = "zaitun.project"
RESOURCES = (CONTENT_BATCH, PROJECT, "zaitun.document.<slug>")


def document_resource(slug: str) -> str:
    return f"zaitun.document.{slug}"


def api_configured() -> bool:
    """A Prefect API is set: in the environment, or in the settings of an already loaded Prefect."""
    if os.environ.get("PREFECT_API_URL"):
        return True
    if "prefect.settings" not in sys.modules:  # never import Prefect (slow) just to find out
        return False
    from prefect.settings import get_current_settings

    return bool(get_current_settings().api.url)


def emit(name: str, slug: str | None = None, resource_id: str | None = None, **payload) -> bool:
    """Emit event `name` about document `slug` (or `resource_id`); True when handed to Prefect."""
    if name not in EVENTS:
        raise ValueError(f"{name!r} is not in zaitun.events.EVENTS")  # a typo would never trigger anything
    if not api_configured():
        return False
    resource = {"prefect.resource.id": resource_id or (document_resource(slug) if slug else PROJECT)}
    try:
        from prefect.events import emit_event

        with _SENDING:  # a drain stops Prefect's events worker: another thread's event put in it meanwhile was
            # refused ("Cannot put items in a stopped service instance") and lost (`zaitun watch`'s batches)
            sent = emit_event(event=name, resource=resource, payload=payload) is not None
            _flush_outside_flows()
        return sent
    except Exception:  # an unreachable Prefect must not break reviewing or publishing
        log.warning("could not emit Prefect event %s for %s", name, slug, exc_info=True)
        return False


def stay_connected() -> None:
    """For a process that runs on (`zaitun up`, `zaitun watch`, `zaitun review serve`): its events go out through
    one Prefect events worker, which sends each as it comes and reconnects after a server restart, instead of a
    new worker drained at once for each event. Prefect keeps every worker it made in its exit hooks, with its
    websocket (about 0.9 MB): `zaitun up` grew by that at every approval and every file dropped, until the OOM
    killer. The one worker is drained when the process stops (`flush`)."""
    global _RUNS_ON
    _RUNS_ON = True


def _flush_outside_flows() -> None:
    """Outside a flow run (a reviewer's CLI), deliver now rather than at exit.

    A short-lived command would otherwise exit with the event still queued; inside a flow run
    Prefect's own machinery delivers it, and a process that runs on keeps its worker (stay_connected).
    """
    if _RUNS_ON:
        return
    from prefect.context import FlowRunContext
    from prefect.events.worker import EventsWorker

    if FlowRunContext.get() is None:
        # The worker logs "Still processing items" whenever it is drained with work queued.
        logging.getLogger(EventsWorker.__name__).setLevel(logging.ERROR)
        EventsWorker.drain_all(timeout=10, at_exit=False)


def flush(within: float = 5.0) -> None:
    """Hand the events still queued in this process (an approval's) to the Prefect server before it stops;
    drained now within a bound, they cannot hold up the exit, where Prefect waits for them without one."""
    if "prefect.events.worker" not in sys.modules:  # nothing was ever sent from this process
        return
    from prefect.events.worker import EventsWorker

    with contextlib.suppress(Exception):
        EventsWorker.drain_all(timeout=within, at_exit=False)
