"""torch.nn.utils.rnn: packed-sequence helpers, which ember keeps with the RNN layers
(``ember.nn.modules.rnn``); this module is their torch path."""

from __future__ import annotations

_NAMES = (
    "PackedSequence", "invert_permutation", "pack_padded_sequence", "pad_packed_sequence",
    "pad_sequence", "unpad_sequence", "pack_sequence", "unpack_sequence",
)
__all__ = list(_NAMES)


def __getattr__(name: str):
    # Resolved on use, so this path never breaks ``import ember.nn`` while the RNN layers change.
    if name in _NAMES:
        from ember.nn.modules import rnn

        return getattr(rnn, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
