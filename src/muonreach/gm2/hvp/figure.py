"""Figure of the HVP integrands: the time-like d a_mu / d sqrt(s) and the space-like (alpha/pi)(1 - x) Delta alpha_had(t(x))."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from ...constants import ALPHA, M_MU
from ...outputs import write_bytes
from .dispersion import spacelike_integrand
from .kernel import kernel_khat
from .spectral import SpectralMeasure, _table, r_pqcd


def draw_integrands(measure: SpectralMeasure, out: str | Path, low_energy: str = "vmd", title: str = "") -> Path:
    """Two panels (time-like integrand of the continuum nodes, narrow peaks as markers; space-like integrand), atomically."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cont = measure.w > 0
    narrow = np.isin(measure.region, [i for i, lab in enumerate(measure.labels) if lab.startswith("narrow")])
    data = ~narrow
    e = np.sqrt(measure.s[data & cont])
    order = np.argsort(e)
    e = e[order]
    # d a / d sqrt(s) = (alpha m / 3 pi)^2 R K^ / s^2 * 2 sqrt(s)
    x_tab, r_tab = _table(low_energy)
    r = np.where(e < measure.pqcd_threshold, np.interp(e, x_tab, r_tab, left=0.0), r_pqcd(np.maximum(e, 1.0)))
    s = e * e
    dadE = (ALPHA * M_MU / (3 * np.pi)) ** 2 * r * kernel_khat(s, M_MU) / s**2 * 2 * e
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 4))
    a1.plot(e, dadE * 1e10, lw=0.8)
    a1.set_xscale("log")
    a1.set_yscale("log")
    a1.set_xlim(0.25, 50)
    a1.set_ylim(1e-3, None)
    a1.set_xlabel(r"$\sqrt{s}$ [GeV]")
    a1.set_ylabel(r"$d a_\mu^{\rm HVP,LO}/d\sqrt{s}$ [$10^{-10}$/GeV]")
    a1.axvline(measure.pqcd_threshold, color="gray", ls="--", lw=0.8, label="pQCD above")
    a1.legend(frameon=False)
    x = np.linspace(1e-3, 0.999, 600)
    a2.plot(x, spacelike_integrand(x, measure) * 1e10, lw=1.0)
    a2.set_xlabel("x")
    a2.set_ylabel(r"$(\alpha/\pi)(1-x)\,\Delta\alpha_{\rm had}[t(x)]$ [$10^{-10}$]")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format=Path(out).suffix.lower()[1:], dpi=120)
    plt.close(fig)
    return write_bytes(out, buf.getvalue())
