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

        return emit_event(event=name, resource=resource, payload=payload) is not None
    except Exception:  # an unreachable Prefect must not break reviewing or publishing
        log.warning("could not emit Prefect event %s for %s", name, slug, exc_info=True)
        return False
