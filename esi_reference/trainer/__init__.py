"""The trainer: scenarios as data, grading, the instructor gradebook and the notebook widgets."""
