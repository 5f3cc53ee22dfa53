"""Fast, reproducible random draws for the population generator: the same stream gives the same values."""

import random
from bisect import bisect
from collections.abc import Sequence
from itertools import accumulate
from typing import Generic, TypeVar

from app.services.reference import WeightedEntry

T = TypeVar("T")


class Draws:
    """`random.Random`'s `randrange`, `randint` and `choice`, computed as CPython computes them but with fewer calls.

    CPython's `randint` goes through `randrange` and `_randbelow`, checking its arguments on the way, and a million
    citizens take some 25 million draws. This is the same rejection sampling on `getrandbits`, so the same stream
    gives the same values: a seed still yields the same people.
    """

    __slots__ = ("getrandbits", "random")

    def __init__(self, rng: random.Random) -> None:
        self.random = rng.random
        self.getrandbits = rng.getrandbits

    def below(self, n: int) -> int:
        """`rng.randrange(n)`."""
        getrandbits = self.getrandbits
        bits = n.bit_length()
        r = getrandbits(bits)
        while r >= n:
            r = getrandbits(bits)
        return r

    def randint(self, a: int, b: int) -> int:
        return a + self.below(b - a + 1)

    def choice(self, seq: Sequence[T]) -> T:
        return seq[self.below(len(seq))]


class Weighted(Generic[T]):
    """Weighted sampling from a fixed table: what `rng.choices(values, cum_weights=...)[0]` returns, minus the list."""

    __slots__ = ("cum_weights", "last", "total", "values")

    def __init__(self, entries: Sequence[tuple[T, float]]) -> None:
        self.values = tuple(value for value, _ in entries)
        self.cum_weights = tuple(accumulate(weight for _, weight in entries))
        self.total = self.cum_weights[-1] + 0.0
        self.last = len(self.values) - 1

    def pick(self, draws: Draws) -> T:
        return self.values[bisect(self.cum_weights, draws.random() * self.total, 0, self.last)]


def weighted(entries: list[WeightedEntry]) -> Weighted[str]:
    return Weighted([(e.code, e.weight) for e in entries])
