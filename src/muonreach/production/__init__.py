"""Production of new bosons on fixed targets: form factors, effective photon flux, cross sections.

- :mod:`.form_factors`: combined atomic + nuclear form factor G2(t) (002 App. A).
- :mod:`.flux`: effective photon flux chi in the improved Weizsaecker-Williams approximation
  (002 eq. (13), 000 eq. (3.3)), with a fast vectorised path and an adaptive reference.
- :mod:`.meson`: three-body meson decays K+ -> l+ nu X on the Dalitz plot (1902.07715 App. A).
"""
