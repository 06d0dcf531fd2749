// Reading makefiles (GNU make's read.c): GNU make's syntax for the everyday subset, read by a
// generator that yields its requests (makeint.ts) and, with system calls, the makefiles make
// reads (read_all_makefiles) and drive(), which answers the requests of the reader and of the
// expander.
//
//   - logical lines: `\` + newline joins lines (one space outside recipes; kept in recipes),
//     `#` starts a comment (not in a recipe), a TAB starts a recipe line after a rule;
//   - variables (variable.ts): `=` (recursive), `:=` and `::=` (simple), `?=`, `+=`, `!=`, with
//     `export`, `override`, `unexport`, and `define NAME [op] ... endef`;
//   - rules: `targets: prerequisites | order-only ; recipe`, several targets, pattern rules
//     (`%.o: %.c`), static pattern rules (`objs: %.o: %.c`), double-colon rules, `.PHONY`,
//     target- and pattern-specific variables (`targets: VAR = value`);
//   - suffix rules (`.c.o:`, made pattern rules by implicit.ts), `.SUFFIXES`, `vpath`;
//   - `private` variables, a bare `export`;
//   - conditionals (ifeq, ifneq, ifdef, ifndef, else, endif) and `include` / `-include` (a
//     makefile that cannot be read is noted, for remake.ts to make).

import { O_RDONLY } from "../../kernel/uapi/fcntl.ts";
import { T_DIR } from "../../kernel/uapi/stat.ts";
import { closing, expand, type ExpandCtx, topLevel } from "./expand.ts";
import { addFile, type Database, type RecipeLine } from "./file.ts";
import { addPattern } from "./implicit.ts";
import { fillPattern, matchPattern, readAll, shell, words } from "./function.ts";
import { glob } from "./glob.ts";
import {
  type Answer,
  type Expander,
  type Floc,
  type Make,
  MakeError,
  type Reader,
  type ReadRequest,
} from "./makeint.ts";
import { enter, error, fatal } from "./output.ts";
import { assign, type Origin, recordTargetVar, setVar } from "./variable.ts";
import { type Call, stat } from "../lib/ulib.ts";
import type { Sys } from "../lib/usys.ts";

/** One logical line: its text and where it starts; `raw` keeps the physical lines. */
interface Line {
  text: string;
  raw: string[];
  line: number;
}

/** The physical lines of a makefile grouped into logical lines (a line that ends in an odd
 * number of backslashes continues on the next). */
function logicalLines(text: string): Line[] {
  const phys = text.split("\n");
  if (phys.length > 0 && phys[phys.length - 1] === "") phys.pop();
  const out: Line[] = [];
  for (let i = 0; i < phys.length; i++) {
    const start = i;
    const raw = [phys[i].replace(/\r$/, "")];
    while (continues(raw[raw.length - 1]) && i + 1 < phys.length) {
      raw.push(phys[++i].replace(/\r$/, ""));
    }
    out.push({ text: raw.join("\n"), raw, line: start + 1 });
  }
  return out;
}

function continues(s: string): boolean {
  let n = 0;
  for (let k = s.length - 1; k >= 0 && s[k] === "\\"; k--) n++;
  return n % 2 === 1;
}

/** A non-recipe line's continuations collapsed: backslash, newline and the whitespace around
 * them become one space. */
function collapse(text: string): string {
  return text.replace(/[ \t]*\\\n[ \t]*/g, " ");
}

/** The position of the first unescaped `#`, or -1. */
function commentAt(s: string): number {
  for (let k = 0; k < s.length; k++) {
    if (s[k] === "\\" && s[k + 1] === "#") {
      k++;
      continue;
    }
    if (s[k] === "#") return k;
  }
  return -1;
}

