"""Family nn_attention: no public top-level op.

torch exposes scaled_dot_product_attention and multi_head_attention_forward only in
torch.nn.functional, and the recurrent-cell and SDPA primitives of ember/_ops/nn_attention.py
are private; all of them are tested against torch in tests/nn/test_attention.py,
tests/nn/test_rnn.py, tests/nn/test_rnn_packed.py and tests/nn/test_transformer.py.
"""

from __future__ import annotations

OPS: list = []
TESTED_ELSEWHERE: dict[str, str] = {}
