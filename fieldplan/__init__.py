"""fieldplan: offline tracking of the IOM–OIC Plan of Action 2025–2027.

The core package. It never imports Qt: the CLI, the tests and HQ scripts use it alone.
"""

__version__ = "0.4.0"
