"""docs/rules.md is what `scripts/rules_doc.py` makes of the code now: every reason code, its words, who gives it."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_rules_document_is_current():
    made = subprocess.run([sys.executable, str(ROOT / "scripts" / "rules_doc.py")], capture_output=True, text=True, check=True)
    assert made.stdout == (ROOT / "docs" / "rules.md").read_text(), "run: python scripts/rules_doc.py > docs/rules.md"


def test_every_reason_code_is_given_somewhere():
    document = (ROOT / "docs" / "rules.md").read_text()
    assert "Not given by the code any more." not in document
