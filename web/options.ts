// The page's boot options, from its URL (?cpus=3&sched=random&seed=2&broken-sleep) or its form:
// the same names, ranges and messages as dv6's command line.

import type { BootOptions } from "../shell/boot.ts";

export interface WebOptions {
  boot: BootOptions;
  hz: number;
}

/** A whole number from min to max, or undefined when absent; a bad one throws its message. */
function intParam(q: URLSearchParams, name: string, min: number, max: number): number | undefined {
  const v = q.get(name);
  if (v === null || v === "") return undefined;
  const n = Number(v);
  if (!/^-?\d+$/.test(v) || n < min || n > max) {
    throw new RangeError(`${name} takes a whole number from ${min} to ${max}, not '${v}'`);
  }
  return n;
}

/** A flag: present (`broken-sleep`, `broken-sleep=1`, `=on`, `=true`) unless it says off. */
function flag(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  return v !== null && !["0", "false", "off", "no"].includes(v);
}

/** The boot options a query string asks for; a bad value throws a one-line RangeError. */
export function optionsFromQuery(search: string): WebOptions {
  const q = new URLSearchParams(search);
  const sched = q.get("sched") || "rr";
  if (sched !== "rr" && sched !== "random") {
    throw new RangeError(`sched is rr or random, not '${sched}'`);
  }
  const robustFast = q.get("robust-fast") || "pcrange";
  if (robustFast !== "none" && robustFast !== "pcrange") {
    throw new RangeError(`robust-fast is none or pcrange, not '${robustFast}'`);
  }
  const options: Record<string, string | boolean> = { robustFast, clock: "host" };
  if (flag(q, "broken-sleep")) options.brokenSleep = true;
  return {
    boot: {
      cpus: intParam(q, "cpus", 1, 64),
      nproc: intParam(q, "nproc", 2, 4096),
      sched,
      seed: intParam(q, "seed", 0, 0xffffffff),
      initArgv: ["init"],
      options,
    },
    hz: intParam(q, "hz", 1, 1_000_000) ?? 10,
  };
}
