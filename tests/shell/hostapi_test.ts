// Programs and the kernel never touch the host: no Deno.*, no clock, no host randomness, no
// timers, no network, no host crypto, no direct printing, no host modules. Programs see the
// world only through system calls; the kernel only through the sink and output it is given
// (kernel/deflate.ts, which takes raw deflate and CRC-32 from node:zlib, is the one exception).

import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url);

/** Host APIs, matched in code with comments and string contents removed. */
const HOST_APIS: [string, RegExp][] = [
  ["Deno.", /\bDeno\s*[.[]/],
  ["Date", /\bDate\b/],
  ["Math.random", /\bMath\s*\.\s*random\b/],
  ["performance.", /\bperformance\s*\./],
  ["setTimeout", /\bsetTimeout\b/],
  ["setInterval", /\bsetInterval\b/],
  ["fetch", /(?<![\w$.])fetch\s*\(/],
  ["crypto.", /\bcrypto\s*\./],
  ["console.", /(?<![\w$.])console\s*\./],
  ["globalThis", /\bglobalThis\b/],
  ["dynamic import", /(?<![\w$.])import\s*\(/],
];

/** Imports of host modules, matched in code with comments removed. */
const HOST_IMPORT = /\b(?:from|import)\s*["'](node:|npm:|jsr:|https?:)/;

/** Source text without comments; with `blankStrings`, string and template text emptied too
 * (template substitutions are kept: they are code). */
export function stripSource(src: string, blankStrings: boolean): string {
  let out = "";
  let i = 0;
  const braces: number[] = []; // for each open template substitution, its brace depth
  let depth = 0;
  const template = (): void => {
    // i is just past a backquote or a substitution's closing brace
    while (i < src.length) {
      const c = src[i];
      if (c === "\\") {
        if (!blankStrings) out += src.slice(i, i + 2);
        i += 2;
      } else if (c === "`") {
        out += "`";
        i++;
        return;
      } else if (c === "$" && src[i + 1] === "{") {
        out += "${";
        i += 2;
        braces.push(depth);
        depth++;
        return;
      } else {
        if (!blankStrings) out += c;
        i++;
      }
    }
  };
  while (i < src.length) {
    const c = src[i], d = src[i + 1];
    if (c === "/" && d === "/") {
      while (i < src.length && src[i] !== "\n") i++;
    } else if (c === "/" && d === "*") {
      const end = src.indexOf("*/", i + 2);
      i = end < 0 ? src.length : end + 2;
      out += " ";
    } else if (c === '"' || c === "'") {
      out += c;
      i++;
      while (i < src.length && src[i] !== c && src[i] !== "\n") {
        if (src[i] === "\\") {
          if (!blankStrings) out += src.slice(i, i + 2);
          i += 2;
        } else {
          if (!blankStrings) out += src[i];
          i++;
        }
      }
      out += c;
      i++;
    } else if (c === "`") {
      out += c;
      i++;
      template();
    } else if (c === "{") {
      depth++;
      out += c;
      i++;
    } else if (c === "}") {
      depth--;
      out += c;
      i++;
      if (braces.length > 0 && braces[braces.length - 1] === depth) {
        braces.pop();
        template();
      }
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** The host APIs a source file uses, as "file:line: name" lines. */
export function hostApis(file: string, src: string): string[] {
  const found: string[] = [];
  const code = stripSource(src, true).split("\n");
  const withStrings = stripSource(src, false).split("\n");
  code.forEach((line, n) => {
    for (const [name, re] of HOST_APIS) if (re.test(line)) found.push(`${file}:${n + 1}: ${name}`);
  });
  withStrings.forEach((line, n) => {
    const m = HOST_IMPORT.exec(line);
    if (m !== null) found.push(`${file}:${n + 1}: import of ${m[1]}`);
  });
  return found;
}

/** The .ts files under a folder of the repository, as repository paths. */
function sources(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of Deno.readDirSync(new URL(rel, ROOT))) {
      if (e.isDirectory) walk(`${rel}${e.name}/`);
      else if (e.isFile && e.name.endsWith(".ts")) out.push(`${rel}${e.name}`);
    }
  };
  walk(dir);
  return out.sort();
}

function scan(files: string[]): string[] {
  return files.flatMap((f) => hostApis(f, Deno.readTextFileSync(new URL(f, ROOT))));
}

Deno.test("the scanner finds host APIs in code, not in comments or strings", () => {
  const bad = [
    "const t = Date.now();",
    "const d = new Date();",
    "const r = Math.random();",
    "Deno.exit(1);",
    'const e = Deno["env"];',
    "const p = performance.now();",
    "setTimeout(f, 1);",
    "const i = setInterval(f, 1);",
    'await fetch("x");',
    "crypto.getRandomValues(b);",
    'console.log("hi");',
    "globalThis.x = 1;",
    'const m = await import("../x.ts");',
    'import { readFileSync } from "node:fs";',
    "const s = `${Date.now()}`;",
    "const s = `a ${`b ${Math.random()}`}`;",
  ];
  for (const line of bad) assert.equal(hostApis("x.ts", line).length, 1, line);
  const fine = [
    "// Date.now() in a comment",
    "/* Math.random() */ const x = 1;",
    'yield* printf(sys, 1, "Date: %d, Deno. crypto. fetch(\\n");',
    "const s = `Date.now() is not called here: ${x}`;",
    "const update = argfetch(a, 0); m.cons.write(b); fs.console;",
    'import { x } from "../../kernel/uapi/abi.ts";',
  ];
  for (const line of fine) assert.deepEqual(hostApis("x.ts", line), [], line);
});

Deno.test("programs (commands/: the shell, make and the libraries too) use no host API", () => {
  const files = sources("commands/");
  for (const f of ["commands/bin/echo.ts", "commands/sh/sh.ts", "commands/make/make.ts"]) {
    assert.ok(files.includes(f), f);
  }
  assert.deepEqual(scan(files), []);
});

Deno.test("the kernel (kernel/, except its deflate) uses no host API", () => {
  const files = sources("kernel/").filter((f) => f !== "kernel/deflate.ts");
  assert.ok(files.includes("kernel/proc.ts") && files.includes("kernel/machine.ts"));
  assert.deepEqual(scan(files), []);
});
