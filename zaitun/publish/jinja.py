"""The Jinja2 environment of the site's templates, apart from zaitun.publish.render so that what uses only
its body_html (intake, `zaitun status`, `zaitun check`) never loads Jinja2."""

from __future__ import annotations

import pickle

from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined, select_autoescape
from jinja2.bccache import Bucket

_DICT_ATTRIBUTES = frozenset(dir(dict))


def make_environment(templates) -> Environment:
    return _Environment(loader=FileSystemLoader(templates), autoescape=select_autoescape(default=True),
                        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, auto_reload=False)


class CompiledTemplates(FileSystemBytecodeCache):
    """Templates as compiled by an earlier process (Jinja checks each one's source and Python's version): a
    new process that renders a page or two would spend longer compiling its templates than rendering them. A
    cache: a file that cannot be read or written is a template compiled again."""

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, EOFError, ValueError, TypeError, pickle.UnpicklingError):
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


class _Environment(Environment):
    """Jinja resolves `a.b` by trying getattr first and the key second; pages are made of dicts, so that
    raised and caught an AttributeError for nearly every value shown. Where getattr cannot succeed (a dict
    has no attributes besides its methods) look the key up directly: the same result, pages render a quarter faster."""

    def getattr(self, obj, attribute: str):
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)
