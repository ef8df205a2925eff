"""``memoised_property``: a property computed once per instance and then stored on it.

The same contract as :class:`functools.cached_property` (the value lands in the instance ``__dict__``, so
later reads never reach the descriptor, and deleting it forces a recomputation), without the class-wide
lock that Python 3.11's version takes on every first access. The engine computes a handful of these per
``check()`` call, so the lock was a measurable part of its time. Instances here are not shared between
threads while they are being filled; a race would only compute the same value twice.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class memoised_property(Generic[T]):
    def __init__(self, func: Callable[[Any], T]) -> None:
        self.func = func
        self.attrname = func.__name__
        self.__doc__ = func.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.attrname = name

    def __get__(self, instance: object, owner: type | None = None) -> Any:
        if instance is None:
            return self
        value = instance.__dict__[self.attrname] = self.func(instance)
        return value
