"""The schema contract's figures, printed at the end of the run so CI's output shows them."""

# role → {"operations": labels fuzzed, "cases": cases sent, "linked": of them in stateful sequences,
#         "failures": labels that failed}
CONTRACT_FIGURES: dict[str, dict] = {}


def pytest_terminal_summary(terminalreporter):
    if not CONTRACT_FIGURES:
        return
    operations = set().union(*(figures["operations"] for figures in CONTRACT_FIGURES.values()))
    cases = sum(figures["cases"] for figures in CONTRACT_FIGURES.values())
    linked = sum(figures["linked"] for figures in CONTRACT_FIGURES.values())
    failures = sum(len(figures["failures"]) for figures in CONTRACT_FIGURES.values())
    roles = ", ".join(sorted(CONTRACT_FIGURES))
    terminalreporter.write_sep("-", "schema contract (schemathesis)")
    terminalreporter.write_line(f"schemathesis: {len(operations)} operations fuzzed as {roles}; "
                                f"{cases} cases generated ({linked} in linked sequences); {failures} failures")
    for role, figures in sorted(CONTRACT_FIGURES.items()):
        for label in sorted(figures["failures"]):
            terminalreporter.write_line(f"  failed as {role}: {label}")
