"""nn primitives (family nn_loss)."""
