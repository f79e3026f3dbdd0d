"""The demo network and its history: the top layer, built from every app's models and services (no app imports it)."""
