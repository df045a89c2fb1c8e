"""Loaders, cleaning, segmentation and claim extraction; writes go through `kg`."""
