"""docs/data-contract.md is generated from the declaration the validator uses, and says the same."""

from pathlib import Path

from pipeline.extracts.contract import EXTRACTS
from pipeline.extracts.docs import contract_markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "data-contract.md"


def test_committed_contract_docs_match_the_declaration():
    assert DOC.read_text(encoding="utf-8") == contract_markdown(), (
        "docs/data-contract.md is stale: run `make docs` (python -m pipeline contract-docs)"
    )


def test_every_declared_column_and_code_appears_in_the_docs():
    text = DOC.read_text(encoding="utf-8")
    for ex in EXTRACTS:
        assert f"## `{ex.name}`" in text
        for col in ex.columns:
            assert f"| `{col.name}` |" in text
            for code in col.codes:
                assert code in text
