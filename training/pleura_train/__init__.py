"""Pleura training package (stage 1 recognition, stage 2 manifestations, stage 3 segmentation)."""
