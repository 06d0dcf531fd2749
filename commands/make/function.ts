// make's functions (GNU make's function.c): subst, patsubst, strip, findstring, filter,
// filter-out, sort, word, wordlist, words, firstword, lastword, dir, notdir, suffix, basename,
// addsuffix, addprefix, join, if, or, and, foreach, call, value, origin, flavor, info, warning,
// error, wildcard and shell (and `VAR != COMMAND`'s command, for variable.ts); `%` patterns (GNU's
// pattern_matches and patsubst_expand), words (misc.c's find_next_token); and shell(), which runs
// a $(shell) command with system calls. The functions are generators of requests (makeint.ts):
// $(wildcard) and $(shell) ask read.ts's drive() for the names and the output.

import { spawnClose, spawnDup2 } from "../../kernel/uapi/fcntl.ts";
import { type ExpandCtx, expandWith } from "./expand.ts";
import { type Expander, type Make, MakeError, type ShellResult } from "./makeint.ts";
import { error } from "./output.ts";
import { exportedEnv, setVar, type Var } from "./variable.ts";
import type { Call } from "../lib/ulib.ts";
import type { Sys } from "../lib/usys.ts";

// ---------------------------------------------------------------------------------------------
// Words and patterns

/** The whitespace-separated words of a string. */
export function words(s: string): string[] {
  return s.split(/[ \t\n]+/).filter((w) => w !== "");
}

/** Where a pattern's `%` is (-1 if it has none). */
function percent(pattern: string): number {
  return pattern.indexOf("%");
}

/** The stem of `word` for `pattern` (`%.o` and `a.o` give `a`), or null if it does not match. A
 * pattern without `%` matches only itself (stem ""). */
export function matchPattern(pattern: string, word: string): string | null {
  const p = percent(pattern);
  if (p < 0) return pattern === word ? "" : null;
  const pre = pattern.slice(0, p), post = pattern.slice(p + 1);
  if (word.length < pre.length + post.length) return null;
  if (!word.startsWith(pre) || !word.endsWith(post)) return null;
  return word.slice(pre.length, word.length - post.length);
}

/** A pattern with its `%` replaced by `stem` (a pattern without `%` is itself). */
export function fillPattern(pattern: string, stem: string): string {
  const p = percent(pattern);
  return p < 0 ? pattern : pattern.slice(0, p) + stem + pattern.slice(p + 1);
}

/** $(patsubst PATTERN,REPLACEMENT,TEXT). */
export function patsubst(pattern: string, replacement: string, text: string): string {
  return words(text).map((w) => {
    const stem = matchPattern(pattern, w);
    if (stem === null) return w;
    return percent(pattern) < 0 ? replacement : fillPattern(replacement, stem);
  }).join(" ");
}

// ---------------------------------------------------------------------------------------------
// The functions

type Fn = (args: string, ctx: ExpandCtx, active: Set<string>) => Expander<string>;

/** Splits at commas outside parens, into at most `max` pieces (the last takes the rest). */
function splitArgs(s: string, max: number): string[] {
  const out: string[] = [];
  let depth = 0, start = 0;
  for (let k = 0; k < s.length; k++) {
    const c = s[k];
    if (c === "(" || c === "{") depth++;
    else if (c === ")" || c === "}") depth--;
    else if (c === "," && depth === 0 && out.length + 1 < max) {
      out.push(s.slice(start, k));
      start = k + 1;
    }
  }
  out.push(s.slice(start));
  return out;
}

/** The first `n` arguments of a function, each expanded. */
function* expandArgs(
  args: string,
  n: number,
  ctx: ExpandCtx,
  active: Set<string>,
): Expander<string[]> {
  const out: string[] = [];
  for (const a of splitArgs(args, n)) out.push(yield* expandWith(a, ctx, active));
  return out;
}

/** A function whose `n` arguments are all expanded first. */
function eager(n: number, f: (a: string[], ctx: ExpandCtx) => string): Fn {
  return function* (args, ctx, active) {
    return f(yield* expandArgs(args, n, ctx, active), ctx);
  };
}

const perWord = (f: (w: string) => string): Fn =>
  eager(1, ([t]) => words(t).map(f).filter((w) => w !== "").join(" "));

function suffixOf(w: string): string {
  const base = w.slice(w.lastIndexOf("/") + 1);
  const dot = base.lastIndexOf(".");
  return dot < 0 ? "" : base.slice(dot);
}

function filterWords(patterns: string, text: string, keep: boolean): string {
  const ps = words(patterns);
  return words(text).filter((w) => ps.some((p) => matchPattern(p, w) !== null) === keep).join(" ");
}

/** A shell command's output as GNU make's fold_newlines makes it: `\r\n` is a newline, each
 * newline a space; $(shell) drops every trailing newline (`trimAll`), `!=` only the last. */
