// The layers, as docs/ARCHITECTURE.md draws them, checked on the sources:
//
//   kernel/         imports nothing outside kernel/ (kernel/uapi/ nothing outside itself);
//   commands/       imports only commands/ and the kernel's user-visible interface, kernel/uapi/;
//   shell/, web/,   reach into the kernel only through what it exports for the host:
//   main.ts         kernel/machine.ts, kernel/journal.ts, kernel/param.ts and kernel/uapi/.
//
// and every module of kernel/, commands/ and shell/ loads on its own, in a fresh module graph
// (an ES module, unlike a C file, runs code when it loads: an import cycle can break there).

import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);
const LAYERS = ["kernel/", "commands/", "shell/"];
/** The kernel's interface for the host side. */
const HOST_INTERFACE = ["kernel/machine.ts", "kernel/journal.ts", "kernel/param.ts"];

/** The .ts files under a folder of the repository, as repository paths. */
function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync(new URL(dir, ROOT))) {
    if (e.isDirectory) out.push(...sources(`${dir}${e.name}/`));
    else if (e.isFile && e.name.endsWith(".ts")) out.push(dir + e.name);
  }
  return out.sort();
}

/** The repository paths a file imports (relative specifiers only; npm: and node: are not
 * files of ours). */
function imports(file: string): string[] {
  const text = Deno.readTextFileSync(new URL(file, ROOT));
  const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)].map((m) => m[1]);
  return specs.map((s) => new URL(s, new URL(file, ROOT)).href.slice(ROOT.href.length));
}

/** The imports of files under `dir` that `allowed` refuses, as "file -> import". */
function wrongArrows(dir: string, allowed: (target: string, file: string) => boolean): string[] {
  return sources(dir).flatMap((f) =>
    imports(f).filter((t) => !allowed(t, f)).map((t) => `${f} -> ${t}`)
  );
}

Deno.test("the kernel imports nothing outside kernel/, and its uapi nothing outside itself", () => {
  assert.deepEqual(wrongArrows("kernel/", (t) => t.startsWith("kernel/")), []);
  assert.deepEqual(wrongArrows("kernel/uapi/", (t) => t.startsWith("kernel/uapi/")), []);
});

Deno.test("programs import only commands/ and the kernel's uapi", () => {
  const ok = (t: string) => t.startsWith("commands/") || t.startsWith("kernel/uapi/");
  assert.deepEqual(wrongArrows("commands/", ok), []);
});

Deno.test("the host side reaches the kernel only through its host interface", () => {
  const ok = (t: string) =>
    !t.startsWith("kernel/") || t.startsWith("kernel/uapi/") || HOST_INTERFACE.includes(t);
  assert.deepEqual(wrongArrows("shell/", ok), []);
  assert.deepEqual(wrongArrows("web/", ok), []);
  assert.deepEqual(imports("main.ts").filter((t) => !ok(t)), []);
});

Deno.test("the checks see arrows: a wrong one is found", () => {
  // The checker itself: shell/ does import the kernel, so a rule that forbids it must fail.
  assert.ok(wrongArrows("shell/", (t) => !t.startsWith("kernel/")).length > 0);
});

// A worker imports one module in a fresh module graph and says whether it loaded.
const IMPORT_ONE = "data:text/javascript," + encodeURIComponent(
  `self.onmessage = async (e) => {
     try { await import(e.data); self.postMessage(""); }
     catch (err) { self.postMessage(String(err)); }
   };`,
);

Deno.test("every module of kernel/, commands/ and shell/ can be imported on its own", async () => {
  const files = LAYERS.flatMap(sources);
  assert.ok(files.length > 80, `${files.length} modules`);
  const failed: string[] = [];
  for (const f of files) {
    const w = new Worker(IMPORT_ONE, { type: "module" });
    const error = await new Promise<string>((ok) => {
      w.onmessage = (e: MessageEvent<string>) => ok(e.data);
      w.postMessage(new URL(f, ROOT).href);
    });
    w.terminate();
    if (error !== "") failed.push(`${f}: ${error}`);
  }
  assert.deepEqual(failed, []);
});
