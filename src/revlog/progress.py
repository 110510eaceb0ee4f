"""The progress callback of long runs, and the step counts some of its messages carry.

A progress callback is called as ``progress(stage, message)`` (:data:`Progress`), with
``message`` a sentence such as ``base C-xining: 12 stops, time limit 3.0 s``. A message
about one item of a counted series (a base of stage 2, a variant of a sweep) is a
:class:`ProgressStep`: still a ``str``, so every two-argument callback keeps working, and
it also says which item it is about and how many of how many are finished, so a progress
bar can show ``base 3 of 10`` and estimate what is left.
"""

from __future__ import annotations

from collections.abc import Callable

#: ``progress(stage, message)``; ``message`` may be a :class:`ProgressStep`.
Progress = Callable[[str, str], None]


class ProgressStep(str):
    """A progress message about item ``index`` of ``total`` (1-based), ``done`` finished.

    Parameters
    ----------
    text
        The message.
    index
        Which item the message is about, 1-based.
    total
        How many items the series has.
    done
        How many are finished (including this one, if the message says it finished).
    unit
        What the items are (``"base"``, ``"variant"``).
    """

    index: int
    total: int
    done: int
    unit: str

    def __new__(cls, text: str, index: int, total: int, done: int, unit: str) -> ProgressStep:
        obj = super().__new__(cls, text)
        obj.index, obj.total, obj.done, obj.unit = int(index), int(total), int(done), unit
        return obj

    @property
    def label(self) -> str:
        """``"base 3 of 10"``."""
        return f"{self.unit} {self.index} of {self.total}"


def stepped(
    say: Progress, index: int, total: int, finished: bool = False, unit: str = "base"
) -> Progress:
    """A callback that hands ``say`` its messages as steps of item ``index`` (0-based).

    Parameters
    ----------
    say
        The callback to call.
    index
        The item the messages are about, 0-based.
    total
        How many items there are.
    finished
        Whether the messages say the item is finished (then ``index + 1`` are done).
    unit
        What the items are.
    """
    done = index + 1 if finished else index
    return lambda stage, message: say(stage, ProgressStep(message, index + 1, total, done, unit))
