"""The read side: named, parameterised queries returning typed rows."""
