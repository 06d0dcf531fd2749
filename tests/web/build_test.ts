// The browser build without a browser: the zlib shim against node:zlib, the bundles free of
// host APIs, the page's options read from its URL as the command line reads them.

import assert from "node:assert/strict";
import * as zlib from "node:zlib";
import * as shim from "../../web/zlib.ts";
import { buildWeb, hostApis } from "../../web/build.ts";
import { optionsFromQuery } from "../../web/options.ts";
import { buildId } from "../../shell/host.ts";
import { frame } from "../../kernel/journal.ts";

/** Deterministic bytes: runs of repeats (as journal records have) and noise. */
function sample(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  let x = seed || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13, x ^= x >>> 17, x ^= x << 5;
    b[i] = (x & 3) === 0 ? x >>> 8 : i % 7;
  }
  return b;
}

Deno.test("the zlib shim: node:zlib's CRC-32, and raw deflate both ways", () => {
  for (const n of [0, 1, 7, 1000, 70_000]) {
    const b = sample(n, n + 1);
    assert.equal(shim.crc32(b), zlib.crc32(b), `crc32 of ${n} bytes`);
    assert.deepEqual(new Uint8Array(zlib.inflateRawSync(shim.deflateRawSync(b, { level: 1 }))), b);
    assert.deepEqual(shim.inflateRawSync(zlib.deflateRawSync(b, { level: 6 })), b);
  }
  assert.equal(shim.crc32(new TextEncoder().encode("123456789")), 0xcbf43926); // the check value
  // A journal frame the CLI writes is read by the shim: its CRC and its payload.
  const payload = sample(5000, 3);
  const f = frame(payload);
  const dv = new DataView(f.buffer);
  assert.equal(dv.getUint32(4, true), shim.crc32(f.subarray(8)));
  assert.deepEqual(shim.inflateRawSync(f.subarray(8)), payload);
});

Deno.test("hostApis finds Deno's namespace and node: imports, and passes plain code", () => {
  assert.deepEqual(hostApis(`const a=1;export{a};`), []);
  assert.deepEqual(hostApis(`Deno.readFileSync("x")`), ["Deno."]);
  assert.deepEqual(hostApis(`import{crc32 as c}from"node:zlib";`), ["node:zlib"]);
  assert.deepEqual(hostApis(`await import("node:fs")`), ["node:fs"]);
  assert.deepEqual(hostApis(`require("node:process")`), ["node:process"]);
});

