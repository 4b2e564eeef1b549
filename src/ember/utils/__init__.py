"""ember.utils: data loading, activation checkpointing and file formats."""

from ember.utils import checkpoint, data  # noqa: F401
