"""The error type for user mistakes (bad input, configuration or files).

The CLI prints a :class:`UserError` as one line; any other exception is a bug and shows its
traceback. Each module's specific error (``DataError``, ``ImageError``, ``ConfigError``,
``WeightImportError``, ``CheckpointError``) subclasses it.
"""


class UserError(ValueError):
    """A problem the user can fix; the message names the file or setting and the problem."""


class ConfigError(UserError):
    """An invalid configuration value or flag combination."""


class WeightImportError(UserError):
    """The weights do not fit the model; the message lists what is missing, left over or mismatched."""
