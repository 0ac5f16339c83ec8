"""Values made of an object, remembered while that very object is used again.

A process that builds again (`zaitun up`) keeps the objects of what did not change: inputs.collect the
entries of documents not written since, zaitun.state.heads the rows not read again. What is made of them
(a list line, a body's key, a row as saved) is then made once per object, not once per build. The object
is kept beside its value: while remembered it cannot be freed, so its id names no other object.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Callable, Collection, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")
SLACK = 8  # keep_only forgets once the memo could hold an eighth more than the objects kept
V = TypeVar("V")


class ByIdentity(Generic[T, V]):
    def __init__(self) -> None:
        self._made: dict[int, tuple[T, object, V]] = {}

    def get(self, obj: T, make: Callable[[T], V], also: object = None) -> V:
        """obj's value, made again when `also` (what else it is made of: settings, file links) differs."""
        found = self._made.get(id(obj))
        if found is None or found[0] is not obj or found[1] != also:
            found = self._made[id(obj)] = (obj, also, make(obj))
        return found[2]

    def get_all(self, objs: list[T], make: Callable[[T], V]) -> list[V]:
        """Each object's value (`get`, nothing else it is made of), looked up in C: a new process's saving looks up
        10,000 rows or entries read back, and makes a few."""
        found = list(map(self._made.get, map(id, objs)))
        for i in [i for i, (known, obj) in enumerate(zip(found, objs, strict=True))
                  if known is None or known[0] is not obj or known[1] is not None]:
            found[i] = self._made[id(objs[i])] = (objs[i], None, make(objs[i]))
        return list(map(_VALUE, found))

    def put(self, obj: T, value: V, also: object = None) -> None:
        """Remember a value made elsewhere (read back from a file, say)."""
        self._made[id(obj)] = (obj, also, value)

    def put_all(self, objs: list[T], values: list[V]) -> None:
        """Remember values made elsewhere of each object, in one pass in C (10,000 rows read back, say)."""
        if len(objs) != len(values):
            raise ValueError(f"{len(objs)} objects, {len(values)} values")
        self._made.update(zip(map(id, objs), zip(objs, itertools.repeat(None), values, strict=False), strict=True))

    def keep_only(self, objs: Collection[T]) -> None:
        """Forget the objects not among `objs` (gone since), and with them what was made of them; once those
        could be more than an eighth of `objs`: a one-change rebuild leaves one or two, and finding them is a
        pass over all (10,000 at 5,000 documents)."""
        if len(self._made) <= len(objs) + len(objs) // SLACK:
            return
        kept = {id(obj) for obj in objs}
        for gone in [key for key in self._made if key not in kept]:
            del self._made[gone]

    def clear(self) -> None:
        self._made.clear()


_VALUE = operator.itemgetter(2)  # of a remembered (object, also, value)


def other_places(before: list, now: list) -> Iterator[int]:
    """The places of two lists of the same length where `now` holds other objects than `before`: found in C (a
    rebuild compares 10,000 entries or 12,000 pages with its last build's, and finds a few)."""
    return itertools.compress(range(len(now)), map(operator.is_not, before, now))


def not_the_same(now: dict, then: dict) -> list:
    """The keys whose values in `now` are not the very objects `then` holds (never None), and those `now` no
    longer holds: looked up in C, and the keys gone sought only when there are some (a rebuild compares the
    records of every document and file, 30,000 at 5,000 documents, and finds a few)."""
    changed = list(itertools.compress(now, map(operator.is_not, now.values(), map(then.get, now))))
    added = sum(1 for key in changed if key not in then)
    return changed + (list(then.keys() - now) if len(then) - len(now) + added else [])
