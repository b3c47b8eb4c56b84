"""What ``nnmath audit`` prints: a table per function, then each survivor with its diff and the
input that tells it apart from the reference."""
from __future__ import annotations

from .audit import AssignmentAudit


def report_lines(audit: AssignmentAudit, accepted: dict[str, dict[str, str]], jobs: int) -> list[str]:
    """The report, line by line; ``accepted``: function -> {mutant id: reason} from the notebook."""
    total = sum(f.mutants for f in audit.functions)
    lines = [f"audit of {audit.assignment}: {total} mutants of {len(audit.functions)} function(s), "
             f"{audit.cases} inputs each for equivalence, {jobs} worker(s)", "",
             f"{'function':<20}{'mutants':>8}{'equivalent':>11}{'killed':>8}{'survived':>9}{'score':>7}"]
    for f in audit.functions:
        if f.problem:
            lines.append(f"{f.name:<20}  not audited: {f.problem}")
            continue
        lines.append(f"{f.name:<20}{f.mutants:>8}{f.equivalent:>11}{f.killed:>8}{len(f.survivors):>9}"
                     f"{f.score:>7.0%}")
    survivors = [(f.name, s) for f in audit.functions for s in f.survivors]
    if survivors:
        lines += ["", "mutants that get full marks:"]
    for name, survivor in survivors:
        reason = accepted.get(name, {}).get(survivor.id)
        status = f"accepted: {reason}" if reason else "unexplained"
        lines += ["", f"{survivor.id}  [{status}]", f"  {survivor.description}",
                  f"  told apart by {name}({survivor.input})", f"  {survivor.difference}"]
        lines += ["  " + line for line in survivor.diff.splitlines()]
    unexplained = sum(1 for name, s in survivors if not accepted.get(name, {}).get(s.id))
    lines += ["", f"{len(survivors)} survivor(s), {unexplained} unexplained; took {audit.seconds:.1f} s "
                  f"(equivalence {audit.equivalence_seconds:.1f} s, grading "
                  f"{audit.seconds - audit.equivalence_seconds:.1f} s)"]
    return lines
