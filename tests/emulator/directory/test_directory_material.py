"""Lab key material without a named folder lives in a temporary folder removed with the directory:
it holds certificate private keys, and one folder per test or lab used to be left in /tmp."""

from __future__ import annotations

import gc

from keyless_lab.emulator.directory import Directory


def test_the_temporary_material_folder_is_removed_with_the_directory() -> None:
    directory = Directory.seeded()
    folder = directory.material_dir
    assert any(folder.rglob("*.pem")), "the seeded lab certificate is written there"
    del directory
    gc.collect()
    assert not folder.exists()


def test_a_named_material_folder_is_the_callers_and_is_kept(tmp_path) -> None:
    directory = Directory.seeded(material_dir=tmp_path / "material")
    del directory
    gc.collect()
    assert any((tmp_path / "material").rglob("*.pem"))
