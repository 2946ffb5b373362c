"""Leading-order hadronic vacuum polarisation of a_mu: the time-like dispersion integral over R(s) and the
space-like (MUonE) route through Delta alpha_had(t), both from one spectral measure of R (:mod:`.spectral`)."""
