// The files make knows (GNU make's file.c and filedef.h): what the makefiles say about each, the
// database read.ts fills (rules, recipes, double-colon rules, pattern rules), and the nodes make
// updates: their state, the result of visiting one (GNU's update_status), and their
// modification times.

import { expand } from "./expand.ts";
import { matchPattern } from "./function.ts";
import { type Floc, type Make, MakeError, type Reader } from "./makeint.ts";
import { drive } from "./read.ts";
import type { PendingRule } from "./read.ts";
import type { PatternVar, Vars } from "./variable.ts";
import { type Call, stat } from "../lib/ulib.ts";
import type { Sys } from "../lib/usys.ts";

// ---------------------------------------------------------------------------------------------
// What the makefiles say

/** One recipe line as written (after its TAB), with its continuation lines. */
export interface RecipeLine {
  text: string;
  floc: Floc;
}

/** What the makefiles say about one file (a target of explicit rules). */
export interface FileEntry {
  name: string;
  deps: string[];
  orderOnly: string[];
  recipe: RecipeLine[] | null;
  /** The stem of a static pattern rule, for `$*`. */
  stem: string | null;
  /** Where the rule with the recipe was (for `overriding recipe` warnings). */
  recipeFloc: Floc | null;
  /** Double-colon rules (`t:: deps`): each with its own prerequisites and recipe, in order
   * (`deps` and `orderOnly` above are then all of theirs). */
  doubleColon: DoubleColonRule[] | null;
}

/** One double-colon rule of a file. */
export interface DoubleColonRule {
  deps: string[];
  orderOnly: string[];
  recipe: RecipeLine[] | null;
}

export interface PatternRule {
  targets: string[];
  deps: string[];
  orderOnly: string[];
  /** null: the rule cancels the one with the same targets and prerequisites. */
  recipe: RecipeLine[] | null;
  floc: Floc;
}

/** The makefiles, read. */
export interface Database {
  vars: Vars;
  files: Map<string, FileEntry>;
  patterns: PatternRule[];
  phony: Set<string>;
  /** Target-specific variables, by target (GNU's per-file variable sets). */
  targetVars: Map<string, Vars>;
  /** Pattern-specific variables, shortest pattern first (then in the makefile's order). */
  patternVars: PatternVar[];
  /** The makefiles read, in order (MAKEFILE_LIST). */
  makefiles: string[];
  /** Every makefile make tried to read, found or not, in order (GNU's read_files): make
   * tries to remake them all before it updates its goals. */
  readFiles: ReadFile[];
  /** Every variable is exported (a bare `export`, or .EXPORT_ALL_VARIABLES). */
  exportAll: boolean;
  /** The .SUFFIXES list, which makes `.X.Y:` a suffix rule (implicit.ts). */
  suffixes: string[];
  /** `vpath PATTERN DIRS` lines, in order (VPATH, the variable, is read when a file is
   * looked for). */
  vpaths: { pattern: string; dirs: string[] }[];
}

/** A makefile make tried to read: `-f`'s or the default one (floc null), or an `include`d
 * one (`-include`: optional, its failures are silent). */
export interface ReadFile {
  name: string;
  floc: Floc | null;
  optional: boolean;
  missing: boolean;
}

/** A new, empty database with `vars` as its variables. */
export function newDatabase(vars: Vars): Database {
  return {
    vars,
    files: new Map(),
    patterns: [],
    phony: new Set(),
    targetVars: new Map(),
    patternVars: [],
    makefiles: [],
    readFiles: [],
    exportAll: false,
    suffixes: [],
    vpaths: [],
  };
}

/** Adds an explicit rule for one target: its prerequisites join the file's, and a recipe
 * replaces an earlier one with GNU's two warnings. */
export function* addFile(
  db: Database,
  name: string,
  deps: string[],
  orderOnly: string[],
  recipe: RecipeLine[] | null,
  stem: string | null,
  r: PendingRule,
): Reader<void> {
  let f = db.files.get(name);
  if (f === undefined) {
    f = {
      name,
      deps: [],
      orderOnly: [],
      recipe: null,
      stem: null,
      recipeFloc: null,
      doubleColon: r.doubleColon ? [] : null,
    };
    db.files.set(name, f);
  }
  if ((f.doubleColon !== null) !== r.doubleColon) {
    throw new MakeError(r.floc, `target file '${name}' has both : and :: entries`);
  }
  if (f.doubleColon !== null) {
    // Each double-colon rule is a rule of its own.
    f.doubleColon.push({ deps: dedup(deps), orderOnly: dedup(orderOnly), recipe });
    f.deps = dedup([...f.deps, ...deps]);
    f.orderOnly = dedup([...f.orderOnly, ...orderOnly]);
    if (f.recipe === null) f.recipe = recipe;
    if (stem !== null) f.stem = stem;
    return;
  }
  if (recipe !== null) {
    // GNU make names the first line of each recipe.
    const at = recipe[0].floc;
    if (f.recipe !== null && f.recipeFloc !== null) {
      yield {
        kind: "print",
        fd: 2,
        text: `${at.file}:${at.line}: warning: overriding recipe for target '${name}'\n`,
      };
      yield {
        kind: "print",
        fd: 2,
        text:
          `${f.recipeFloc.file}:${f.recipeFloc.line}: warning: ignoring old recipe for target '${name}'\n`,
      };
    }
    f.recipe = recipe;
    f.recipeFloc = at;
    // The prerequisites of the rule with the recipe come first.
    f.deps = dedup([...deps, ...f.deps]);
  } else {
    f.deps = dedup([...f.deps, ...deps]);
  }
  f.orderOnly = dedup([...f.orderOnly, ...orderOnly]);
  if (stem !== null) f.stem = stem;
}

