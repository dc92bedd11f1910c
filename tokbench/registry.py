"""One generic registry for plugins (metrics, corpus loaders, tokenizer formats, report sections).

Plugins register with a decorator inside tokbench, or from a third-party package through an
entry-point group, so adding one needs no edit to core code (the lm-evaluation-harness pattern).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from importlib.metadata import entry_points
from types import ModuleType
from typing import Generic, TypeVar

from tokbench.errors import TokbenchError

T = TypeVar("T")


class Registry(Generic[T]):
    """Name → object map with decorator registration and lazy entry-point discovery."""

    def __init__(self, kind: str, entry_point_group: str | None = None) -> None:
        self.kind = kind
        self.entry_point_group = entry_point_group
        self._items: dict[str, T] = {}
        self._entry_points_loaded = False

    def register(self, name: str) -> Callable[[T], T]:
        def decorator(obj: T) -> T:
            self.add(name, obj)
            return obj

        return decorator

    def add(self, name: str, obj: T) -> None:
        if name in self._items and self._items[name] is not obj:
            raise TokbenchError(f"{self.kind} {name!r} is registered twice; rename one of them")
        self._items[name] = obj

    def load_entry_points(self) -> None:
        """Import third-party plugins once; importing them runs their registration."""
        if self._entry_points_loaded or not self.entry_point_group:
            return
        self._entry_points_loaded = True
        for ep in entry_points(group=self.entry_point_group):
            obj = ep.load()  # a module registers itself on import; an object is added by name
            if ep.name not in self._items and not isinstance(obj, ModuleType):
                self._items[ep.name] = obj

    def get(self, name: str) -> T:
        self.load_entry_points()
        try:
            return self._items[name]
        except KeyError:
            from tokbench.suggest import unknown

            listing = "tokbench list metrics" if self.kind == "metric" else None
            raise TokbenchError(unknown(self.kind, name, sorted(self._items), listing)) from None

    def names(self) -> list[str]:
        self.load_entry_points()
        return sorted(self._items)

    def __contains__(self, name: object) -> bool:
        self.load_entry_points()
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def items(self) -> list[tuple[str, T]]:
        self.load_entry_points()
        return sorted(self._items.items())
