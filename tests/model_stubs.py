"""Stand-ins for the NLI model's onnxruntime session in tests."""

from __future__ import annotations


class Refusing:
    """A session that must not be asked: every pair should come from the readings store."""

    def run(self, *args: object) -> None:
        raise AssertionError("the model was asked for a stored reading")
