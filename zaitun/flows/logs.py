"""A user's error in a flow run's log is one line, as the command line prints it, not a traceback.

Prefect logs a failed task or flow run with its traceback (`exc_info`), which in `.zaitun/prefect-serve.log`
buries the one line the operator needs (`zaitun.toml:34: ...`, a build refused) under sixty of Prefect's.
A ZaitunError is what a user can fix, so its record keeps only its message; any other exception (a real
crash) keeps its traceback.
"""

from __future__ import annotations

import logging

from zaitun.errors import ZaitunError

RUN_LOGGERS = ("prefect.flow_runs", "prefect.task_runs")  # every run's record, the engine's own included


class UserErrorsInOneLine(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, ZaitunError):
            said = record.getMessage()
            if str(exc) not in said:  # "Engine execution exited with unexpected exception": say which
                record.msg, record.args = f"{said}: {exc.__class__.__name__}: {exc}", ()
            record.exc_info, record.exc_text = None, None
        return True


def user_errors_in_one_line() -> None:
    """Install the filter on the loggers of flow and task runs (once)."""
    for name in RUN_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, UserErrorsInOneLine) for f in logger.filters):
            logger.addFilter(UserErrorsInOneLine())