Deno.test("build:web: index.html with the build id, and bundles that use no host API", async () => {
  const dir = await Deno.makeTempDir({ prefix: "dv6-web-build-" });
  try {
    await buildWeb(dir);
    const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assert.deepEqual(names, ["index.html", "page.css", "page.js", "style.css", "worker.js"]);
    for (const js of ["page.js", "worker.js"]) {
      assert.deepEqual(hostApis(Deno.readTextFileSync(`${dir}/${js}`)), [], js);
    }
    const html = Deno.readTextFileSync(`${dir}/index.html`);
    assert.ok(html.includes(`<meta name="dv6-build" content="${await buildId()}">`));
    // The kernel's node:zlib went to the shim: fflate's inflate is in the worker.
    assert.ok(Deno.readTextFileSync(`${dir}/worker.js`).includes("invalid distance"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the page's options come from its URL, with the command line's names and ranges", () => {
  const o = optionsFromQuery("?cpus=3&sched=random&seed=2&broken-sleep");
  assert.deepEqual(o.boot, {
    cpus: 3,
    nproc: undefined,
    sched: "random",
    seed: 2,
    initArgv: ["init"],
    options: { robustFast: "pcrange", clock: "host", brokenSleep: true },
  });
  assert.equal(o.hz, 10);
  const plain = optionsFromQuery("");
  assert.deepEqual(plain.boot.options, { robustFast: "pcrange", clock: "host" });
  assert.equal(plain.boot.sched, "rr");
  // A form's unchecked box and empty fields are the defaults.
  assert.equal(optionsFromQuery("?cpus=&seed=&broken-sleep=0").boot.cpus, undefined);
  assert.equal(optionsFromQuery("?hz=100&robust-fast=none").boot.options?.robustFast, "none");
  for (
    const [q, message] of [
      ["?cpus=0", "cpus takes a whole number from 1 to 64, not '0'"],
      ["?seed=x", "seed takes a whole number from 0 to 4294967295, not 'x'"],
      ["?sched=fifo", "sched is rr or random, not 'fifo'"],
      ["?robust-fast=all", "robust-fast is none or pcrange, not 'all'"],
      ["?hz=1.5", "hz takes a whole number from 1 to 1000000, not '1.5'"],
    ]
  ) assert.throws(() => optionsFromQuery(q), { message }, q);
});

const SERVE = new URL("../../web/serve.ts", import.meta.url).pathname;

/** `deno task web ARGS` started: the process, what it printed up to its first line, and the
 * rest of its output to read. */
async function startWeb(args: string[]) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", SERVE, ...args],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  while (!out.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    out += value;
  }
  return { child, out, reader };
}

Deno.test("deno task web: its first line is the page's address, and it serves the site", async () => {
  const { child, out, reader } = await startWeb(["--port", "0"]);
  try {
    const url = out.match(/^dv6 web: (http:\/\/127\.0\.0\.1:\d+\/)\n/)?.[1];
    assert.ok(url, `first line: ${out}`);
    const index = await fetch(url);
    assert.equal(index.headers.get("content-type"), "text/html; charset=utf-8");
    assert.match(await index.text(), /<script type="module" src="page.js">/);
    const worker = await fetch(`${url}worker.js`);
    assert.equal(worker.headers.get("content-type"), "text/javascript; charset=utf-8");
    await worker.body?.cancel();
    const missing = await fetch(`${url}..%2fdeno.json`);
    assert.equal(missing.status, 404);
    await missing.body?.cancel();
    reader.releaseLock();
  } finally {
    child.kill("SIGTERM");
    await child.output().catch(() => {});
  }
});

Deno.test("deno task web with a bad option: one line and the usage, status 2", async () => {
  for (const args of [["--port", "http"], ["--bogus"]]) {
    const r = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", SERVE, ...args],
    }).output();
    const err = new TextDecoder().decode(r.stderr);
    assert.equal(r.code, 2, err);
    assert.match(err, /^dv6 web: .*\nusage: deno task web \[--port N\] \[--host ADDR\]/);
    assert.ok(!err.includes("    at "), err);
  }
});

Deno.test("deno task web --journal LOG: the address opens LOG, served beside the page", async () => {
  const log = await Deno.makeTempFile({ suffix: ".log" });
  const bytes = new Uint8Array([0x44, 0x56, 0x36, 1, 2, 3]); // served as it is, unread
  await Deno.writeFile(log, bytes);
  const { child, out, reader } = await startWeb(["--port", "0", "--journal", log]);
  try {
    const url = out.match(/^dv6 web: (http:\/\/127\.0\.0\.1:\d+\/)\?journal=journal\.log\n/)?.[1];
    assert.ok(url, `first line: ${out}`);
    const served = await fetch(`${url}journal.log`);
    assert.deepEqual(new Uint8Array(await served.arrayBuffer()), bytes);
    reader.releaseLock();
  } finally {
    child.kill("SIGTERM");
    await child.output().catch(() => {});
    await Deno.remove(log);
  }
  // A journal that cannot be read: one line, status 2.
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", SERVE, "--journal", "/nonexistent/x.log"],
  }).output();
  const err = new TextDecoder().decode(r.stderr);
  assert.equal(r.code, 2, err);
  assert.match(err, /^dv6 web: cannot read \/nonexistent\/x\.log: .*\n$/);
});
