"""Heavy new physics behind (g-2)_mu (004 S4-S6; arXiv:2006.16277 and its companion arXiv:2101.10334).

Modules, one responsibility each:

* :mod:`.inputs`    -- the input numbers (CLFV limits, electroweak inputs), read from ``data/inputs.toml``;
* :mod:`.flavour`   -- the flavour-anarchic scalar singlet, 004 eqs. (2.16)-(2.19);
* :mod:`.singlets`  -- singlet scalar / vector (L_mu - L_tau) couplings fixed by Delta a_mu, widths, unitarity;
* :mod:`.bhabha`    -- mu+ mu- -> mu+ mu- at a muon collider with gamma, Z and a singlet, r_FB and its reach.
"""
