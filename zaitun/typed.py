"""Text typed on the command line, as the store can hold it.

Python reads the arguments in the locale's encoding (UTF-8). A terminal that sends another, GBK say (an SSH
client on Chinese Windows), gives names and text whose bytes are not UTF-8: they come in as lone surrogates,
which no store, page or message can carry, and the first query with one stopped with a traceback. Such an
argument is refused as the command line refuses any bad value, named, with how to mend it.
"""

from __future__ import annotations

import typer

from zaitun.errors import shown, utf8_name


def typed(value: str | list[str] | None) -> str | list[str] | None:
    """A typer callback for an argument that names or says something (a slug, an account, English text)."""
    for text in value if isinstance(value, list) else [value] if value is not None else []:
        if not utf8_name(text):
            raise typer.BadParameter(f"'{shown(text)}' is not UTF-8: the terminal sends another encoding (GBK?); "
                                     "set it to UTF-8 and type it again")
    return value
