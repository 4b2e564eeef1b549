"""nn primitives (family nn_activation)."""