export function foldNewlines(out: string, trimAll: boolean): string {
  const t = out.replace(/\r\n/g, "\n");
  const cut = trimAll ? t.replace(/\n+$/, "") : t.endsWith("\n") ? t.slice(0, -1) : t;
  return cut.replace(/\n/g, " ");
}

/** Runs a command for $(shell) or `!=`: sets .SHELLSTATUS and gives the output folded. A
 * status of 127 (the shell did not find the command) sends the output to stderr instead, as
 * GNU make does (it takes it for exec's error message). */
export function* runShell(cmd: string, ctx: ExpandCtx, trimAll: boolean): Expander<string> {
  const r = (yield { kind: "shell", cmd }) as ShellResult;
  setVar(ctx.vars, ".SHELLSTATUS", String(r.status), "override");
  if (r.status === 127) {
    if (r.out !== "") yield { kind: "print", fd: 2, text: r.out };
    return "";
  }
  return foldNewlines(r.out, trimAll);
}

export const FUNCTIONS: Record<string, Fn> = {
  subst: eager(3, ([from, to, text]) => from === "" ? text + to : text.split(from).join(to)),
  patsubst: eager(3, ([p, r, t]) => patsubst(p.trim(), r.trim(), t)),
  strip: eager(1, ([t]) => words(t).join(" ")),
  findstring: eager(2, ([f, t]) => t.includes(f) ? f : ""),
  filter: eager(2, ([p, t]) => filterWords(p, t, true)),
  "filter-out": eager(2, ([p, t]) => filterWords(p, t, false)),
  sort: eager(1, ([t]) => [...new Set(words(t))].sort().join(" ")),
  word: eager(2, ([n, t], ctx) => {
    const i = wordIndex(n, "word", "first", ctx);
    return words(t)[i - 1] ?? "";
  }),
  wordlist: eager(3, ([s, e, t], ctx) => {
    const a = wordIndex(s, "wordlist", "first", ctx);
    const b = Number(e.trim());
    if (!/^[0-9]+$/.test(e.trim())) {
      throw new MakeError(ctx.floc, `non-numeric second argument to 'wordlist' function: '${e}'`);
    }
    return words(t).slice(a - 1, b).join(" ");
  }),
  words: eager(1, ([t]) => String(words(t).length)),
  firstword: eager(1, ([t]) => words(t)[0] ?? ""),
  lastword: eager(1, ([t]) => words(t).at(-1) ?? ""),
  dir: perWord((w) => w.slice(0, w.lastIndexOf("/") + 1) || "./"),
  notdir: perWord((w) => w.slice(w.lastIndexOf("/") + 1)),
  suffix: perWord(suffixOf),
  basename: perWord((w) => {
    const s = suffixOf(w);
    return s === "" ? w : w.slice(0, w.length - s.length);
  }),
  addsuffix: eager(2, ([s, t]) => words(t).map((w) => w + s).join(" ")),
  addprefix: eager(2, ([p, t]) => words(t).map((w) => p + w).join(" ")),
  join: eager(2, ([a, b]) => {
    const x = words(a), y = words(b);
    return Array.from(
      { length: Math.max(x.length, y.length) },
      (_, i) => (x[i] ?? "") + (y[i] ?? ""),
    )
      .join(" ");
  }),
  if: function* (args, ctx, active) {
    const [c, then, other] = splitArgs(args, 3);
    const cond = (yield* expandWith(c, ctx, active)).trim();
    const branch = cond !== "" ? then : other;
    return branch === undefined ? "" : yield* expandWith(branch, ctx, active);
  },
  or: function* (args, ctx, active) {
    for (const a of splitArgs(args, Infinity)) {
      const v = (yield* expandWith(a, ctx, active)).trim();
      if (v !== "") return v;
    }
    return "";
  },
  and: function* (args, ctx, active) {
    let v = "";
    for (const a of splitArgs(args, Infinity)) {
      v = (yield* expandWith(a, ctx, active)).trim();
      if (v === "") return "";
    }
    return v;
  },
  foreach: function* (args, ctx, active) {
    const [n, list, body] = splitArgs(args, 3);
    const name = (yield* expandWith(n, ctx, active)).trim();
    const old = ctx.vars.get(name);
    const out: string[] = [];
    try {
      for (const w of words(yield* expandWith(list, ctx, active))) {
        ctx.vars.set(name, {
          value: w,
          recursive: false,
          origin: "automatic",
          exported: null,
          fromEnv: false,
        });
        out.push(yield* expandWith(body ?? "", ctx, active));
      }
    } finally {
      if (old === undefined) ctx.vars.delete(name);
      else ctx.vars.set(name, old);
    }
    return out.join(" ");
  },
  call: function* (args, ctx, active) {
    const parts = yield* expandArgs(args, Infinity, ctx, active);
    const name = parts[0].trim();
    const saved = new Map<string, Var | undefined>();
    const max = Math.max(parts.length, 10);
    for (let i = 0; i < max; i++) {
      const key = String(i);
      saved.set(key, ctx.vars.get(key));
      ctx.vars.set(key, {
        value: i === 0 ? name : parts[i] ?? "",
        recursive: false,
        origin: "automatic",
        exported: null,
        fromEnv: false,
      });
    }
    try {
      const v = ctx.vars.get(name);
      if (v === undefined) return "";
      return v.recursive ? yield* expandWith(v.value, ctx, active) : v.value;
    } finally {
      for (const [k, v] of saved) {
        if (v === undefined) ctx.vars.delete(k);
        else ctx.vars.set(k, v);
      }
    }
  },
  value: eager(1, ([n], ctx) => ctx.vars.get(n.trim())?.value ?? ""),
  origin: eager(1, ([n], ctx) => ctx.vars.get(n.trim())?.origin ?? "undefined"),
  flavor: eager(1, ([n], ctx) => {
    const v = ctx.vars.get(n.trim());
    return v === undefined ? "undefined" : v.recursive ? "recursive" : "simple";
  }),
  info: function* (args, ctx, active) {
    const [t] = yield* expandArgs(args, 1, ctx, active);
    yield { kind: "print", fd: 1, text: t + "\n" };
    return "";
  },
  warning: function* (args, ctx, active) {
    const [t] = yield* expandArgs(args, 1, ctx, active);
    const at = ctx.floc === null ? "" : `${ctx.floc.file}:${ctx.floc.line}: `;
    yield { kind: "print", fd: 2, text: at + t + "\n" };
    return "";
  },
  error: eager(1, ([t], ctx) => {
    throw new MakeError(ctx.floc, t);
  }),
  wildcard: function* (args, ctx, active) {
    const [t] = yield* expandArgs(args, 1, ctx, active);
    const out: string[] = [];
    for (const p of words(t)) out.push(...(yield { kind: "wildcard", pattern: p }) as string[]);
    return out.join(" ");
  },
  shell: function* (args, ctx, active) {
    const [cmd] = yield* expandArgs(args, 1, ctx, active);
    return yield* runShell(cmd, ctx, true);
  },
};

