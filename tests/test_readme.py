"""Every ```python block in the README runs as written, top to bottom in one
namespace (as a reader pasting them in order would)."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_readme_python_blocks_run_in_order():
    assert len(BLOCKS) >= 4
    namespace: dict = {}
    for index, block in enumerate(BLOCKS):
        exec(compile(block, f"README block {index}", "exec"), namespace)
