"""Binned missing-mass statistics (reach/binned.py) and the background files (experiments/background.py)."""

import numpy as np
import pytest

from muonreach.errors import InvalidParameter, SpecError
from muonreach.experiments.background import load_background
from muonreach.reach.binned import asimov_lambda, cut_and_count_signal, signal_for_lambda


def test_asimov_gaussian_limit_and_cut_and_count():
    # S << B: Lambda -> sum S_i^2/B_i (second order of the log; the next term is -2/3 S^3/B^2: 1e-3 relative here)
    b = np.array([1e6, 2e6, 4e6])
    s = np.array([30.0, 20.0, 10.0])
    assert asimov_lambda(s, b) == pytest.approx(np.sum(s**2 / b), rel=1e-3)
    # one large bin: Lambda = 4 at S = 2 sqrt(B), the cut-and-count criterion without systematics (1e-3, as above)
    assert signal_for_lambda(np.ones(1), np.array([1e6])) == pytest.approx(cut_and_count_signal(1e6), rel=1e-3)
    # spreading the signal over bins of equal background weakens it by sqrt(n) (Gaussian regime)
    four = signal_for_lambda(np.ones(4), np.full(4, 1e6 / 4))
    assert four == pytest.approx(cut_and_count_signal(1e6), rel=1e-3)
    # systematics: kappa = 1e-2 at B = 1e8 dominates, S = 2 kappa B
    assert cut_and_count_signal(1e8, 1e-2) == pytest.approx(2e6, rel=1e-3)


def test_background_file_and_gtk():
    bkg = load_background("na62-kmunu")
    assert np.allclose(np.diff(bkg.edges), 0.004)
    n = bkg.counts(1e13)
    gtk = bkg.counts(1e13, gtk=True)
    above = bkg.edges[:-1] >= 0.023
    assert np.allclose(gtk[above], 0.5 * n[above]) and np.allclose(gtk[~above], n[~above])
    # the model's level: B ~ 1e8 in the window [0.05, 0.1506] GeV^2 at 1e13 decays, the B^-1/2 ~ 1e-4 of 1902.07715
    assert n[10] == pytest.approx(4e6)
    assert n[bkg.window(0.048, 0.152)].sum() * (0.1506 - 0.05) / 0.104 == pytest.approx(1e8, rel=0.01)
    with pytest.raises(InvalidParameter):
        bkg.counts(-1.0)


def write(tmp_path, body):
    p = tmp_path / "b.toml"
    p.write_text('schema = 1\nname = "t"\nsource = "test"\nbin_width = 0.004\n' + body)
    return p


def test_background_bad_files(tmp_path):
    with pytest.raises(SpecError, match="wide"):
        load_background(write(tmp_path, "[histogram]\nedges = [0.0, 0.004, 0.010]\ncounts_per_decay = [1e-5, 1e-5]\n"))
    with pytest.raises(SpecError, match="one value per bin"):
        load_background(write(tmp_path, "[histogram]\nedges = [0.0, 0.004, 0.008]\ncounts_per_decay = [1e-5]\n"))
    with pytest.raises(SpecError, match="whole number"):
        load_background(write(tmp_path, "[parametrised]\nedges_min = 0.0\nedges_max = 0.15\nper_decay_per_bin = 1e-5\n"))
    with pytest.raises(SpecError, match="negative"):
        load_background(write(tmp_path, "[histogram]\nedges = [0.0, 0.004]\ncounts_per_decay = [-1.0]\n"))
    ok = load_background(write(tmp_path, "[histogram]\nedges = [0.0, 0.004, 0.008]\ncounts_per_decay = [1e-5, 2e-5]\n"))
    assert ok.counts(1e8).tolist() == pytest.approx([1e3, 2e3])
