"""Helpers shared by the test suites: a sample SAM app, running sam, reading aliases."""
