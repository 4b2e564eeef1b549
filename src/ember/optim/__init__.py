"""ember.optim: optimizers and learning-rate schedules."""
