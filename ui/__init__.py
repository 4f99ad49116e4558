"""The PySide6 desktop client of fieldplan."""
