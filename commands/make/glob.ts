// $(wildcard)'s globbing (GNU make 4.3 uses glibc's glob and fnmatch, lib/glob.c and
// lib/fnmatch.c, which read directories through dir.c): the matching of one path component, pure,
// and glob(), which reads the directories (their 16-byte dirents) with system calls.

import { O_RDONLY } from "../../kernel/uapi/fcntl.ts";
import { T_DIR } from "../../kernel/uapi/stat.ts";
import { type Call, readdirent, stat } from "../lib/ulib.ts";
import type { Sys } from "../lib/usys.ts";

// ---------------------------------------------------------------------------------------------
// Matching one path component (lib/fnmatch.c)

/** Does a pattern (or one path component of it) have glob characters (`*`, `?`, `[`)? */
export function hasGlob(s: string): boolean {
  for (let k = 0; k < s.length; k++) {
    const c = s[k];
    if (c === "\\") k++;
    else if (c === "*" || c === "?" || c === "[") return true;
  }
  return false;
}

/** A pattern without glob characters as the name it stands for (backslashes removed). */
export function unescapeGlob(s: string): string {
  return s.replace(/\\(.)/g, "$1");
}

/** Does `name` (one directory entry) match the glob `pattern` (one path component)? `*` and
 * `?` match any characters, `[...]` one of a set (`!` or `^` first: one not in it, `a-z`
 * ranges), a backslash quotes the next character; a name starting with `.` only matches a
 * pattern starting with `.` (glob's rule for hidden files). */
export function globMatch(pattern: string, name: string): boolean {
  if (name.startsWith(".") && !pattern.startsWith(".")) return false;
  return globFrom(pattern, 0, name, 0);
}

function globFrom(p: string, pi: number, s: string, si: number): boolean {
  for (; pi < p.length; pi++) {
    const c = p[pi];
    if (c === "*") {
      while (p[pi + 1] === "*") pi++;
      if (pi + 1 === p.length) return true;
      for (let k = si; k <= s.length; k++) if (globFrom(p, pi + 1, s, k)) return true;
      return false;
    }
    if (si >= s.length) return false;
    if (c === "?") {
      si++;
      continue;
    }
    if (c === "[") {
      const set = bracket(p, pi, s[si]);
      if (set === null) {
        // An unclosed `[` is itself.
        if (s[si] !== "[") return false;
        si++;
        continue;
      }
      if (!set.ok) return false;
      pi = set.end;
      si++;
      continue;
    }
    let lit = c;
    if (c === "\\" && pi + 1 < p.length) lit = p[++pi];
    if (s[si] !== lit) return false;
    si++;
  }
  return si === s.length;
}

/** A bracket expression at p[i] (`[`) against one character: whether it matches and the index
 * of its `]`, or null if it is not closed. */
function bracket(p: string, i: number, ch: string): { ok: boolean; end: number } | null {
  let k = i + 1;
  const negate = p[k] === "!" || p[k] === "^";
  if (negate) k++;
  let ok = false;
  let first = true;
  for (; k < p.length; k++) {
    let c = p[k];
    if (c === "]" && !first) return { ok: ok !== negate, end: k };
    first = false;
    if (c === "\\" && k + 1 < p.length) c = p[++k];
    if (p[k + 1] === "-" && p[k + 2] !== undefined && p[k + 2] !== "]") {
      let hi = p[k + 2];
      k += 2;
      if (hi === "\\" && k + 1 < p.length) hi = p[++k];
      if (c <= ch && ch <= hi) ok = true;
      continue;
    }
    if (c === ch) ok = true;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Reading the directories (lib/glob.c)

/** The names a $(wildcard) pattern matches, sorted as GNU make 4.3 gives them (glob's order, in
 * the C locale). Glob characters may be in any component; directories are read as their 16-byte
 * dirents. A pattern without them gives the name (unquoted) if the file exists. */
export function* glob(sys: Sys, pattern: string): Call<string[]> {
  const dirOnly = pattern.endsWith("/");
  if (!hasGlob(pattern)) {
    const name = unescapeGlob(pattern);
    const st = yield* stat(sys, name);
    return st === -1 || (dirOnly && st.type !== T_DIR) ? [] : [name];
  }
  const comps = pattern.split("/");
  let found = [""];
  if (comps[0] === "") {
    found = ["/"];
    comps.shift();
  }
  if (dirOnly) comps.pop();
  for (let i = 0; i < comps.length; i++) {
    const comp = comps[i];
    const last = i === comps.length - 1;
    const next: string[] = [];
    for (const prefix of found) {
      if (!hasGlob(comp)) {
        next.push(prefix + unescapeGlob(comp) + (last ? "" : "/"));
        continue;
      }
      const dir = prefix === "" ? "." : prefix === "/" ? "/" : prefix.slice(0, -1);
      for (const name of (yield* listDir(sys, dir)).filter((n) => globMatch(comp, n)).sort()) {
        next.push(prefix + name + (last ? "" : "/"));
      }
    }
    found = next;
  }
  // What is left to check: that the names exist (a last component without glob characters),
  // and are directories where a slash follows.
  const out: string[] = [];
  for (const f of found) {
    if (dirOnly || !hasGlob(comps[comps.length - 1])) {
      const st = yield* stat(sys, f);
      if (st === -1 || (dirOnly && st.type !== T_DIR)) continue;
    }
    out.push(dirOnly ? f + "/" : f);
  }
  return out.sort();
}

/** The names in a directory, `.` and `..` included (an empty list if it is not one). */
function* listDir(sys: Sys, dir: string): Call<string[]> {
  const fd = yield* sys.open(dir, O_RDONLY);
  if (fd < 0) return [];
  const st = yield* sys.fstat(fd);
  const names: string[] = [];
  if (st !== -1 && st.type === T_DIR) {
    for (let de; (de = yield* readdirent(sys, fd)) !== null;) {
      if (de.inum !== 0) names.push(de.name);
    }
  }
  yield* sys.close(fd);
  return names;
}