function wordIndex(n: string, fn: string, which: string, ctx: ExpandCtx): number {
  const t = n.trim();
  if (!/^[0-9]+$/.test(t)) {
    throw new MakeError(ctx.floc, `non-numeric ${which} argument to '${fn}' function: '${n}'`);
  }
  const i = Number(t);
  if (i === 0) {
    throw new MakeError(ctx.floc, `${which} argument to '${fn}' function must be greater than 0`);
  }
  return i;
}

// ---------------------------------------------------------------------------------------------
// $(shell), with system calls

/** Runs `/bin/sh -c cmd` with its stdout on a pipe, with the environment of recipes (stderr and
 * stdin are make's): its output and status (a killed shell: 137, SIGKILL's 128 + 9, as GNU make
 * gives it). wait() takes any child: a job's child reaped meanwhile is kept in `mk.reaps` for
 * the job loop. */
export function* shell(mk: Make, cmd: string): Call<ShellResult> {
  const sys = mk.sys;
  const env = mk.envReady ? mk.env : mk.envBusy ? [...sys.env] : [
    ...(yield* exportedEnv(mk)),
  ].map(([k, v]) => `${k}=${v}`);
  const fds: number[] = [];
  if ((yield* sys.pipe(fds)) < 0) {
    yield* error(mk, "pipe: Too many open files");
    return { out: "", status: 127 };
  }
  const actions = [spawnDup2(fds[1], 1), spawnClose(fds[0]), spawnClose(fds[1])];
  const js = mk.js;
  if (js !== null && js.style === "pipe") actions.push(spawnClose(js.r), spawnClose(js.w));
  const pid = yield* sys.spawn("/bin/sh", ["sh", "-c", cmd], actions, 0, 0, env);
  yield* sys.close(fds[1]);
  if (pid < 0) {
    yield* sys.close(fds[0]);
    yield* error(mk, "/bin/sh: No such file or directory");
    return { out: "", status: 127 };
  }
  const out = yield* readAll(sys, fds[0]);
  yield* sys.close(fds[0]);
  for (;;) {
    const [p, status] = yield* sys.wait();
    if (p < 0) return { out, status: 127 };
    if (p === pid) return { out, status: status === -1 ? 137 : status };
    mk.reaps.push([p, status]);
  }
}

/** Reads a file to its end, as text. */
export function* readAll(sys: Sys, fd: number): Call<string> {
  const text = new TextDecoder();
  const buf = new Uint8Array(512);
  let s = "";
  for (;;) {
    const n = yield* sys.read(fd, buf, buf.length);
    if (n <= 0) break;
    s += text.decode(buf.subarray(0, n), { stream: true });
  }
  return s + text.decode();
}
