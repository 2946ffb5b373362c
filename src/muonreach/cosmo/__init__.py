"""Cosmology: thermal freeze-out of the dark matter, and the astrophysical bounds on the dark coupling."""
