// Bad input to the live system: an unknown command, a 10,000-character line and binary bytes
// typed at the console, a missing script file, `--fs` of a missing directory, a script read
// from stdin. Each gets a clear message, never a host stack trace, and the machine keeps
// running where that applies (the next line still runs).

import assert from "node:assert/strict";
import type { Machine } from "../../kernel/machine.ts";
import { headerFor, machineFrom } from "../../shell/host.ts";
import { typeScript } from "../../shell/session.ts";
import { Bytes, dv6, type Dv6Run } from "../helpers.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** What a user must never see: a host stack trace or an uncaught error. */
function assertClean(text: string): void {
  for (const bad of ["Uncaught", "    at ", "Stack backtrace"]) {
    assert.ok(!text.includes(bad), `'${bad}' in the output:\n${text}`);
  }
}

/** `dv6 ARGS` as a child process, with `stdin` as its input; its output is clean. */
async function dv6Clean(args: string[], stdin?: Uint8Array): Promise<Dv6Run> {
  const home = await Deno.makeTempDir({ prefix: "dv6-bad-input-" });
  try {
    const r = await dv6(args, { home, stdin });
    assertClean(r.out + r.err);
    return r;
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

/** A machine booted as the REPL boots it (init restarts sh whenever it exits). */
function replMachine(): { m: Machine; out: Bytes } {
  const out = new Bytes();
  const m = machineFrom(headerFor({ initArgv: ["init"] }, "test"), undefined, out.write);
  return { m, out };
}

/** Runs until the machine waits for console input (as the REPL does), then types `bytes`. */
function typeWhenAsked(m: Machine, bytes: Uint8Array): void {
  assert.equal(m.run(), null, "the machine runs on");
  assert.equal(m.stall, "input");
  assert.ok(m.consoleReaderWaits(), "someone reads the console");
  m.input(bytes);
}

const LONG = "echo " + "x".repeat(10_000 - 5);

Deno.test("an unknown command: exec NAME failed, and the later lines still run", () => {
  const out = new Bytes();
  const m = machineFrom(headerFor({ initArgv: ["init", "sh"] }, "test"), undefined, out.write);
  const end = typeScript(m, ["nosuch arg", "echo $?", "/no/such/path", "echo after"]);
  assert.deepEqual(end, { kind: "halt", status: 0 });
  assert.equal(
    out.text,
    "$ nosuch arg\nexec nosuch failed\n$ echo $?\n127\n$ /no/such/path\n" +
      "exec /no/such/path failed\n$ echo after\nafter\n$ \x04",
  );
});

Deno.test("a 10,000-character line: the console keeps what fits, sh refuses the line, goes on", () => {
  const out = new Bytes();
  const m = machineFrom(headerFor({ initArgv: ["init", "sh"] }, "test"), undefined, out.write);
  const end = typeScript(m, [LONG, "echo after"]);
  assert.deepEqual(end, { kind: "halt", status: 0 });
  const text = out.text;
  // dv6 run types a long line a piece at a time, as the console's 128-byte buffer takes it:
  // all of it arrives (and is echoed); the shell reads more than its 1024-byte line can hold,
  // says so, and reads the next line.
  assert.match(
    text,
    /^\$ echo x+\nsh: line too long \(at most 1024 bytes\)\n\$ echo after\nafter\n/,
  );
  const echoed = text.split("\n")[0].length - 2;
  assert.equal(echoed, LONG.length, `echoed ${echoed} bytes`);
});

Deno.test("binary bytes typed at the console: no crash, and the next line runs", async (t) => {
  await t.step("every control byte and every byte 0x80-0xff in one line", () => {
    const { m, out } = replMachine();
    const bytes: number[] = [...encoder.encode("echo ")];
    for (let b = 0x00; b < 0x20; b++) if (b !== 0x0a && b !== 0x0d) bytes.push(b);
    for (let b = 0x80; b <= 0xff; b++) bytes.push(b);
    bytes.push(0x0a);
    typeWhenAsked(m, Uint8Array.from(bytes));
    // ^C dropped the line, ^P listed the processes, ^D ended a read (sh took it as the end
    // of its input: init started another), ^U erased; the 128-byte buffer filled up, so the
    // newline was dropped and the line goes on: a newline ends it (it names no program).
    typeWhenAsked(m, encoder.encode("\n"));
    typeWhenAsked(m, encoder.encode("echo still here\n"));
    assert.equal(m.run(), null);
    assert.equal(m.end, null, "the machine is still running");
    const text = decoder.decode(out.bytes);
    assert.match(text, /\^C\n/);
    assert.match(text, /\n1 sleep {2}init\n2 \S+ +sh\n/, "^P's process list");
    assert.match(text, /\$ init: starting sh\n/);
    assert.match(text, /\nexec [^\n]* failed\n/);
    assert.match(text, /\$ echo still here\nstill here\n\$ $/);
    assert.doesNotMatch(text, /panic|usertrap/);
  });

  await t.step("bytes with no meaning to the console make a command name", () => {
    const { m, out } = replMachine();
    const name = [0x01, 0x02, 0x1b, ...Array.from({ length: 64 }, (_, i) => 0x80 + i)];
    typeWhenAsked(m, Uint8Array.from([...name, 0x0a]));
    typeWhenAsked(m, encoder.encode("echo still here\n"));
    assert.equal(m.run(), null);
    const lines = out.text.split("\n");
    // The echo of the bytes as typed, then sh's message for the name (invalid UTF-8 shows as
    // U+FFFD, as the shell reads the line as text).
    const start = encoder.encode("init: starting sh\n$ ").length;
    assert.deepEqual(out.bytes.subarray(start, start + name.length), Uint8Array.from(name));
    assert.equal(lines[2], `exec \x01\x02\x1b${"\ufffd".repeat(64)} failed`);
    assert.equal(lines.slice(3).join("\n"), "$ echo still here\nstill here\n$ ");
  });

  await t.step("a line of NULs is nothing (the console drops NUL)", () => {
    const { m, out } = replMachine();
    typeWhenAsked(m, Uint8Array.from([0, 0, 0, 0x0a]));
    typeWhenAsked(m, encoder.encode("echo ok\n"));
    assert.equal(m.run(), null);
    assert.equal(out.text, "init: starting sh\n$ \n$ echo ok\nok\n$ ");
  });
});

Deno.test("dv6 run of a missing script file: exit 2 and a message", async () => {
  const r = await dv6Clean(["run", "/nonexistent/script.sh"]);
  assert.equal(r.code, 2);
  assert.equal(r.out, "");
  assert.match(r.err, /^dv6: cannot read \/nonexistent\/script\.sh: .*\n/);
});

Deno.test("--fs of a missing directory: exit 2 and a message", async (t) => {
  for (const args of [["-c", "echo hi"], ["exec", "echo", "hi"], ["run", "-"]]) {
    await t.step(args[0], async () => {
      const r = await dv6Clean([...args, "--fs", "/nonexistent/dir"], encoder.encode("echo hi\n"));
      assert.equal(r.code, 2);
      assert.equal(r.out, "");
      assert.match(r.err, /^dv6: --fs: cannot read \/nonexistent\/dir\/?: .*\n/);
    });
  }
});

Deno.test("dv6 run - reads the script from stdin", async () => {
  const r = await dv6Clean(["run", "-"], encoder.encode("echo from stdin | wc\nnosuch\necho $?\n"));
  assert.equal(r.err, "");
  assert.equal(
    r.out,
    "$ echo from stdin | wc\n1 2 11 \n$ nosuch\nexec nosuch failed\n$ echo $?\n127\n$ \x04\n",
  );
  assert.equal(r.code, 0);
});

Deno.test("dv6 run - with bad input on stdin: messages, the last line runs, exit 0", async () => {
  const script = [
    ...encoder.encode("nosuch\n" + LONG + "\n"),
    ...[0x01, 0x02, 0x1b, 0x80, 0x81, 0xfe, 0xff, 0x0a], // no ^C, ^D, ^U: bytes with no meaning
    ...encoder.encode("echo still running\n"),
  ];
  const r = await dv6Clean(["run", "-"], Uint8Array.from(script));
  assert.equal(r.err, "");
  assert.match(r.out, /^\$ nosuch\nexec nosuch failed\n\$ echo x+\n/);
  assert.match(r.out, /\nsh: line too long \(at most 1024 bytes\)\n/);
  assert.ok(r.out.includes("\nexec \x01\x02\x1b\ufffd\ufffd\ufffd\ufffd failed\n"), r.out);
  assert.ok(r.out.endsWith("\n$ echo still running\nstill running\n$ \x04\n"), r.out);
  assert.equal(r.code, 0);
});
