"""Secrets kept out of what leaves the process: settings dumps, environment captures,
URLs in error messages.

    >>> redact({"redis_password": "pw", "url": "redis://u:pw@host:6379/0"})
    {'redis_password': '***', 'url': 'redis://u:***@host:6379/0'}
"""

from __future__ import annotations

import re
import urllib.parse
from typing import Any

# A key is secret when one of its ``_``/``-``/``.`` separated words is one of these
# (``redis_password``, ``api_key``, ``AUTH_TOKEN``; not ``tokenizer`` or ``monkey``).
SECRET_KEY_PATTERN = re.compile(
    r"(^|[_\-.])(password|passwd|pass|pwd|secret|token|key|apikey|credentials?|auth)([_\-.]|$)",
    re.IGNORECASE,
)
REDACTED = "***"


def redact_url(url: str) -> str:
    """``scheme://user:***@host...``: the credentials of a URL hidden.

    The credentials end at the last ``@``, so a password holding ``@``, ``:``, ``/`` or
    percent-escapes is hidden whole; a lone user part (``https://TOKEN@host``) is hidden too.
    """
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    credentials, _, host = rest.rpartition("@")
    user, colon, _password = credentials.partition(":")
    hidden = f"{user}:{REDACTED}" if colon and user and "/" not in user else REDACTED
    return f"{scheme}://{hidden}@{host}"


def url_credentials(url: str) -> tuple[str, str | None, str | None]:
    """``(url without its credentials, user, password)``, both percent-decoded.

    The credentials end at the last ``@`` (as in :func:`redact_url`), so a password with an
    unescaped ``@``, ``:`` or ``/`` is taken whole instead of being read as host or port
    (and shown in a client's error message).
    """
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url, None, None
    credentials, _, host = rest.rpartition("@")
    user, colon, password = credentials.partition(":")
    return (f"{scheme}://{host}", urllib.parse.unquote(user) or None,
            urllib.parse.unquote(password) if colon else None)


def redact(value: Any) -> Any:
    """Copy of ``value`` with every secret-looking key's value replaced by ``***``, and the
    credentials of URLs (``redis://user:pw@host``) hidden."""
    if isinstance(value, dict):
        out: dict[Any, Any] = {}
        for key, item in value.items():
            if isinstance(key, str) and SECRET_KEY_PATTERN.search(key) and item not in (None, ""):
                out[key] = REDACTED
            else:
                out[key] = redact(item)
        return out
    if isinstance(value, list | tuple):
        return [redact(item) for item in value]
    if isinstance(value, str) and "://" in value and "@" in value:
        return redact_url(value)
    return value
