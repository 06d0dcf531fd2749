// Pattern rules for a file (GNU make's implicit.c, its pattern_search): the rules whose target
// pattern matches, with the stem and the prerequisites they give, in the order make tries them;
// remake.ts's resolve takes the first whose prerequisites exist or ought to. Also how the
// pattern rules are made (rule.c): a rule that replaces or cancels an identical one, the
// old-fashioned suffix rules (`.c.o:`, `.sh:`) turned into pattern rules by the .SUFFIXES list,
// and the built-in ones (default.c) that need no compiler.

import type { Database, FileEntry, PatternRule, RecipeLine } from "./file.ts";
import { fillPattern, matchPattern } from "./function.ts";
import type { Reader } from "./makeint.ts";

/** GNU make 4.3's default .SUFFIXES (default.c). */
export const DEFAULT_SUFFIXES = (".out .a .ln .o .c .cc .C .cpp .p .f .F .m .r .y .l .ym .yl .s " +
  ".S .mod .sym .def .h .info .dvi .tex .texinfo .texi .txinfo .w .ch .web .sh .elc .el").split(
    " ",
  );

/** The built-in suffix rules dv6 keeps: GNU's whose tools it has (the others run compilers).
 * As in GNU make, they are makefile rules read before the makefiles, so a makefile can
 * replace them, and .SUFFIXES decides whether they apply. */
const BUILTIN_SUFFIX_RULES: [string, string[]][] = [
  [".sh", ["cat $< >$@ ", "chmod a+x $@"]],
];

/** Where a built-in recipe comes from (`[<builtin>: t] Error 1`). */
export const BUILTIN = { file: "<builtin>", line: 0 };

/** The built-in suffix rules, as files of the database (before the makefiles are read). */
export function installBuiltinRules(db: Database): void {
  db.suffixes = [...DEFAULT_SUFFIXES];
  for (const [target, lines] of BUILTIN_SUFFIX_RULES) {
    db.files.set(target, {
      name: target,
      deps: [],
      orderOnly: [],
      recipe: lines.map((text) => ({ text, floc: BUILTIN })),
      stem: null,
      recipeFloc: null,
      doubleColon: null,
    });
  }
}

/** Adds a pattern rule (GNU's new_pattern_rule): it replaces one with the same targets and
 * prerequisites (`override`), or gives way to it; one without a recipe only cancels it. */
export function addPattern(db: Database, rule: PatternRule, override: boolean): void {
  const same = db.patterns.findIndex((r) =>
    r.targets.join(" ") === rule.targets.join(" ") && r.deps.join(" ") === rule.deps.join(" ")
  );
  if (same >= 0 && !override) return;
  if (same >= 0) db.patterns.splice(same, 1);
  db.patterns.push(rule);
}

/** Turns the suffix rules into pattern rules (GNU's convert_to_pattern), after the makefiles
 * are read: `.X.Y:` (both in .SUFFIXES) is `%.Y: %.X`, `.X:` is `%: %.X`. A makefile's own
 * pattern rule with the same targets and prerequisites wins. */
export function* convertSuffixRules(db: Database): Reader<void> {
  const entry = (name: string): FileEntry | undefined => {
    const f = db.files.get(name);
    return f?.recipe !== null && f?.doubleColon === null ? f : undefined;
  };
  for (const from of db.suffixes) {
    const single = entry(from);
    if (single !== undefined) suffixPattern(db, "%", from, single.recipe!);
    for (const to of db.suffixes) {
      if (to === from) continue;
      const f = entry(from + to);
      if (f === undefined) continue;
      if (f.deps.length > 0) {
        const at = f.recipe![0].floc;
        yield {
          kind: "print",
          fd: 2,
          text:
            `${at.file}:${at.line}: warning: ignoring prerequisites on suffix rule definition\n`,
        };
      }
      suffixPattern(db, "%" + to, from, f.recipe!);
    }
  }
}

function suffixPattern(db: Database, target: string, from: string, recipe: RecipeLine[]): void {
  addPattern(db, {
    targets: [target],
    deps: ["%" + from],
    orderOnly: [],
    recipe,
    floc: recipe[0].floc,
  }, false);
}

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
    if (rule.recipe === null) continue; // a cancelled rule
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
