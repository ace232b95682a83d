"""Build settings read from the environment, with errors that name the variable."""

from __future__ import annotations

import multiprocessing
import os


class SettingError(ValueError):
    """An environment variable holds a value the build cannot use."""


def worker_count(variable: str, default: int) -> int:
    """The whole number of worker processes in `variable`, or `default` when it is unset."""
    value = os.environ.get(variable)
    if value is None or not value.strip():
        return default
    try:
        count = int(value)
    except ValueError:
        raise SettingError(f"{variable}={value!r} er ikke et helt tal") from None
    if count < 0:
        raise SettingError(f"{variable}={value!r} må ikke være negativ")
    return count


def can_fork() -> bool:
    """Worker processes are forked, so they inherit compiled patterns and caches."""
    return "fork" in multiprocessing.get_all_start_methods()
