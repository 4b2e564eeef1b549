"""Named result tuples of multi-output ops (``x.max(1)``, ``x.sort()``...), like
``torch.return_types``.

torch's are C "structseq" types: tuple subclasses with read-only named fields, no
``_fields``, and a repr that puts each field on its own line::

    ember.return_types.max(
    values=tensor([3., 5.]),
    indices=tensor([1, 0]))
"""

from __future__ import annotations

__all__ = [
    "aminmax", "aminmax_out", "cummax", "cummax_out", "cummin", "cummin_out", "frexp",
    "frexp_out", "kthvalue",
    "kthvalue_out", "max", "max_out", "median", "median_out", "min", "min_out", "mode",
    "mode_out", "nanmedian", "nanmedian_out", "sort", "sort_out", "topk", "topk_out",
]


class _StructSeq(tuple):
    """Base of the result types: a fixed-length tuple whose items are also attributes."""

    __slots__ = ()
    n_fields = 0
    n_sequence_fields = 0
    n_unnamed_fields = 0
    _names: tuple = ()

    def __new__(cls, sequence, dict=None):  # noqa: A002  (torch's parameter name)
        try:
            items = tuple(sequence)
        except TypeError:
            raise TypeError("constructor requires a sequence") from None
        n = cls.n_sequence_fields
        if len(items) != n:
            raise TypeError(
                f"{cls.__module__}.{cls.__name__}() takes a {n}-sequence "
                f"({len(items)}-sequence given)"
            )
        return tuple.__new__(cls, items)

    def __repr__(self) -> str:
        body = ",\n".join(f"{name}={value!r}" for name, value in zip(self._names, self))
        return f"{type(self).__module__}.{type(self).__name__}(\n{body})"

    def __reduce__(self):
        return (type(self), (tuple(self), {}))

    def __copy__(self):
        return self

    def __setattr__(self, name, value):
        raise AttributeError("readonly attribute")


def _field(i: int) -> property:
    return property(lambda self: tuple.__getitem__(self, i))


def _make(name: str, fields: tuple) -> type:
    ns = {
        "__slots__": (),
        "__module__": __name__,
        "__qualname__": name,
        "__doc__": None,
        "n_fields": len(fields),
        "n_sequence_fields": len(fields),
        "_names": fields,
        "__match_args__": fields,
    }
    for i, f in enumerate(fields):
        ns[f] = _field(i)
    return type(name, (_StructSeq,), ns)


_VI = ("values", "indices")

max = _make("max", _VI)  # noqa: A001
max_out = _make("max_out", _VI)
min = _make("min", _VI)  # noqa: A001
min_out = _make("min_out", _VI)
median = _make("median", _VI)
median_out = _make("median_out", _VI)
nanmedian = _make("nanmedian", _VI)
nanmedian_out = _make("nanmedian_out", _VI)
kthvalue = _make("kthvalue", _VI)
kthvalue_out = _make("kthvalue_out", _VI)
mode = _make("mode", _VI)
mode_out = _make("mode_out", _VI)
sort = _make("sort", _VI)
sort_out = _make("sort_out", _VI)
topk = _make("topk", _VI)
topk_out = _make("topk_out", _VI)
cummax = _make("cummax", _VI)
cummax_out = _make("cummax_out", _VI)
cummin = _make("cummin", _VI)
cummin_out = _make("cummin_out", _VI)
aminmax = _make("aminmax", ("min", "max"))
aminmax_out = _make("aminmax_out", ("min", "max"))
frexp = _make("frexp", ("mantissa", "exponent"))
frexp_out = _make("frexp_out", ("mantissa", "exponent"))