function stripComment(s: string): string {
  const at = commentAt(s);
  return (at < 0 ? s : s.slice(0, at)).replace(/\\#/g, "#");
}

/** A variable assignment's parts: [name, op, value], or null if the line is not one. */
function assignment(s: string): [string, string, string] | null {
  let k = 0;
  let sawSpace = false;
  for (; k < s.length; k++) {
    const c = s[k];
    if (c === "$" && (s[k + 1] === "(" || s[k + 1] === "{")) {
      const end = closing(s, k + 2, s[k + 1] === "(" ? ")" : "}");
      if (end < 0) return null;
      k = end;
      continue;
    }
    if (c === " " || c === "\t") {
      sawSpace = true;
      continue;
    }
    let op: string | null = null;
    if (c === "=") op = "=";
    else if (s.startsWith("::=", k)) op = "::=";
    else if (s.startsWith(":=", k)) op = ":=";
    else if (s.startsWith("?=", k)) op = "?=";
    else if (s.startsWith("+=", k)) op = "+=";
    else if (s.startsWith("!=", k)) op = "!=";
    if (op !== null) {
      return [s.slice(0, k).trim(), op, s.slice(k + op.length).replace(/^[ \t]+/, "")];
    }
    if (c === ":" || sawSpace) return null;
  }
  return null;
}

const CONDITIONALS = ["ifeq", "ifneq", "ifdef", "ifndef"];

interface Cond {
  /** This branch is taken; some branch was taken; the enclosing text is ignored. */
  on: boolean;
  taken: boolean;
  outer: boolean;
  sawElse: boolean;
}

/** The two operands of ifeq/ifneq: `(a,b)`, `"a" "b"`, `'a' 'b'`. */
function condOperands(arg: string, floc: Floc): [string, string] {
  const a = arg.trim();
  if (a.startsWith("(")) {
    const end = closing(a, 1, ")");
    if (end < 0) throw new MakeError(floc, "invalid syntax in conditional");
    const inner = a.slice(1, end);
    const comma = topLevel(inner, ",");
    if (comma < 0) throw new MakeError(floc, "invalid syntax in conditional");
    if (a.slice(end + 1).trim() !== "") {
      throw new MakeError(floc, "extraneous text after 'ifeq' directive");
    }
    return [inner.slice(0, comma).trim(), inner.slice(comma + 1).trim()];
  }
  const m = /^(["'])(.*?)\1[ \t]+(["'])(.*?)\3[ \t]*$/.exec(a);
  if (m === null) throw new MakeError(floc, "invalid syntax in conditional");
  return [m[2], m[4]];
}

const SPECIAL_TARGETS = new Set([
  ".PHONY",
  ".SUFFIXES",
  ".DEFAULT",
  ".PRECIOUS",
  ".INTERMEDIATE",
  ".SECONDARY",
  ".SECONDEXPANSION",
  ".DELETE_ON_ERROR",
  ".IGNORE",
  ".LOW_RESOLUTION_TIME",
  ".SILENT",
  ".EXPORT_ALL_VARIABLES",
  ".NOTPARALLEL",
  ".ONESHELL",
  ".POSIX",
]);

/**
 * Reads a makefile's text into `db`: a generator that yields a "read" request for each
 * included file and a "print" request for each message (warnings, $(info)), in order. Throws
 * MakeError for a fatal error (missing separator, ...).
 */
export function* readMakefile(db: Database, file: string, text: string): Reader<void> {
  db.makefiles.push(file);
  setVar(db.vars, "MAKEFILE_LIST", db.makefiles.join(" "));
  const lines = logicalLines(text);
  const conds: Cond[] = [];
  const ignoring = () => conds.length > 0 && !conds[conds.length - 1].on;
  /** The rule whose recipe lines may follow (GNU's `filenames`): recorded when its recipe
   * ends, at the next line that is not a recipe line, a comment, a blank line or a
   * conditional. */
  let pending: PendingRule | null = null;

  const ctx: ExpandCtx = { vars: db.vars, auto: null, floc: null };
  const record = function* (): Reader<void> {
    if (pending !== null) yield* recordRule(db, pending);
    pending = null;
  };

  for (let li = 0; li < lines.length; li++) {
    const L = lines[li];
    const floc: Floc = { file, line: L.line };
    ctx.floc = floc;

    // A recipe line: a TAB after a rule.
    if (L.text.startsWith("\t") && pending !== null) {
      if (ignoring()) continue;
      const body = L.raw.map((r, i) => i === 0 ? r.slice(1) : r.startsWith("\t") ? r.slice(1) : r)
        .join("\n");
      pending.recipe.push({ text: body, floc });
      continue;
    }

    const collapsed = collapse(L.text);
    const line = stripComment(collapsed);
    const trimmed = line.trim();
    if (trimmed === "") continue;

    // Conditionals, even in ignored text; they do not end a rule's recipe.
    const word = /^[ \t]*([a-z-]+)(?:[ \t]+(.*))?$/.exec(line);
    const directive = word?.[1] ?? "";
    const rest = word?.[2] ?? "";
    if (CONDITIONALS.includes(directive)) {
      const outer = !ignoring();
      let on = false;
      if (outer) on = yield* evalCond(directive, rest, ctx, floc);
      conds.push({ on: outer && on, taken: on, outer, sawElse: false });
      continue;
    }
    if (directive === "else") {
      const c = conds[conds.length - 1];
      if (c === undefined) throw new MakeError(floc, "extraneous 'else'");
      if (c.sawElse) throw new MakeError(floc, "only one 'else' per conditional");
      const more = /^([a-z]+)[ \t]*(.*)$/.exec(rest.trim());
      if (more !== null && CONDITIONALS.includes(more[1])) {
        const on = c.outer && !c.taken && (yield* evalCond(more[1], more[2], ctx, floc));
        c.on = on;
        c.taken ||= on;
      } else {
        c.on = c.outer && !c.taken;
        c.taken = true;
        c.sawElse = true;
      }
      continue;
    }
    if (directive === "endif") {
      if (conds.pop() === undefined) throw new MakeError(floc, "extraneous 'endif'");
      continue;
    }
    if (ignoring()) {
      if (directive === "define") li = skipDefine(lines, li);
      continue;
    }

    // define NAME [op] ... endef
    const def = /^[ \t]*((?:(?:export|override)[ \t]+)*)define[ \t]+(.*)$/.exec(line);
    if (def !== null) {
      yield* record();
      let head = def[2].trim();
      let op = "=";
      const opm = /^(.*?)[ \t]*(::=|:=|\?=|\+=|!=|=)$/.exec(head);
      if (opm !== null) [head, op] = [opm[1], opm[2]];
      const name = yield* expand(head, ctx);
      const body: string[] = [];
      let depth = 1;
      let k = li + 1;
      for (; k < lines.length; k++) {
        const t = lines[k].text.trim();
        if (/^define([ \t]|$)/.test(t)) depth++;
        if (/^endef([ \t]|$)/.test(t) && --depth === 0) break;
        body.push(collapse(lines[k].text)); // as GNU's do_define: one space for each `\`+newline
      }
      if (k >= lines.length) throw new MakeError(floc, "missing 'endef', unterminated 'define'");
      li = k;
      const origin = def[1].includes("override") ? "override" : "file";
      const exported = def[1].includes("export") ? true : null;
      yield* assign(db.vars, name, op, body.join("\n"), origin, ctx, exported);
      continue;
    }

    // include FILE..., -include, sinclude
    const inc = /^[ \t]*(-?include|sinclude)[ \t]+(.*)$/.exec(line);
    if (inc !== null) {
      yield* record();
      const optional = inc[1] !== "include";
      for (const f of words(yield* expand(inc[2], ctx))) {
        const text = yield { kind: "read", path: f };
        db.readFiles.push({ name: f, floc, optional, missing: text === null });
        // A missing makefile is made, if a rule can, before make updates its goals (remake.ts).
        if (text !== null) yield* readMakefile(db, f, text as string);
      }
      continue;
    }

    // export / unexport / override / private, then maybe an assignment.
    const { body, origin, exported, priv } = modifiers(line);
    const a = assignment(body);
    if (a !== null) {
      yield* record();
      const [n, op, value] = a;
      const name = yield* expand(n, ctx);
      if (name === "") throw new MakeError(floc, "empty variable name");
      yield* assign(db.vars, name, op, value, origin, ctx, exported);
      // A private global is not seen from any target's recipe (variable.ts's scope).
      if (priv) db.vars.get(name)!.private = true;
      continue;
    }
    if (exported !== null && !body.includes(":")) {
      // `export NAME...` / `unexport NAME...`; alone, every variable (GNU's
      // export_all_variables, as .EXPORT_ALL_VARIABLES does).
      yield* record();
      if (body.trim() === "") db.exportAll = exported;
      for (const n of words(yield* expand(body, ctx))) {
        const v = db.vars.get(n);
        if (v !== undefined) v.exported = exported;
        else {
          db.vars.set(n, { value: "", recursive: true, origin: "file", exported, fromEnv: false });
        }
      }
      continue;
    }
    const vp = /^vpath(?:[ \t]+(.*))?$/.exec(trimmed);
    if (vp !== null) {
      yield* record();
      // vpath PATTERN DIRS; vpath PATTERN (forget its directories); vpath (forget them all)
      const [pattern, ...dirs] = words(yield* expand(vp[1] ?? "", ctx));
      if (pattern === undefined) db.vpaths = [];
      else if (dirs.length === 0) db.vpaths = db.vpaths.filter((v) => v.pattern !== pattern);
      else db.vpaths.push({ pattern, dirs: dirs.flatMap((d) => d.split(":")).filter((d) => d) });
      continue;
    }
    if (L.text.startsWith("\t")) throw new MakeError(floc, "recipe commences before first target");

    // A rule: targets: prerequisites [; recipe]
    yield* record();
    // Target- and pattern-specific variables: `targets: [export|override|private] X = value`
    // (a `;` in the value is part of it, and so is what follows it, a `#` included, as GNU
    // make reads the text after a rule's `;` as a recipe).
    const semi0 = topLevel(collapsed, ";");
    const hash0 = commentAt(collapsed);
    const tvLine = semi0 >= 0 && (hash0 < 0 || semi0 < hash0)
      ? stripComment(collapsed.slice(0, semi0)) + collapsed.slice(semi0)
      : line;
    const tcolon = topLevel(tvLine, ":");
    if (tcolon >= 0) {
      const tv = targetVarDef(tvLine.slice(tcolon + (tvLine[tcolon + 1] === ":" ? 2 : 1)));
      if (tv !== null) {
        const targets = words(yield* expand(tvLine.slice(0, tcolon), ctx));
        const name = yield* expand(tv.name, ctx);
        if (name === "") throw new MakeError(floc, "empty variable name");
        for (const t of targets) {
          yield* recordTargetVar(db, t, name, tv, floc);
        }
        continue;
      }
    }
    const semi = semi0, hash = hash0;
    let head = collapsed, inline: string | null = null;
    if (semi >= 0 && (hash < 0 || semi < hash)) {
      head = collapsed.slice(0, semi);
      inline = collapsed.slice(semi + 1).replace(/^[ \t]+/, "");
    }
    head = stripComment(head);
    const colon = topLevel(head, ":");
    if (colon < 0) {
      // A line that expands to nothing ($(info ...), $(warning ...)) is no error.
      const value = yield* expand(head, ctx);
      if (value.trim() === "") continue;
      if (L.text.startsWith("        ")) {
        throw new MakeError(floc, "missing separator (did you mean TAB instead of 8 spaces?)");
      }
      throw new MakeError(floc, "missing separator");
    }
    const targets = words(yield* expand(head.slice(0, colon), ctx));
    let after = head.slice(colon + 1);
    const doubleColon = after.startsWith(":");
    if (doubleColon) after = after.slice(1);
    let staticPattern: string | null = null;
    const second = topLevel(after, ":");
    if (second >= 0) {
      staticPattern = (yield* expand(after.slice(0, second), ctx)).trim();
      after = after.slice(second + 1);
    }
    const prereq = yield* expand(after, ctx);
    const bar = prereq.indexOf("|");
    const deps = words(bar < 0 ? prereq : prereq.slice(0, bar));
    const orderOnly = bar < 0 ? [] : words(prereq.slice(bar + 1));
    if (staticPattern !== null && !staticPattern.includes("%")) {
      throw new MakeError(floc, "target pattern contains no '%'");
    }
    if (staticPattern === null && targets.some((t) => t.includes("%"))) {
      if (!targets.every((t) => t.includes("%"))) {
        throw new MakeError(floc, "mixed implicit and normal rules");
      }
    }
    pending = {
      targets,
      deps,
      orderOnly,
      staticPattern,
      doubleColon,
      recipe: inline === null ? [] : [{ text: inline, floc }],
      floc,
    };
  }
  yield* record();
  if (conds.length > 0) {
    throw new MakeError({ file, line: lines.length }, "missing 'endif'");
  }
}

/** A rule read, waiting for the end of its recipe. */
export interface PendingRule {
  targets: string[];
  deps: string[];
  orderOnly: string[];
  staticPattern: string | null;
  doubleColon: boolean;
  recipe: RecipeLine[];
  floc: Floc;
}

/** Records a rule whose recipe has ended (GNU's record_files). */
function* recordRule(db: Database, r: PendingRule): Reader<void> {
  const recipe = r.recipe.length > 0 ? r.recipe : null;
  if (r.staticPattern !== null) {
    for (const t of r.targets) {
      const stem = matchPattern(r.staticPattern, t);
      if (stem === null) {
        yield {
          kind: "print",
          fd: 2,
          text: `${r.floc.file}:${r.floc.line}: target '${t}' doesn't match the target pattern\n`,
        };
        continue;
      }
      const deps = r.deps.map((d) => fillPattern(d, stem));
      const orderOnly = r.orderOnly.map((d) => fillPattern(d, stem));
      yield* addFile(db, t, deps, orderOnly, recipe, stem, r);
      setDefault(db, t);
    }
    return;
  }
  if (r.targets.some((t) => t.includes("%"))) {
    const rule = { targets: r.targets, deps: r.deps, orderOnly: r.orderOnly, recipe, floc: r.floc };
    addPattern(db, rule, true);
    return;
  }
  for (const t of r.targets) {
    if (t === ".PHONY") {
      for (const d of r.deps) db.phony.add(d);
      continue;
    }
    if (t === ".SUFFIXES") {
      // Without prerequisites it empties the list; with them, they join it.
      if (r.deps.length === 0) db.suffixes = [];
      for (const d of r.deps) if (!db.suffixes.includes(d)) db.suffixes.push(d);
    }
    yield* addFile(db, t, r.deps, r.orderOnly, recipe, null, r);
    setDefault(db, t);
  }
}

/** The definition after a rule's colon, if it is one: `[export|override|private]... X op v`. */
function targetVarDef(
  text: string,
): (ReturnType<typeof modifiers> & { name: string; op: string; value: string }) | null {
  const m = modifiers(text);
  const a = assignment(m.body);
  if (a === null || a[0].includes(";")) return null;
  return { ...m, name: a[0], op: a[1], value: a[2] };
}

/** The words before a definition: `export`, `unexport`, `override`, `private` (a variable
 * named so is no modifier), and the text after them. */
function modifiers(text: string) {
  let body = text.replace(/^[ \t]+/, "");
  let origin: Origin = "file";
  let exported: boolean | null = null;
  let priv = false;
  for (;;) {
    const m = /^(export|unexport|override|private)([ \t]+|$)/.exec(body);
    if (m === null) break;
    if (/^[a-z]+[ \t]*(=|:=|::=|\?=|\+=|!=)/.test(body)) break; // a variable named so
    if (m[1] === "override") origin = "override";
    else if (m[1] === "private") priv = true;
    else exported = m[1] === "export";
    body = body.slice(m[0].length);
  }
  return { body, origin, exported, priv };
}

/** The first target becomes the default goal: .DEFAULT_GOAL, while it is empty. */
function setDefault(db: Database, t: string): void {
  if ((db.vars.get(".DEFAULT_GOAL")?.value ?? "") !== "" || SPECIAL_TARGETS.has(t)) return;
  if (!t.startsWith(".") || t.includes("/")) setVar(db.vars, ".DEFAULT_GOAL", t, "file");
}

function skipDefine(lines: Line[], li: number): number {
  let depth = 1;
  for (let k = li + 1; k < lines.length; k++) {
    const t = lines[k].text.trim();
    if (/^define([ \t]|$)/.test(t)) depth++;
    if (/^endef([ \t]|$)/.test(t) && --depth === 0) return k;
  }
  return lines.length;
}

function* evalCond(
  directive: string,
  arg: string,
  ctx: ExpandCtx,
  floc: Floc,
): Expander<boolean> {
  if (directive === "ifdef" || directive === "ifndef") {
    const name = yield* expand(arg.trim(), ctx);
    const v = ctx.vars.get(name);
    const defined = v !== undefined && v.value !== "";
    return directive === "ifdef" ? defined : !defined;
  }
  const [a, b] = condOperands(arg, floc);
  const eq = (yield* expand(a, ctx)) === (yield* expand(b, ctx));
  return directive === "ifeq" ? eq : !eq;
}

// ---------------------------------------------------------------------------------------------
// Reading the makefiles, with system calls

/** Reads the makefiles: `-f`'s, or the first of GNUmakefile, makefile and Makefile. One that
 * cannot be read is said at once; remake.ts then tries to make it. */
export function* readMakefiles(mk: Make): Call<void> {
  const { sys, o, db } = mk;
  let files = o.files;
  if (files.length === 0) {
    for (const f of ["GNUmakefile", "makefile", "Makefile"]) {
      if ((yield* stat(sys, f)) !== -1) {
        files = [f];
        break;
      }
    }
  }
  for (const f of files) {
    const text = yield* readFile(sys, f);
    db.readFiles.push({ name: f, floc: null, optional: false, missing: text === null });
    if (text === null) yield* error(mk, `${f}: No such file or directory`);
    else yield* drive(mk, readMakefile(db, f, text));
  }
}

export function* readFile(sys: Sys, path: string): Call<string | null> {
  const fd = yield* sys.open(path, O_RDONLY);
  if (fd < 0) return null;
  const st = yield* sys.fstat(fd);
  if (st !== -1 && st.type === T_DIR) {
    yield* sys.close(fd);
    return null;
  }
  const text = yield* readAll(sys, fd);
  yield* sys.close(fd);
  return text;
}

/** The reader's or the expander's next request, or the error it stopped with. */
function resume<T>(
  g: Generator<ReadRequest, T, Answer>,
  answer: Answer,
): IteratorResult<ReadRequest, T> | MakeError {
  try {
    return g.next(answer);
  } catch (e) {
    if (e instanceof MakeError) return e;
    throw e;
  }
}

/** Drives the reader or an expansion: answers its requests with system calls, and ends make
 * with GNU's message at a MakeError. */
export function* drive<T>(mk: Make, g: Generator<ReadRequest, T, Answer>): Call<T> {
  let answer: Answer = undefined;
  for (;;) {
    const r: IteratorResult<ReadRequest, T> | MakeError = resume(g, answer);
    if (r instanceof MakeError) return yield* fatal(mk, r.floc, r.message);
    if (r.done) return r.value;
    const req: ReadRequest = r.value;
    answer = undefined;
    if (req.kind === "read") answer = yield* readFile(mk.sys, req.path);
    else if (req.kind === "print") {
      if (mk.deferEnter) yield* enter(mk);
      yield* mk.sys.write(req.fd, req.text);
    } else if (req.kind === "shell") answer = yield* shell(mk, req.cmd);
    else answer = yield* glob(mk.sys, req.pattern);
  }
}
