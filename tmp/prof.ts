import { JournalReader, JournalVerifier } from "../kernel/journal.ts";
import { machineFrom } from "../shell/host.ts";
const bytes = Deno.readFileSync(Deno.args[0]);
let t = performance.now();
let n = 0;
for (const r of new JournalReader(bytes).records()) n++;
console.log("decode records", n, (performance.now() - t).toFixed(0), "ms");
t = performance.now();
const reader = new JournalReader(bytes);
const v = new JournalVerifier(reader);
const m = machineFrom(reader.header, v, () => {});
while (m.end === null) {
  if (m.run() !== null) break;
  if (!v.stuck(m)) break;
}
console.log("verify", m.steps, (performance.now() - t).toFixed(0), "ms");
