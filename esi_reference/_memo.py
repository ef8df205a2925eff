"""The one memo mechanism: values computed once per (immutable) instance and stored in its ``__dict__``.

``memoised_property`` for a named property; :func:`memo` for a value under a key that a property cannot
name (the derivation per NCCI table in use, a rule family's shared analysis of one context). Both use the
same store, so clearing an instance's non-field ``__dict__`` entries forgets every memo
(``benchmarks/bench_check.py`` does that). Pure functions of hashable arguments use ``functools.lru_cache``.

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
Owner = TypeVar("Owner")


def memo(instance: Owner, key: object, compute: Callable[[Owner], T]) -> T:
    """The value stored on ``instance`` under ``key``, computed by ``compute(instance)`` on first use (a
    function of the instance, not a closure: the hot paths call this several times per check)."""
    store = instance.__dict__
    if key in store:
        return store[key]
    value = store[key] = compute(instance)
    return value


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
