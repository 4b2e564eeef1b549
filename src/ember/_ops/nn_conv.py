"""nn primitives (family nn_conv)."""
