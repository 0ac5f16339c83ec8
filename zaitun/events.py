"""Domain events for Prefect automations (e.g. publish when `zaitun.document.approved` fires).

Events are sent only when a Prefect API is configured (`PREFECT_API_URL`); without one this
is a no-op, so the library never starts an ephemeral Prefect server. A failure to send is
logged and never interrupts the caller.
"""

from __future__ import annotations

import logging
import os

log = logging.getLogger(__name__)


def emit(name: str, slug: str | None = None, **payload) -> bool:
    """Emit event `name` about document `slug`; True when it was handed to Prefect."""
    if not os.environ.get("PREFECT_API_URL"):
        return False
    resource = {"prefect.resource.id": f"zaitun.document.{slug}" if slug else "zaitun.project"}
    try:
        from prefect.events import emit_event

        return emit_event(event=name, resource=resource, payload=payload) is not None
    except Exception:  # an unreachable Prefect must not break reviewing or publishing
        log.warning("could not emit Prefect event %s for %s", name, slug, exc_info=True)
        return False
