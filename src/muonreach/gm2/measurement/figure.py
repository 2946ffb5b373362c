"""Wiggle plot (counts and fit, folded every 100 us as in the g-2 papers) and the FFT of the fit residuals (PRD Fig. 16)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from ...outputs import write_bytes
from .wiggle import WiggleModel, residual_fft


def draw_wiggle(t: np.ndarray, counts: np.ndarray, model: WiggleModel, values: dict[str, float], out: str | Path) -> Path:
    """Two panels: data and model against time modulo 100 us (one trace per 100 us slice); |FFT| of residuals."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    mu = model(t, values)
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4))
    period = 100.0
    for k in range(int(t[-1] // period) + 1):
        sel = (t >= k * period) & (t < (k + 1) * period)
        if sel.any():
            a1.plot(t[sel] - k * period, counts[sel], ".", ms=1.0, color="k")
            a1.plot(t[sel] - k * period, mu[sel], "-", lw=0.6, color="C3")
    a1.set_yscale("log")
    a1.set_xlabel(r"time modulo 100 $\mu$s [$\mu$s]")
    a1.set_ylabel(f"counts / {t[1] - t[0]:.4f} $\\mu$s")
    freq, amp = residual_fft(t, counts, model, values)
    a2.plot(freq[1:], amp[1:], lw=0.7)
    a2.set_xlabel("frequency [MHz]")
    a2.set_ylabel("|FFT| of (n - mu)/sqrt(mu)")
    a2.set_title(f"{model.kind} fit residuals")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format=Path(out).suffix.lower()[1:], dpi=120)
    plt.close(fig)
    return write_bytes(out, buf.getvalue())
