"""Tests for analysis.corpus.limits: defaults, presets, environment overrides, reasons."""

from __future__ import annotations

import dataclasses

import pytest

from analysis.corpus.limits import ENV_VARS, GB, MB, Limits, format_bytes


def test_demo_defaults():
    limits = Limits()
    assert limits.max_file_bytes == 10 * MB
    assert limits.max_total_chars == 20_000_000
    assert limits.max_documents == 5_000
    assert limits.max_zip_members == 2_000
    assert limits.max_uncompressed_bytes == 200 * MB
    assert limits.max_compression_ratio == 100
    assert limits.max_zip_depth == 1
    assert limits.max_columns == 500


def test_local_preset_is_more_generous_on_every_limit():
    demo, local = Limits(), Limits.local()
    for f in dataclasses.fields(Limits):
        assert getattr(local, f.name) > getattr(demo, f.name), f.name
    assert local.max_file_bytes == 1 * GB


def test_limits_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Limits().max_documents = 10  # type: ignore[misc]


@pytest.mark.parametrize("name,value", [("max_documents", 0), ("max_file_bytes", -1),
                                        ("max_zip_depth", -1), ("max_documents", 2.5),
                                        ("max_documents", True)])
def test_invalid_values_are_programmer_errors(name, value):
    with pytest.raises(ValueError, match=name):
        Limits(**{name: value})


def test_zip_depth_zero_is_allowed():
    assert Limits(max_zip_depth=0).max_zip_depth == 0


def test_every_limit_has_an_environment_variable():
    assert set(ENV_VARS) == {f.name for f in dataclasses.fields(Limits)}
    assert all(var.startswith("EXPLORER_MAX_") for var, _ in ENV_VARS.values())
    assert len({var for var, _ in ENV_VARS.values()}) == len(ENV_VARS)


def test_from_env_without_variables_is_the_demo_default():
    assert Limits.from_env({}) == Limits()


def test_from_env_reads_megabytes_and_counts():
    limits = Limits.from_env({
        "EXPLORER_MAX_FILE_MB": "50",
        "EXPLORER_MAX_UNCOMPRESSED_MB": "0.5",
        "EXPLORER_MAX_DOCUMENTS": "100_000",
        "EXPLORER_MAX_TOTAL_CHARS": "1,000,000",
        "EXPLORER_MAX_ZIP_MEMBERS": "7",
        "EXPLORER_MAX_COMPRESSION_RATIO": "20",
        "EXPLORER_MAX_ZIP_DEPTH": "0",
        "EXPLORER_MAX_COLUMNS": "9",
    })
    assert limits == Limits(max_file_bytes=50 * MB, max_uncompressed_bytes=MB // 2, max_documents=100_000,
                            max_total_chars=1_000_000, max_zip_members=7, max_compression_ratio=20,
                            max_zip_depth=0, max_columns=9)


def test_from_env_preset_local_with_an_override():
    limits = Limits.from_env({"EXPLORER_LIMITS": "Local", "EXPLORER_MAX_DOCUMENTS": "12"})
    assert limits == dataclasses.replace(Limits.local(), max_documents=12)


def test_from_env_blank_values_are_ignored():
    assert Limits.from_env({"EXPLORER_MAX_FILE_MB": "  ", "EXPLORER_LIMITS": ""}) == Limits()


def test_from_env_reads_os_environ(monkeypatch):
    monkeypatch.setenv("EXPLORER_MAX_DOCUMENTS", "3")
    assert Limits.from_env().max_documents == 3


@pytest.mark.parametrize("env,var", [
    ({"EXPLORER_MAX_FILE_MB": "ten"}, "EXPLORER_MAX_FILE_MB"),
    ({"EXPLORER_MAX_DOCUMENTS": "1.5"}, "EXPLORER_MAX_DOCUMENTS"),
    ({"EXPLORER_MAX_FILE_MB": "nan"}, "EXPLORER_MAX_FILE_MB"),
    ({"EXPLORER_MAX_FILE_MB": "inf"}, "EXPLORER_MAX_FILE_MB"),
    ({"EXPLORER_LIMITS": "huge"}, "EXPLORER_LIMITS"),
])
def test_from_env_malformed_values_raise_naming_the_variable(env, var):
    with pytest.raises(ValueError, match=var):
        Limits.from_env(env)


def test_from_env_non_positive_value_is_refused():
    with pytest.raises(ValueError, match="max_documents"):
        Limits.from_env({"EXPLORER_MAX_DOCUMENTS": "0"})


def test_exceeded_names_the_limit_its_value_and_variable():
    reason = Limits().exceeded("max_file_bytes", "the file is 12 MB")
    assert reason == "the file is 12 MB; the limit is max_file_bytes = 10 MB (set EXPLORER_MAX_FILE_MB to change it)"
    assert "max_documents = 5,000" in Limits().exceeded("max_documents", "x")
    assert "EXPLORER_MAX_DOCUMENTS" in Limits().exceeded("max_documents", "x")


def test_show_formats_bytes_and_counts():
    limits = Limits(max_uncompressed_bytes=1536, max_total_chars=1234567)
    assert limits.show("max_uncompressed_bytes") == "1.5 KB"
    assert limits.show("max_total_chars") == "1,234,567"


@pytest.mark.parametrize("n,text", [(0, "0 bytes"), (1023, "1,023 bytes"), (1024, "1 KB"),
                                    (10 * MB, "10 MB"), (int(2.5 * GB), "2.5 GB")])
def test_format_bytes(n, text):
    assert format_bytes(n) == text


def test_preset_argument_keeps_the_overrides():
    """--local-limits on the command line is the local preset, still with EXPLORER_MAX_* overrides."""
    limits = Limits.from_env({"EXPLORER_MAX_DOCUMENTS": "7", "EXPLORER_LIMITS": "demo"}, preset="local")
    assert limits.max_documents == 7
    assert limits.max_file_bytes == Limits.local().max_file_bytes
    assert Limits.from_env({}, preset="local") == Limits.local()
