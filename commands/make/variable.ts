// Variables (GNU make's variable.c): their values and origins, the assignments (`=`, `:=`, `::=`,
// `?=`, `+=`, `!=`) and which origin wins; target- and pattern-specific values, recorded as they
// are read (read.c's record_target_var) and layered as a recipe sees them (GNU's variable set
// list); and the environment of recipes, the exported variables (GNU's target_environment).

import { type Automatic, expand, type ExpandCtx } from "./expand.ts";
import type { Database, Node } from "./file.ts";
import { matchPattern, runShell } from "./function.ts";
import { announce } from "./jobserver.ts";
import type { Expander, Floc, Make, Reader } from "./makeint.ts";
import { makeflags } from "./options.ts";
import { drive } from "./read.ts";
import type { Call } from "../lib/ulib.ts";

export type Origin =
  | "default"
  | "environment"
  | "environment override"
  | "file"
  | "command line"
  | "override"
  | "automatic";

export interface Var {
  value: string;
  /** `=`: expanded when used; otherwise (`:=`) already expanded. */
  recursive: boolean;
  origin: Origin;
  /** `export` (true), `unexport` (false), or make's default (null). */
  exported: boolean | null;
  /** It came from the environment (then it is exported even if the makefile sets it). */
  fromEnv: boolean;
  /** A target- or pattern-specific value (`t: X = v`), and one that `+=` appends to the value
   * the variable has around the target (GNU's `append` flag: the target's prerequisites, the
   * target it is built for, the global value). */
  perTarget?: boolean;
  append?: boolean;
  /** Where a makefile defined it (for messages about its value). */
  floc?: Floc;
  /** `private`: not inherited (a global one by no target, a target's by its prerequisites). */
  private?: boolean;
}

export type Vars = Map<string, Var>;

// ---------------------------------------------------------------------------------------------
// Assignments

/** Sets a variable as an assignment with operator `op` does (`=`, `:=`, `::=`, `?=`, `+=`,
 * `!=`). A command-line variable wins over the makefile's unless `override`. `!=` runs the
 * expanded value as a shell command and makes a recursive variable of its output as it is: GNU
 * make 4.3 does not escape its `$`s, so a `$` in the output is expanded where the variable is
 * used (its manual: "you must replace every $ with $$ as part of the execution"). */
export function* assign(
  vars: Vars,
  name: string,
  op: string,
  value: string,
  origin: Origin,
  ctx: ExpandCtx,
  exported: boolean | null = null,
): Expander<void> {
  // GNU make computes a simple value (and runs a `!=` command) before it looks at who wins:
  // the side effects happen even when a command-line variable keeps its value.
  if (op === ":=" || op === "::=") value = yield* expand(value, ctx);
  else if (op === "!=") value = yield* runShell(yield* expand(value, ctx), ctx, false);
  const old = vars.get(name);
  if (old !== undefined && strength(old.origin) > strength(origin)) {
    if (exported !== null) old.exported = exported;
    return;
  }
  const keep = {
    exported: exported ?? old?.exported ?? null,
    fromEnv: old?.fromEnv ?? false,
    origin,
    floc: ctx.floc ?? undefined,
  };
  switch (op) {
    case "?=":
      if (old === undefined) vars.set(name, { value, recursive: true, ...keep });
      else if (exported !== null) old.exported = exported;
      return;
    case "+=":
      if (old === undefined) vars.set(name, { value, recursive: true, ...keep });
      else if (old.recursive) vars.set(name, { ...old, ...keep, value: join(old.value, value) });
      else {
        vars.set(name, { ...old, ...keep, value: join(old.value, yield* expand(value, ctx)) });
      }
      return;
    case ":=":
    case "::=":
      vars.set(name, { value, recursive: false, ...keep });
      return;
    default: // `=`, and `!=` with its command's output
      vars.set(name, { value, recursive: true, ...keep });
  }
}

/** Sets a simple variable that make itself defines (origin file, as GNU's MAKEFILE_LIST). */
export function setVar(vars: Vars, name: string, value: string, origin: Origin = "file"): void {
  const old = vars.get(name);
  vars.set(name, {
    value,
    recursive: false,
    origin,
    exported: old?.exported ?? null,
    fromEnv: old?.fromEnv ?? false,
  });
}

function join(a: string, b: string): string {
  return a === "" ? b : b === "" ? a : a + " " + b;
}

