"""tflite_runtime on etpu: TFLite's Python interpreter API over etpu's runtime (virtual Edge TPUs,
TFLite reference numerics). docs/PYTHON.md."""
__version__ = "2.5.0.post1"
