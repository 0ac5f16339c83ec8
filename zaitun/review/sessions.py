"""Review UI sessions, kept in the store: the cookie holds only a random id, and the row decides
whether it still counts, so logging out, a password change or disabling the account ends it at
once, on every process sharing the store."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from zaitun.config import Config
from zaitun.state.store import Store, now, sha

TOUCH_EVERY = dt.timedelta(seconds=30)  # how stale `seen_at` may get before a request writes it


@dataclass(frozen=True)
class Limits:
    idle: dt.timedelta
    lifetime: dt.timedelta

    @classmethod
    def from_config(cls, config: Config) -> Limits:
        return cls(dt.timedelta(minutes=config.get("review.session_idle_minutes")),
                   dt.timedelta(hours=config.get("review.session_lifetime_hours")))


def start(store: Store, user_name: str, address: str) -> str:
    """A new session for a login; returns its id (only its hash is stored)."""
    session_id = secrets.token_urlsafe(32)
    with store.tx() as conn:
        store.add_session(conn, sha(session_id), user_name, address)
    return session_id


def user_of(store: Store, session_id: str, limits: Limits) -> str | None:
    """The account name of a live session; an idle or too old one is ended and gives None."""
    row = store.session(sha(session_id))
    if row is None or row["ended_at"] is not None:
        return None
    stamp = now()
    if stamp - row["created_at"] > limits.lifetime or stamp - row["seen_at"] > limits.idle:
        end(store, session_id, "expired")
        return None
    if stamp - row["seen_at"] > TOUCH_EVERY:
        with store.tx() as conn:
            store.touch_session(conn, row["id_hash"])
    return row["user_name"]


def end(store: Store, session_id: str, reason: str) -> None:
    with store.tx() as conn:
        store.end_sessions(conn, reason, id_hash=sha(session_id))
