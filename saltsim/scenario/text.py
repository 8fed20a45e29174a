"""What a quantity string in a scenario may look like, checked before pint sees it.

pint's parser evaluates arithmetic (``"9**9**9 m"`` would compute a huge integer), so a scenario
string reaches pint only if it is *one* number followed by a unit expression made of unit names,
``*``, ``/``, parentheses and small exponents (``^2``, ``**-1``). Nothing in a scenario is ever
evaluated beyond that.
"""
from __future__ import annotations

import re

from ..errors import ScenarioError

__all__ = ["check_quantity_text", "MAX_LENGTH"]

#: Longest quantity string accepted (the longest sensible one is ~30 characters).
MAX_LENGTH = 120
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d{1,3})?"
_NAME = r"[^\W\d]|[°%µΩ]"  # one character per token: no backtracking blow-up
_EXPONENT = r"\s*(?:\^|\*\*)\s*-?\d{1,2}(?:\.\d+)?"
_UNIT = rf"(?:1\s*/\s*)?(?:(?:{_NAME}|\))(?:{_EXPONENT})?|\(|\s|[*/])*"
_QUANTITY = re.compile(rf"\s*{_NUMBER}\s*{_UNIT}\s*")


def check_quantity_text(text: str, where: str, expected: str) -> None:
    """Raise ScenarioError unless ``text`` is a single number followed by a plain unit expression."""
    if len(text) > MAX_LENGTH or not _QUANTITY.fullmatch(text):
        shown = text if len(text) <= 40 else text[:37] + "..."
        raise ScenarioError(f"{where}: found {shown!r}, which is not a number followed by a unit; "
                            f"expected {expected}")
