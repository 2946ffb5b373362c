"""The public API is pinned: names can be added deliberately (update this test), never lost by accident."""

import importlib

import pytest

PUBLIC = {
    "muonreach": ["ConvergenceError", "DataRangeError", "InvalidParameter", "KinematicallyForbidden", "MuonReachError",
                  "SpecError", "UnknownName", "__version__"],
    "muonreach.models": ["Mediator", "ModelSpec", "Param", "build_model", "get_model_spec", "model_specs", "register"],
    "muonreach.experiments": ["BosonSample", "Efficiency", "EventCalculator", "Experiment", "ProductionChannel", "Signature",
                              "calculator", "list_experiments", "load_experiment", "production_channel", "register_channel",
                              "register_signature", "signature_class"],
    "muonreach.gm2.bands": ["Band", "excluded_coupling", "favored_band", "model_band", "model_exclusion", "unit_contribution"],
    "muonreach.cosmo.annihilation": ["WIDTH_SCHEMES", "Annihilation", "Channel", "annihilation_channels", "beta", "cm_momentum",
                                     "dark_sector", "hadron_channel", "kinetic_mixing_channels", "poles", "propagator",
                                     "sigma_fermions_via_vector", "vector_channel", "vector_current_contraction"],
    "muonreach.constraints": ["ANY_MODEL", "PLANES", "LimitCurve", "Plane", "Source", "all_limits", "get_limit", "limits_for",
                              "list_limits"],
    "muonreach.plot": ["FigureSpec", "list_specs", "load_spec", "make_figure"],
    "muonreach.scan": ["STATUS_FAILED", "STATUS_NOT_COMPUTED", "STATUS_OK", "Axis", "Observable", "ScanReport", "ScanSpec",
                       "compute_chunk", "failure_summary", "load_spec", "parse_spec", "run_scan"],
    "muonreach.cache": ["CacheWarning", "bypass", "cache_dir", "cache_key", "cached_arrays", "clear_memory", "code_fingerprint"],
    "muonreach.outputs": ["atomic_path", "check_output_directory", "check_output_path", "json_safe", "write_bytes",
                          "write_json", "write_rows", "write_text"],
    "muonreach.specfields": ["SCHEMA", "Fields", "parse_toml_text", "read_bytes", "read_toml_file", "require_schema"],
    "muonreach.parameters": ["Param", "read_all", "resolve"],
    "muonreach.serve.app": ["LOOPBACK_HOSTS", "MAX_BODY_BYTES", "create_app", "plotly_js"],
    "muonreach.serve.server": ["Server", "serve"],
    "muonreach.serve.view": ["MAX_LAYERS", "MAX_LAYER_POINTS", "VIEW_NAME", "parse_view", "shipped_view"],
}


@pytest.mark.parametrize("module", sorted(PUBLIC))
def test_all_is_pinned_and_resolvable(module):
    mod = importlib.import_module(module)
    assert sorted(mod.__all__) == sorted(PUBLIC[module])
    for name in mod.__all__:
        assert hasattr(mod, name), f"{module}.{name} is in __all__ but missing"
