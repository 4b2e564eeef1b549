"""nn primitives (family nn_attention)."""
