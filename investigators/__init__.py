"""Investigators: contradiction, convergence, restatement, distortion, independence."""
