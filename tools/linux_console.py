"""Drives a guest's serial console through pipes, for tools/test-linux.py and tools/bench --boot.

    console = Console(["trapeze", "system", ...])   # or qemu-system-riscv64 ... -serial stdio
    console.expect("~ # ", timeout=300)             # waits for text, returns what came before it
    output, status = console.run("uname -a")        # one shell command, its output and exit status
    console.send("poweroff -f\\n"); console.wait(60)

The program's stdin and stdout are pipes (Trapeze then reads stdin as it is: no raw mode, no
Ctrl-A commands). Output is collected by a thread, so a guest that prints a lot never blocks.
`run` sends the command followed by an echo of a marker with the exit status, and returns what
came between the echoed command line and the marker; the marker is written so the echoed line
does not match it ("@@"'END' typed, @@END printed)."""
import re
import subprocess
import threading
import time


class ConsoleTimeout(Exception):
    pass


class Console:
    def __init__(self, argv, log=None):
        self.started = time.monotonic()
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.data = bytearray()
        self.seen = 0  # what expect() has consumed
        self.cond = threading.Condition()
        self.log = open(log, "wb") if log else None
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        while True:
            chunk = self.proc.stdout.read1(65536)
            with self.cond:
                if not chunk:
                    self.closed = True
                    self.cond.notify_all()
                    return
                self.data += chunk
                if self.log:
                    self.log.write(chunk)
                    self.log.flush()
                self.cond.notify_all()

    closed = False

    @property
    def text(self):
        """Everything the guest printed so far."""
        with self.cond:
            return self.data.decode("utf-8", "replace")

    def elapsed(self):
        return time.monotonic() - self.started

    def expect(self, pattern, timeout=300):
        """Waits until `pattern` (a string or a compiled regex) appears after what earlier calls
        consumed; returns (the text before it, the match). Raises ConsoleTimeout on timeout or
        when the program's output ends first."""
        rx = pattern if isinstance(pattern, re.Pattern) else re.compile(re.escape(pattern.encode()))
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                m = rx.search(self.data, self.seen)
                if m:
                    before = self.data[self.seen:m.start()].decode("utf-8", "replace")
                    self.seen = m.end()
                    return before, m
                left = deadline - time.monotonic()
                if left <= 0 or self.closed:
                    tail = self.data[self.seen:][-2000:].decode("utf-8", "replace")
                    why = "output ended" if self.closed else "timed out after %d s" % timeout
                    raise ConsoleTimeout("%s waiting for %r; last output:\n%s" % (why, pattern if isinstance(pattern, str) else pattern.pattern, tail))
                self.cond.wait(min(left, 1.0))

    def send(self, text):
        self.proc.stdin.write(text.encode())
        self.proc.stdin.flush()

    def run(self, command, prompt="~ # ", timeout=300):
        """Runs one shell command at the prompt; returns (its output, its exit status) and leaves
        the console at the next prompt."""
        self.send(command + "; echo \"@@\"'END'$?\n")
        before, m = self.expect(re.compile(rb"@@END(\d+)"), timeout)
        self.expect(prompt, timeout)
        text = before.replace("\r", "")
        # The command as echoed (a long one wrapped over several lines) ends with the marker's
        # echo as typed; the output follows the end of that line.
        typed = text.find("\"@@\"'END'$?")
        start = text.find("\n", typed) + 1 if typed >= 0 else text.find("\n") + 1
        return text[start:], int(m.group(1))

    def wait(self, timeout=60):
        """The program's exit status (killing it after `timeout` seconds)."""
        try:
            status = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise ConsoleTimeout("the program did not end within %d s" % timeout)
        self.reader.join(10)
        return status

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        if self.log:
            self.log.close()
