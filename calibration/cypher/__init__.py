"""Read queries of the calibration module."""