function dedup(xs: string[]): string[] {
  return [...new Set(xs)];
}

// ---------------------------------------------------------------------------------------------
// The files make updates

export const NEW = 0, RUNNING = 1, DONE = 2;

/** A file make knows of, as it updates it. */
export interface Node {
  name: string;
  phony: boolean;
  /** Found the rule that makes it (explicit or pattern); `hasRule`: there is one. */
  resolved: boolean;
  hasRule: boolean;
  deps: string[];
  orderOnly: string[];
  recipe: RecipeLine[] | null;
  stem: string;
  state: number;
  failed: boolean;
  /** Modification time (ticks); null: it does not exist. */
  mtime: number | null;
  /** It was remade and is new to its dependents (or it does not exist). */
  changed: boolean;
  onStack: boolean;
  /** How many of its prerequisites (and order-only ones) are known to be made. */
  scan: [number, number];
  /** The file it was last needed by (GNU's `parent`): a recipe sees the target-specific
   * variables of the files it is built for. */
  parent: Node | null;
  /** A file of double-colon rules: one node per rule, updated in turn; `entry`: such a node. */
  entries: Node[] | null;
  entry: boolean;
  /** Made for an `-include`d makefile (GNU's dontcare): its failures are silent and do not
   * stop make. */
  dontcare: boolean;
  /** It failed while `dontcare`, silently: make says why when a file needs it later (GNU's
   * no_diag). */
  noDiag: boolean;
  /** The other targets of the pattern rule that makes it: one run of its recipe makes them
   * all (GNU's also_make). */
  also: Node[];
  /** Where directory search found it (`src/a.c` for `a.c`), or null: its name in $^ and $<
   * while it is not remade (a file remade is made here, under its own name). */
  path: string | null;
}

export const VISIT_OK = 0, VISIT_FAIL = 1, VISIT_PENDING = 2;

export function node(mk: Make, name: string): Node {
  let n = mk.nodes.get(name);
  if (n === undefined) {
    n = newNode(mk, name);
    mk.nodes.set(name, n);
  }
  return n;
}

export function newNode(mk: Make, name: string): Node {
  return {
    name,
    phony: mk.db.phony.has(name),
    resolved: false,
    hasRule: false,
    deps: [],
    orderOnly: [],
    recipe: null,
    stem: "",
    state: NEW,
    failed: false,
    mtime: null,
    changed: false,
    onStack: false,
    scan: [0, 0],
    parent: null,
    entries: null,
    entry: false,
    dontcare: false,
    noDiag: false,
    also: [],
    path: null,
  };
}

/** A file's modification time, or null if it does not exist. */
export function* mtimeOf(sys: Sys, name: string): Call<number | null> {
  const st = yield* stat(sys, name);
  return st === -1 ? null : st.mtime;
}

/** A file that does not exist here, looked for (GNU's vpath.c) in the directories of the
 * `vpath` lines whose pattern matches its name, in order, then in VPATH's: the path found
 * and its time, or null. */
export function* findFile(mk: Make, name: string): Call<{ path: string; mtime: number } | null> {
  const db = mk.db;
  const general = db.vars.get("VPATH");
  if (name.startsWith("/") || (db.vpaths.length === 0 && general === undefined)) return null;
  const value = general === undefined
    ? ""
    : yield* drive(mk, expand(general.value, { vars: db.vars, auto: null, floc: null }));
  const dirs = [
    ...db.vpaths.filter((v) => matchPattern(v.pattern, name) !== null).flatMap((v) => v.dirs),
    ...value.split(/[: \t]+/).filter((d) => d !== ""),
  ];
  for (const dir of dirs) {
    const path = `${dir.replace(/\/+$/, "")}/${name}`;
    const mtime = yield* mtimeOf(mk.sys, path);
    if (mtime !== null) return { path, mtime };
  }
  return null;
}
