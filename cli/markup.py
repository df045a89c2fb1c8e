"""Text from documents and users, shown as written in the CLI's Rich output.

Rich reads "[...]" in a printed string as markup: a quote with "[/INST]" raised a MarkupError
(a traceback in `search`, `findings list|show`, `review`, `confidence`, `case evaluate`), and
"[brackets]" in a file name vanished as an unknown style (red-teamed). Every value that comes
from a document, a file name, an error or the user goes through `lit` before it is put into a
string that also carries markup (a table cell and a panel's title are markup too).
"""

from __future__ import annotations

from rich.markup import escape


def lit(value: object) -> str:
    """`value` as text Rich prints as written (its "[" escaped where it could open a tag)."""
    return escape(str(value))
