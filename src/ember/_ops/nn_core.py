"""nn primitives (family nn_core)."""