/** Which origin wins: command line over file over environment (`override` beats all). */
function strength(o: Origin): number {
  switch (o) {
    case "override":
      return 4;
    case "command line":
      return 3;
    case "environment override":
      return 2;
    case "automatic":
      return 0;
    default:
      return 1;
  }
}

// ---------------------------------------------------------------------------------------------
// Target- and pattern-specific variables

/** A pattern-specific variable (`%.o: X = v`), applied to each file its pattern matches when
 * that file's recipe runs. A simple one (`:=`) has its value expanded already. */
export interface PatternVar extends TargetVarDef {
  pattern: string;
  name: string;
  floc: Floc;
}

/** A target- or pattern-specific definition: its operator and value, and its modifiers
 * (`private`: seen by the target's own recipe only, not by its prerequisites'). */
export interface TargetVarDef {
  op: string;
  value: string;
  origin: Origin;
  exported: boolean | null;
  priv: boolean;
}

/** Records a target-specific variable (GNU's record_target_var): a pattern's is kept for the
 * files it will match (a simple one expanded now); a file's is set in its own variable set now,
 * as an assignment of that set (a `+=` with no value there yet appends, where the recipe runs,
 * to the value around the target). A command-line variable keeps its value unless `override`. */
export function* recordTargetVar(
  db: Database,
  target: string,
  name: string,
  def: TargetVarDef,
  floc: Floc,
): Reader<void> {
  const { op, origin, exported, priv } = def;
  let value = def.value;
  const gv = db.vars.get(name);
  const cmdline = origin !== "override" && gv !== undefined && gv.origin === "command line";
  if (target.includes("%")) {
    if (op === ":=" || op === "::=") {
      value = yield* expand(value, { vars: db.vars, auto: null, floc });
    }
    const pv: PatternVar = { pattern: target, name, op, value, origin, exported, priv, floc };
    if (cmdline) {
      Object.assign(pv, { op: gv!.recursive ? "=" : ":=", value: gv!.value, origin: gv!.origin });
    }
    // Shortest pattern first, then in order (GNU's create_pattern_var).
    let at = db.patternVars.length;
    while (at > 0 && db.patternVars[at - 1].pattern.length > target.length) at--;
    db.patternVars.splice(at, 0, pv);
    return;
  }
  let set = db.targetVars.get(target);
  if (set === undefined) {
    set = new Map();
    db.targetVars.set(target, set);
  }
  yield* assignTarget(set, db.vars, name, op, value, origin, exported, floc);
  if (priv && set.has(name)) set.get(name)!.private = true;
  if (cmdline) {
    set.set(name, {
      value: gv!.value,
      recursive: gv!.recursive,
      origin: gv!.origin,
      exported,
      fromEnv: false,
      perTarget: true,
      append: false,
    });
  }
}

/** An assignment in a target's (or a pattern's) own variable set, as GNU's
 * do_variable_definition with target_var: `:=` and `!=` expand in the set over the global
 * variables, `?=` looks at both, `+=` appends within the set or, with no value there yet, is
 * marked to append to the value around the target. A stronger origin in the set wins. */
export function* assignTarget(
  set: Vars,
  global: Vars,
  name: string,
  op: string,
  value: string,
  origin: Origin,
  exported: boolean | null,
  floc: Floc | null,
  simple = false,
): Expander<void> {
  const old = set.get(name);
  const ctx = (): ExpandCtx => ({ vars: overlay(global, [set]), auto: null, floc });
  let recursive = true, append = false;
  if (simple) recursive = false;
  else if (op === ":=" || op === "::=") {
    value = yield* expand(value, ctx());
    recursive = false;
  } else if (op === "!=") {
    const c = ctx();
    value = yield* runShell(yield* expand(value, c), c, false);
  } else if (op === "?=") {
    if (old !== undefined || global.has(name)) return;
  } else if (op === "+=") {
    if (old === undefined) append = true;
    else {
      append = old.append === true;
      recursive = old.recursive;
      value = join(old.value, recursive ? value : yield* expand(value, ctx()));
    }
  }
  if (old !== undefined && strength(old.origin) > strength(origin)) return;
  set.set(name, {
    value,
    recursive,
    origin,
    exported: exported ?? old?.exported ?? null,
    fromEnv: false,
    perTarget: true,
    append,
    floc: floc ?? undefined,
  });
}

/** The variables as a recipe sees them: `base` with `layers` (outermost first) over it; a
 * value marked `append` joins the one it covers (a simple one with its `$`s escaped, so the
 * result can be a recursive variable). */
