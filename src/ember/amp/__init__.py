"""ember.amp: autocast and GradScaler."""
