"""Domain events for Prefect automations (e.g. publish when `zaitun.document.approved` fires).

Events are sent only when a Prefect API is configured (`PREFECT_API_URL`); without one this
is a no-op, so the library never starts an ephemeral Prefect server. A failure to send is
logged and never interrupts the caller.
"""

from __future__ import annotations

import logging
import os
import sys

log = logging.getLogger(__name__)


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
    if not api_configured():
        return False
    resource = {"prefect.resource.id": resource_id or (f"zaitun.document.{slug}" if slug else "zaitun.project")}
    try:
        from prefect.events import emit_event

        sent = emit_event(event=name, resource=resource, payload=payload) is not None
        _flush_outside_flows()
        return sent
    except Exception:  # an unreachable Prefect must not break reviewing or publishing
        log.warning("could not emit Prefect event %s for %s", name, slug, exc_info=True)
        return False


def _flush_outside_flows() -> None:
    """Outside a flow run (a reviewer's CLI, the web UI), deliver now rather than at exit.

    A short-lived command would otherwise exit with the event still queued; inside a flow run
    Prefect's own machinery delivers it.
    """
    from prefect.context import FlowRunContext
    from prefect.events.worker import EventsWorker

    if FlowRunContext.get() is None:
        # The worker logs "Still processing items" whenever it is drained with work queued.
        logging.getLogger(EventsWorker.__name__).setLevel(logging.ERROR)
        EventsWorker.drain_all(timeout=10, at_exit=False)
