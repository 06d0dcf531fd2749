#!/usr/bin/env python3
"""A person at a terminal, for the end-to-end tests and the REPL benchmark (Deno has no pty API).

Runs a command in a pseudo-terminal and plays a script read as JSON from stdin: a list of
actions, each one of
  {"send": TEXT}                         type TEXT (control keys as their bytes: "\\u0003" is ^C)
  {"expect": REGEX, "timeout": SECONDS}  wait until the screen text since the last mark matches
  {"mark": true}                         later expects look only at what comes after this point
  {"quiet": SECONDS}                     wait SECONDS; the result counts the bytes that came
  {"exit": SECONDS}                      wait for the command to end
and prints one JSON object: {"results": [...], "output": TEXT, "status": N or null}. Each result
is {"ok": bool, "ms": host milliseconds the action took, "bytes": bytes received meanwhile}. The
screen text is what a terminal shows: the output played on a screen of unlimited height that
knows the cursor moves and erasures line editors use. The first action that fails ends the
script; the command is killed at the end if it still runs.
"""
import json, os, pty, re, select, signal, sys, time

CSI = re.compile(r"\x1b\[([0-9;?]*)([ -/]*[@-~])|\x1b[=>]")


class Screen:
    """Rows of text and a cursor, driven by what a line editor writes."""

    def __init__(self):
        self.rows = [""]
        self.row = 0
        self.col = 0

    def put(self, ch):
        line = self.rows[self.row].ljust(self.col)
        self.rows[self.row] = line[: self.col] + ch + line[self.col + 1 :]
        self.col += 1

    def move_to_row(self, row):
        self.row = max(0, row)
        while len(self.rows) <= self.row:
            self.rows.append("")

    def play(self, text):
        i = 0
        while i < len(text):
            m = CSI.match(text, i)
            if m:
                self.csi(m.group(1) or "", m.group(2) or "")
                i = m.end()
                continue
            ch = text[i]
            i += 1
            if ch == "\r":
                self.col = 0
            elif ch == "\n":
                self.move_to_row(self.row + 1)
                self.col = 0  # as the terminal's output processing (ONLCR) does
            elif ch == "\b":
                self.col = max(0, self.col - 1)
            elif ch == "\x07" or ch < " ":
                pass
            else:
                self.put(ch)

    def csi(self, args, op):
        n = int(args) if args.isdigit() else None
        if op == "G":
            self.col = (n or 1) - 1
        elif op == "A":
            self.move_to_row(self.row - (n or 1))
        elif op == "B":
            self.move_to_row(self.row + (n or 1))
        elif op == "C":
            self.col += n or 1
        elif op == "D":
            self.col = max(0, self.col - (n or 1))
        elif op == "K":
            line = self.rows[self.row]
            self.rows[self.row] = "" if args == "2" else line[: self.col]
        elif op == "J":
            self.rows[self.row] = self.rows[self.row][: self.col]
            del self.rows[self.row + 1 :]

    def text(self, from_row=0):
        return "\n".join(self.rows[from_row:])


def main():
    cmd = sys.argv[1:]
    script = json.load(sys.stdin)
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(cmd[0], cmd)
    raw = b""
    term = Screen()
    played = 0  # bytes of raw played on the screen
    mark = 0  # a row of the screen
    status = None

    def screen(from_row=0):
        nonlocal played
        term.play(raw[played:].decode("utf-8", "ignore"))
        played = len(raw)
        return term.text(from_row)

    def pump(until, done=lambda: False):
        """Reads what comes until the deadline, until done() or until the command ends."""
        nonlocal raw
        while not done():
            left = until - time.monotonic()
            if left <= 0:
                return
            r, _, _ = select.select([fd], [], [], min(left, 0.05))
            if r:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:
                    return
                if not chunk:
                    return
                raw += chunk

    results = []
    try:
        for action in script:
            t0 = time.monotonic()
            before = len(raw)
            ok = True
            if "send" in action:
                os.write(fd, action["send"].encode())
            elif "mark" in action:
                screen()
                mark = term.row
            elif "expect" in action:
                rx = re.compile(action["expect"])
                matched = lambda: rx.search(screen(mark)) is not None
                pump(t0 + action.get("timeout", 10), matched)
                ok = matched()
            elif "quiet" in action:
                pump(t0 + action["quiet"])
            elif "exit" in action:
                deadline = t0 + action["exit"]
                while time.monotonic() < deadline:
                    pump(min(deadline, time.monotonic() + 0.1))
                    done, st = os.waitpid(pid, os.WNOHANG)
                    if done:
                        status = os.waitstatus_to_exitcode(st)
                        break
                ok = status is not None
            results.append({"ok": ok, "ms": (time.monotonic() - t0) * 1000, "bytes": len(raw) - before})
            if not ok:
                break
    finally:
        if status is None:
            try:
                os.killpg(os.getpgid(pid), signal.SIGKILL)
            except OSError:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            try:
                os.waitpid(pid, 0)
            except OSError:
                pass
    json.dump({"results": results, "output": screen(), "status": status}, sys.stdout)


main()
