// The expander (GNU make's expand.c): `$(VAR)`, `${VAR}`, `$X`, `$$`, substitution references
// `$(VAR:a=b)` and `$(VAR:%.c=%.o)`, the automatic variables `$@ $< $^ $+ $* $? $|` and their D
// and F forms, and calls of the functions of function.ts. A generator of requests (makeint.ts).
//
// expand.ts and function.ts call each other, as expand.c and function.c do: the import cycle is
// one of functions only (nothing imported is used while the modules load).

import { FUNCTIONS, patsubst, words } from "./function.ts";
import { type Expander, type Floc, MakeError } from "./makeint.ts";
import type { Vars } from "./variable.ts";

/** The automatic variables of a recipe: @ < ^ + * ? | (and their D and F forms). */
export type Automatic = Partial<Record<"@" | "<" | "^" | "+" | "*" | "?" | "|", string>>;

/** What expansion needs: the variables, a recipe's automatic variables, and the line being
 * expanded (for messages). $(info) and $(warning) yield their output as print requests. */
export interface ExpandCtx {
  vars: Vars;
  auto: Automatic | null;
  floc: Floc | null;
  /** Where the variable being expanded was defined (GNU's expanding_var): an unterminated
   * reference in its value is reported there. */
  expanding?: Floc;
}

/** The text inside `$(...)` or `${...}` that starts at `s[i]` (just after the opening): its end
 * (the index of the closing paren), or -1 if it is not closed. Both kinds of parens nest. */
export function closing(s: string, i: number, close: string): number {
  const stack: string[] = [close];
  for (let k = i; k < s.length; k++) {
    const c = s[k];
    if (c === "(") stack.push(")");
    else if (c === "{") stack.push("}");
    else if (c === stack[stack.length - 1]) {
      stack.pop();
      if (stack.length === 0) return k;
    }
  }
  return -1;
}

/** The index of the first `ch` outside parens, or -1. */
export function topLevel(s: string, ch: string, from = 0): number {
  let depth = 0;
  for (let k = from; k < s.length; k++) {
    const c = s[k];
    if (c === "(" || c === "{") depth++;
    else if (c === ")" || c === "}") depth--;
    else if (c === ch && depth === 0) return k;
    else if (c === "$" && s[k + 1] !== undefined && s[k + 1] !== "(" && s[k + 1] !== "{") k++;
  }
  return -1;
}

/** Expands every variable reference and function call of `s`. */
export function expand(s: string, ctx: ExpandCtx): Expander<string> {
  return expandWith(s, ctx, new Set());
}

export function* expandWith(s: string, ctx: ExpandCtx, active: Set<string>): Expander<string> {
  if (!s.includes("$")) return s;
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c !== "$") {
      out += c;
      continue;
    }
    const n = s[i + 1];
    if (n === undefined) break; // a `$` at the end expands to nothing
    if (n === "$") {
      out += "$";
      i++;
      continue;
    }
    if (n !== "(" && n !== "{") {
      out += yield* lookup(n, ctx, active);
      i++;
      continue;
    }
    const end = closing(s, i + 2, n === "(" ? ")" : "}");
    if (end < 0) throw new MakeError(ctx.expanding ?? ctx.floc, "unterminated variable reference");
    out += yield* reference(s.slice(i + 2, end), ctx, active);
    i = end;
  }
  return out;
}

/** The value of `$(body)`. */
function* reference(body: string, ctx: ExpandCtx, active: Set<string>): Expander<string> {
  const fn = /^([a-z-]+)[ \t]/.exec(body);
  if (fn !== null && FUNCTIONS[fn[1]] !== undefined) {
    return yield* FUNCTIONS[fn[1]](body.slice(fn[0].length).replace(/^[ \t]+/, ""), ctx, active);
  }
  const colon = topLevel(body, ":");
  if (colon >= 0) {
    const eq = topLevel(body, "=", colon + 1);
    if (eq >= 0) {
      const name = yield* expandWith(body.slice(0, colon), ctx, active);
      const from = yield* expandWith(body.slice(colon + 1, eq), ctx, active);
      const to = yield* expandWith(body.slice(eq + 1), ctx, active);
      const value = yield* lookup(name, ctx, active);
      if (from.includes("%")) return patsubst(from, to, value);
      return words(value).map((w) => w.endsWith(from) ? w.slice(0, w.length - from.length) + to : w)
        .join(" ");
    }
  }
  return yield* lookup(yield* expandWith(body, ctx, active), ctx, active);
}

/** The directory part of each word (`$(@D)`: `.` for none, without its slash). */
function dirOf(w: string): string {
  const i = w.lastIndexOf("/");
  return i < 0 ? "." : i === 0 ? "/" : w.slice(0, i);
}

/** The value of a variable (a recursive one expanded). */
function* lookup(name: string, ctx: ExpandCtx, active: Set<string>): Expander<string> {
  const auto = ctx.auto;
  if (auto !== null) {
    const key = name[0] as keyof Automatic;
    if (name.length === 1 && auto[key] !== undefined) return auto[key]!;
    if (name.length === 2 && auto[key] !== undefined && (name[1] === "D" || name[1] === "F")) {
      const ws = words(auto[key]!);
      return ws.map((w) => name[1] === "D" ? dirOf(w) : w.slice(w.lastIndexOf("/") + 1)).join(" ");
    }
  }
  const v = ctx.vars.get(name);
  if (v === undefined) return "";
  if (!v.recursive) return v.value;
  const outer = ctx.expanding;
  if (v.floc !== undefined) ctx.expanding = v.floc;
  try {
    if (active.has(name)) {
      throw new MakeError(
        ctx.expanding ?? ctx.floc,
        `Recursive variable '${name}' references itself (eventually)`,
      );
    }
    active.add(name);
    try {
      return yield* expandWith(v.value, ctx, active);
    } finally {
      active.delete(name);
    }
  } finally {
    ctx.expanding = outer;
  }
}
