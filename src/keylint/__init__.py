"""keylint: a static linter for API keys and the configuration around them."""

__version__ = "0.1.0"
