// A process's history (kernel/history.ts) gives back every call it recorded, from the raw
// chunk or from packed ones, and a fork's prefix shares the packed chunks without either side
// seeing the other's later calls.

import assert from "node:assert/strict";
import fc from "fast-check";
import { History } from "../../kernel/history.ts";
import type { Val } from "../../kernel/uapi/abi.ts";

const val: fc.Arbitrary<Val> = fc.letrec<{ v: Val }>((tie) => ({
  v: fc.oneof(
    { depthSize: "small" },
    fc.constant(undefined),
    fc.integer(),
    // (-0 is recorded as 0, as the journal records it: no system call returns -0)
    fc.double({ noNaN: true }).map((x) => x === 0 ? 0 : x),
    fc.string(),
    fc.uint8Array({ maxLength: 8 }),
    fc.array(tie("v"), { maxLength: 3 }),
  ),
})).v;

const call = fc.tuple(fc.integer({ min: -5, max: 64 }), val);

function fill(h: History, calls: [number, Val][]): void {
  for (const [n, r] of calls) h.push(n, r);
}

function holds(h: History, calls: [number, Val][]): void {
  assert.equal(h.length, calls.length);
  for (let i = 0; i < calls.length; i++) {
    assert.equal(h.num(i), calls[i][0], `call ${i}`);
    assert.deepEqual(h.ret(i), calls[i][1], `result ${i}`);
  }
}

Deno.test("history: every call comes back, across packed chunks; a prefix is independent", () => {
  fc.assert(
    fc.property(
      fc.array(call, { maxLength: 3000, size: "max" }),
      fc.nat(),
      fc.array(call, { maxLength: 1100 }),
      fc.array(call, { maxLength: 1100 }),
      (calls, cut, parentMore, childMore) => {
        const h = new History();
        fill(h, calls);
        holds(h, calls);
        const k = calls.length === 0 ? 0 : cut % (calls.length + 1);
        const child = h.prefix(k);
        fill(h, parentMore);
        fill(child, childMore);
        holds(h, [...calls, ...parentMore]);
        holds(child, [...calls.slice(0, k), ...childMore]);
      },
    ),
    { numRuns: 30, endOnFailure: true },
  );
});

Deno.test("history: a byte string read back is a plain Uint8Array of its own", () => {
  const h = new History();
  for (let i = 0; i < 2048; i++) h.push(5, Uint8Array.of(i & 0xff));
  const r = h.ret(3) as Uint8Array;
  assert.equal(Object.getPrototypeOf(r), Uint8Array.prototype);
  assert.equal(r.buffer.byteLength, 1); // not a view into the chunk's bytes
  assert.throws(() => h.ret(2048), RangeError);
});
