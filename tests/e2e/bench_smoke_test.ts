// Smoke-runs the benchmark (`bench/main.ts --quick`) as a child process: it must exit 0 and
// print every figure's label. No timing is checked.

const LABELS = [
  "step throughput",
  "getpid calls/s",
  "machine steps/s",
  "bare generator resumes/s",
  "ratio getpid-rate / bare-rate",
  "target >= 0.1",
  "replay with verification",
  "replay steps/s",
  "ratio replay-rate / record-rate",
  "journal bytes per step",
  "bytes per step",
  "fork+exit+wait round trips/s, 10 calls of history",
  "fork+exit+wait round trips/s, 1,000 calls of history",
  "ratio fork rate",
  "spawn+wait round trips/s",
  "ratio spawn rate / fork rate",
  "pipe throughput",
  "cat FILE | wc: simulated bytes per host second",
  "cat FILE to the console (UART): bytes per host second",
  "ratio UART rate / pipe rate",
  "script session",
  "host seconds per 1,000 commands, first block",
  "host seconds per 1,000 commands, last block",
  "ratio last block / first block",
  "cold start",
  "whole-process wall time, ms",
  "6b. peak host memory (RSS) of `dv6 run`",
  "ratio 1,000 / 100 lines",
  "10. make -jN on N CPUs, 12 jobs each `spin -w 10,000`",
  "--cpus 3: makespan -j3 / (-j1 / 3)",
  "--cpus 8: makespan -j8 / (-j1 / 8)",
  "11a. make -j8, independent jobs, each `echo $@`",
  "11b. make -j8, independent jobs, each `echo $@; sleep 1`",
  "40 jobs, -j1: makespan, ticks",
  "80 jobs, pipe: host ms per job",
  "80 jobs, sysvsem: makespan / ideal",
  "80 jobs, psem: makespan / ideal",
  "psem: ratio host ms per job, 80 / 40 jobs",
  "12. make -j8 -k, 80 jobs, a sub-make killed halfway",
  "pipe: makespan, ticks",
  "sysvsem: makespan, ticks",
  "ratio makespan pipe / sysvsem",
  // bench/ipc.ts's figures, which bench/main.ts prints too
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
  // bench/repl.ts's
  "13. REPL round trip through a pseudo-terminal",
  "host ms, median",
  "forktest at the REPL: host ms, median",
  "ratio REPL / exec",
  // bench/web.ts's (a skip note without Chromium)
  "the page in headless Chromium",
  "page load to prompt, ms",
];

Deno.test("bench --quick runs and prints every figure", async () => {
  const main = new URL("../../bench/main.ts", import.meta.url);
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
