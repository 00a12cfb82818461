"""pycoral 2.0's API on etpu's virtual Edge TPUs (docs/PYTHON.md)."""
__version__ = "2.0.0"