export function overlay(base: Vars, layers: Vars[]): Vars {
  const out = new Map(base);
  for (const layer of layers) {
    for (const [k, v] of layer) {
      const under = out.get(k);
      if (!v.append || under === undefined || under.value === "") {
        out.set(k, v.append ? { ...v, append: false } : v);
        continue;
      }
      const esc = (x: Var) => x.recursive ? x.value : x.value.replaceAll("$", () => "$$");
      out.set(k, { ...v, value: esc(under) + " " + esc(v), recursive: true, append: false });
    }
  }
  return out;
}

/** The variables a file's recipe sees: the global ones, under the target- and
 * pattern-specific ones of the files it is built for (its parent, the parent's parent...),
 * under its own pattern-specific ones, under its own (GNU's variable set list). */
export function* scope(mk: Make, n: Node): Call<Vars> {
  const db = mk.db;
  const global = inherited(db.vars);
  if (db.targetVars.size === 0 && db.patternVars.length === 0) return global;
  const layers: Vars[] = [];
  const seen = new Set<Node>();
  for (let x: Node | null = n; x !== null && !seen.has(x); x = x.parent) {
    seen.add(x);
    const own = db.targetVars.get(x.name);
    const pat = yield* patternVarsOf(mk, x.name);
    // The private ones of the files it is built for are theirs alone.
    if (own !== undefined) layers.push(x === n ? own : inherited(own));
    if (pat !== null) layers.push(x === n ? pat : inherited(pat));
  }
  return layers.length === 0 ? global : overlay(global, layers.reverse());
}

/** A variable set without its private variables (itself when it has none). */
function inherited(set: Vars): Vars {
  for (const v of set.values()) {
    if (v.private) return new Map([...set].filter(([, w]) => !w.private));
  }
  return set;
}

/** The pattern-specific variables of a file, set once (as GNU's initialize_file_variables
 * does) in a set of their own: null if no pattern matches it. */
function* patternVarsOf(mk: Make, name: string): Call<Vars | null> {
  const known = mk.patVars.get(name);
  if (known !== undefined) return known;
  let set: Vars | null = null;
  for (const pv of mk.db.patternVars) {
    if (matchPattern(pv.pattern, name) === null) continue;
    set ??= new Map();
    const simple = pv.op === ":=" || pv.op === "::=";
    yield* drive(
      mk,
      assignTarget(
        set,
        mk.db.vars,
        pv.name,
        pv.op,
        pv.value,
        pv.origin,
        pv.exported,
        pv.floc,
        simple,
      ),
    );
    if (pv.priv && set.has(pv.name)) set.get(pv.name)!.private = true;
  }
  mk.patVars.set(name, set);
  return set;
}

// ---------------------------------------------------------------------------------------------
// The environment of recipes (export)

/** The exported variables (those from the environment or the command line, and `export`ed
 * ones), expanded, MAKEFLAGS, MAKELEVEL one deeper and the robust jobserver: the environment
 * of recipes and $(shell) commands. A $(shell) met while it is being made (an exported
 * variable that calls one) gets make's own environment: no endless loop. */
export function* exportedEnv(
  mk: Make,
  vars: Vars = mk.db.vars,
  auto: Automatic | null = null,
): Call<Map<string, string>> {
  const ctx: ExpandCtx = { vars, auto, floc: null };
  const env = new Map<string, string>();
  const busy = mk.envBusy;
  mk.envBusy = true;
  try {
    for (const [name, v] of [...vars]) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) continue;
      let on = v.exported;
      if (on === null && v.perTarget) {
        // A target-specific value is exported as the global variable is.
        const gv = mk.db.vars.get(name);
        on = gv?.exported ?? (gv?.fromEnv ? true : null);
      }
      on ??= v.fromEnv || v.origin === "command line" ||
        (mk.db.exportAll && v.origin !== "default" && v.origin !== "automatic");
      if (!on) continue;
      env.set(name, v.recursive ? yield* drive(mk, expand(v.value, ctx)) : v.value);
    }
  } finally {
    mk.envBusy = busy;
  }
  env.set("MAKEFLAGS", mk.envReady ? mk.makeflags : makeflags(mk));
  env.set("MAKELEVEL", String(mk.level + 1));
  if (mk.js !== null) {
    const a = announce(mk.js);
    if (a !== null) env.set("ROBUST_JOBSERVER", a);
  }
  return env;
}
