"""Calibration: claim confidences, fitting from verdicts, safety cases."""
