"""How user-supplied values appear in error messages: shortened, never echoed in full.

An error message names the bad value so the user can find it, but a 96 KB argument
repeated in full buries the one line that matters. :func:`short` is the ``repr`` of a
value cut to about 60 characters with the total length said; :func:`clip` bounds a
whole message (for text that is not ours, such as argparse's), cutting each long word
of an overlong message.

>>> short("x" * 1000)
"'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...' (1002 chars)"
>>> short("relu|1>2")
"'relu|1>2'"
"""
from __future__ import annotations

#: Longest ``repr`` shown in full.
LIMIT = 60


def short(value, limit: int = LIMIT) -> str:
    """``repr(value)``, or its first characters and the total length when longer than ``limit``."""
    text = repr(value)
    if len(text) <= limit:
        return text
    head = text[:max(limit - 15, 10)]
    closing = text[-1] if text[-1] in "'\")]}" else ""
    return f"{head}...{closing} ({len(text)} chars)"


def clip(message, word: int = LIMIT, total: int = 500) -> str:
    """``str(message)`` on one line; when longer than ``total`` characters, every
    whitespace-separated word longer than ``word`` is shortened, then the whole is cut to
    ``total`` (lengths said). A message of reasonable length is left as it is."""
    text = str(message).replace("\n", " ")
    if len(text) <= total:
        return text
    text = " ".join(part if len(part) <= word else f"{part[:word - 15]}...({len(part)} chars)"
                    for part in text.split(" "))
    if len(text) > total:
        text = f"{text[:total - 30]}... ({len(text)} chars in all)"
    return text
