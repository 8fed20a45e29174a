"""``FrozenMap``: a read-only, picklable mapping (``types.MappingProxyType`` cannot be pickled,
and scenarios and results travel to sweep workers). Standard library only."""
from __future__ import annotations

from collections.abc import Iterator, Mapping

__all__ = ["FrozenMap"]


class FrozenMap(Mapping):
    """An immutable view of a dict copy; equal to any mapping with the same items."""

    __slots__ = ("_data",)

    def __init__(self, data=(), /, **kwargs):
        object.__setattr__(self, "_data", dict(data, **kwargs))

    def __getitem__(self, key):
        return self._data[key]

    def __iter__(self) -> Iterator:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"FrozenMap({self._data!r})"

    def __setattr__(self, name, value):
        raise AttributeError("FrozenMap is read-only")

    def __reduce__(self):
        return (FrozenMap, (self._data,))

    __hash__ = None
