"""Functional forms, one file per family; ember.nn.functional re-exports them."""
