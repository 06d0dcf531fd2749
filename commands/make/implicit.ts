// Pattern rules for a file (GNU make's implicit.c, its pattern_search, with no built-in rules):
// the rules whose target pattern matches, with the stem and the prerequisites they give, in the
// order make tries them; remake.ts's resolve takes the first whose prerequisites exist or ought
// to.

import type { Database, PatternRule } from "./file.ts";
import { fillPattern, matchPattern } from "./function.ts";

/** A pattern rule that could make a file, with the stem and the prerequisites it gives. */
export interface PatternMatch {
  rule: PatternRule;
  stem: string;
  deps: string[];
  orderOnly: string[];
  /** The rule's other targets for this stem: its recipe makes them too (GNU's also_make). */
  also: string[];
}

/** The pattern rules whose target patterns match `name`, in the order make tries them: the
 * shortest stem first, then the order of the makefile. The caller takes the first whose
 * prerequisites exist or ought to (are targets or prerequisites of explicit rules). */
export function patternCandidates(db: Database, name: string): PatternMatch[] {
  const out: PatternMatch[] = [];
  for (const rule of db.patterns) {
    for (const t of rule.targets) {
      const stem = patternStem(t, name);
      if (stem === null) continue;
      out.push({
        rule,
        stem,
        deps: rule.deps.map((d) => fillStem(d, stem)),
        orderOnly: rule.orderOnly.map((d) => fillStem(d, stem)),
        also: rule.targets.filter((o) => o !== t).map((o) => fillStem(o, stem)),
      });
      break;
    }
  }
  return out.map((m, i) => ({ m, i })).sort((x, y) =>
    x.m.stem.length - y.m.stem.length || x.i - y.i
  )
    .map((x) => x.m);
}

/** A pattern rule's stem for a file in a directory: `%.o` matches `src/a.o` with stem `src/a`,
 * and a pattern without a slash matches the file name alone (GNU's directory rule). */
function patternStem(pattern: string, name: string): string | null {
  const direct = matchPattern(pattern, name);
  if (direct !== null || pattern.includes("/")) return direct;
  const slash = name.lastIndexOf("/");
  if (slash < 0) return null;
  const s = matchPattern(pattern, name.slice(slash + 1));
  return s === null ? null : name.slice(0, slash + 1) + s;
}

/** A prerequisite pattern filled for a stem found in a directory (see patternStem). */
function fillStem(pattern: string, stem: string): string {
  const slash = stem.lastIndexOf("/");
  if (slash < 0 || pattern.includes("/")) return fillPattern(pattern, stem);
  return stem.slice(0, slash + 1) + fillPattern(pattern, stem.slice(slash + 1));
}
