"""ember.utils: data loading and file formats."""

from ember.utils import data  # noqa: F401
