"""Storage: the models (models.py), engine options and migrations (engine.py, migrations/), and the
guard that no connection is held while waiting on the network (guard.py). Imports no feature."""
