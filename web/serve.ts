// deno task web [--port N] [--host ADDR] [--journal LOG]: builds the page (web/build.ts) into
// a temporary folder and serves it, static, on 127.0.0.1 (or ADDR, to expose it deliberately).
// The first line it prints is the page's address (with --journal, the address that opens LOG
// in the page's debugger: LOG is served beside the page). The server only hands out files:
// the machine runs in the browser.

import { parseArgs } from "node:util";
import { buildWeb } from "./build.ts";
import { hostErrorText } from "../shell/host.ts";

const USAGE =
  "usage: deno task web [--port N] [--host ADDR] [--journal LOG]  (port 0 or absent: a free one)";
/** The name a --journal LOG is served under. */
const JOURNAL_NAME = "journal.log";

const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  // A journal put beside the page opens with ?journal=NAME.log.
  log: "application/octet-stream",
};

/** Serves the files of `dir` (one level: the site has no folders). */
export function serveSite(dir: string, hostname: string, port: number): Deno.HttpServer {
  return Deno.serve({ hostname, port, onListen: () => {} }, async (req) => {
    const name = new URL(req.url).pathname.slice(1) || "index.html";
    const ext = name.slice(name.lastIndexOf(".") + 1);
    if (!/^[\w.-]+$/.test(name) || !(ext in TYPES)) {
      return new Response("not found", { status: 404 });
    }
    try {
      const body = await Deno.readFile(`${dir}/${name}`);
      return new Response(body, { headers: { "content-type": TYPES[ext] } });
    } catch {
      return new Response("not found", { status: 404 });
    }
  });
}

function fail(message: string): never {
  console.error(`dv6 web: ${message}`);
  console.error(USAGE);
  Deno.exit(2);
}

if (import.meta.main) {
  let values: { port?: string; host?: string; journal?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: Deno.args,
      options: {
        port: { type: "string" },
        host: { type: "string" },
        journal: { type: "string" },
        help: { type: "boolean" },
      },
    }));
  } catch (e) {
    fail(e instanceof Error ? e.message.split("\n")[0] : String(e));
  }
  if (values.help) {
    console.log(USAGE);
    Deno.exit(0);
  }
  const portText = values.port ?? "0";
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) {
    fail(`--port takes a whole number from 0 to 65535, not '${portText}'`);
  }
  const hostname = values.host ?? "127.0.0.1";
  let journal: Uint8Array | null = null;
  if (values.journal !== undefined) {
    try {
      journal = await Deno.readFile(values.journal);
    } catch (e) {
      console.error(`dv6 web: cannot read ${values.journal}: ${hostErrorText(e)}`);
      Deno.exit(2);
    }
  }
  const dir = await Deno.makeTempDir({ prefix: "dv6-web-" });
  try {
    await buildWeb(dir);
    if (journal !== null) await Deno.writeFile(`${dir}/${JOURNAL_NAME}`, journal);
  } catch (e) {
    console.error(`dv6 web: ${e instanceof Error ? e.message : String(e)}`);
    Deno.exit(1);
  }
  let server: Deno.HttpServer;
  try {
    server = serveSite(dir, hostname, port);
  } catch (e) {
    await Deno.remove(dir, { recursive: true });
    console.error(`dv6 web: cannot listen on ${hostname}:${port}: ${hostErrorText(e)}`);
    Deno.exit(1);
  }
  const addr = server.addr as Deno.NetAddr;
  const host = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
  const open = journal === null ? "" : `?journal=${JOURNAL_NAME}`;
  console.log(`dv6 web: http://${host}:${addr.port}/${open}`);
  const quit = () => {
    Deno.removeSync(dir, { recursive: true });
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", quit);
  Deno.addSignalListener("SIGTERM", quit);
}
