"""nn primitives (family nn_norm)."""
