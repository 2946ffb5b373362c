"""Experiments: data files (beam, target, geometry, selection, signature) and the yield code for each signature."""
