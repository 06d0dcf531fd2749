// Smoke-runs the IPC benchmark (`bench/ipc.ts --quick`) as a child process: it must exit 0 and
// print every figure's label. No timing is checked.

const LABELS = [
  "semop P/V pairs with SEM_UNDO, one process",
  "dv6 semop calls/s",
  "for reference: dv6 semop calls/s, no journal",
  "Linux semop calls/s",
  "contention: 8 processes, 50 P/V pairs each, semaphore of value 4",
  "total host time, s",
  "semop calls/s",
  "virtual time, ticks",
  "semops that slept",
  "completion tick: first / median / last",
  "ticks from start to end: min / median / max",
  "ratio last / median completion",
];

Deno.test("bench/ipc.ts --quick runs and prints every figure", async () => {
  const main = new URL("../bench/ipc.ts", import.meta.url);
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", main.pathname, "--quick"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const out = new TextDecoder().decode(stdout);
  const err = new TextDecoder().decode(stderr);
  if (code !== 0) throw new Error(`bench exited ${code}\n${out}\n${err}`);
  const missing = LABELS.filter((l) => !out.includes(l));
  // With cc the ratio to Linux is printed; without it, a skip note.
  if (!out.includes("ratio dv6-rate / Linux-rate") && !/Linux semop calls\/s\s+skipped/.test(out)) {
    missing.push("ratio dv6-rate / Linux-rate (or the skip note)");
  }
  if (missing.length > 0) {
    throw new Error(`bench output lacks ${JSON.stringify(missing)}\n${out}`);
  }
});
