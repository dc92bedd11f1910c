"""User-facing errors: the CLI prints the message as one line and exits 2, no traceback."""


class TokbenchError(Exception):
    """Bad input or missing data; the message says what is wrong and how to fix it."""

    exit_code = 2
