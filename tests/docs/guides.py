"""Run the code blocks of the guides (docs/guides/*.md), cog-like.

Every fenced block of a guide is one of two kinds:

- a file: a block with ``title="PATH"`` (```` ```yaml title="journeys/fault.yaml" ````), written
  to PATH before the commands after it run;
- a session: a ``console`` block of ``$ COMMAND`` lines, each followed by the output it prints
  (stdout and stderr together).

Each guide runs in a fresh folder holding a copy of journeys/, its blocks in order, each command
through ``bash -o pipefail -c`` with the project's ``journeymap`` first on PATH, and must exit 0 (a guide
that shows a failing command writes ``COMMAND || echo "exit $?"``). Outputs are compared after
normalising only the run's folder (written ``$PWD``) and the port a server picked (``journeymap
serve`` runs with ``--port 0``, is stopped once it has printed as many lines as the guide shows,
and its port is written as the guide's).

    python tests/docs/guides.py            # check every guide, print the differences
    python tests/docs/guides.py --update   # rewrite the outputs in the guides (review the diff)
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUIDES = ROOT / "docs" / "guides"
JOURNEYS = ROOT / "journeys"
BIN = Path(sys.executable).parent

_FENCE = re.compile(r"^```(?P<info>[^\n]*)\n(?P<body>.*?)^```[ \t]*$", re.S | re.M)
_TITLE = re.compile(r'title="(?P<title>[^"]+)"')
_PORT = re.compile(r"(http://127\.0\.0\.1:)\d+")


@dataclass
class Command:
    line: str  # without the "$ "
    expected: list[str] = field(default_factory=list)


@dataclass
class Block:
    start: int  # offset of the block's body in the guide
    end: int
    info: str
    body: str
    path: str | None = None  # a file block: where it goes
    commands: list[Command] = field(default_factory=list)


class GuideError(Exception):
    pass


def parse(text: str, name: str = "guide") -> list[Block]:
    """The blocks of a guide, in order; a block that is neither kind is an error."""
    blocks = []
    for m in _FENCE.finditer(text):
        info, body = m.group("info").strip(), m.group("body")
        block = Block(m.start("body"), m.end("body"), info, body)
        title = _TITLE.search(info)
        lineno = text.count("\n", 0, m.start()) + 1
        if title:
            block.path = title.group("title")
        elif info.split()[:1] == ["console"]:
            for line in body.splitlines():
                if line.startswith("$ "):
                    block.commands.append(Command(line[2:]))
                elif block.commands:
                    block.commands[-1].expected.append(line)
                else:
                    raise GuideError(f"{name}:{lineno}: output before the first $ command")
            if not block.commands:
                raise GuideError(f"{name}:{lineno}: a console block without a $ command")
        else:
            raise GuideError(
                f'{name}:{lineno}: a ```{info} block is neither a file (title="PATH") nor a '
                "console session, so the tests cannot run it"
            )
        blocks.append(block)
    return blocks


def normalise(text: str, folder: Path, port: str | None = None) -> list[str]:
    text = text.replace(str(folder.resolve()), "$PWD").replace(str(folder), "$PWD")
    if port is not None:
        text = _PORT.sub(lambda m: m.group(1) + port, text)
    return [line.rstrip() for line in text.rstrip("\n").splitlines()] if text.strip() else []


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JOURNEYMAP_", "FORCE_COLOR"))}
    env.update(PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}", NO_COLOR="1", COLUMNS="80")
    env.pop("CLICOLOR_FORCE", None)
    return env


def run_command(command: Command, folder: Path) -> tuple[int, list[str]]:
    """Run one command in ``folder``: its exit code and normalised output."""
    if command.line.startswith("journeymap serve"):
        return _run_server(command, folder)
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command.line],
        cwd=folder,
        env=environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=600,
        stdin=subprocess.DEVNULL,
    )
    return done.returncode, normalise(done.stdout, folder)


def _run_server(command: Command, folder: Path) -> tuple[int, list[str]]:
    want = max(1, len(command.expected))
    guide_port = None
    for line in command.expected:
        m = _PORT.search(line)
        if m:
            guide_port = re.search(r":(\d+)", m.group(0)[len("http://") :]).group(1)  # type: ignore[union-attr]
    proc = subprocess.Popen(
        ["bash", "-c", f"exec {command.line} --port 0"],
        cwd=folder,
        env=environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    lines: list[str] = []
    try:
        assert proc.stdout is not None
        while len(lines) < want:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return 0, normalise("".join(lines), folder, guide_port or "8000")


def run_guide(path: Path, update: bool = False) -> list[str]:
    """Run a guide; the differences found (empty when it is true). With ``update``, rewrite the
    outputs in the guide instead."""
    text = path.read_text(encoding="utf-8")
    blocks = parse(text, path.name)
    problems: list[str] = []
    replacements: list[tuple[int, int, str]] = []
    with tempfile.TemporaryDirectory(prefix="jm-guide-") as tmp:
        folder = Path(tmp)
        shutil.copytree(JOURNEYS, folder / "journeys")
        for block in blocks:
            if block.path is not None:
                target = folder / block.path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(block.body, encoding="utf-8")
                continue
            new_body = []
            for command in block.commands:
                code, output = run_command(command, folder)
                new_body.append(f"$ {command.line}")
                new_body += output
                if code != 0:
                    problems.append(
                        f"{path.name}: `{command.line}` exited {code}:\n" + "\n".join(output)
                    )
                elif output != command.expected:
                    problems.append(
                        f"{path.name}: `{command.line}` printed\n"
                        + "\n".join(output)
                        + "\ninstead of\n"
                        + "\n".join(command.expected)
                    )
            replacements.append((block.start, block.end, "\n".join(new_body) + "\n"))
    if update:
        for start, end, body in reversed(replacements):
            text = text[:start] + body + text[end:]
        path.write_text(text, encoding="utf-8")
    return problems


def guides() -> list[Path]:
    return sorted(GUIDES.glob("*.md"))


def main(argv: list[str]) -> int:
    update = "--update" in argv
    names = [a for a in argv if not a.startswith("--")]
    failed = 0
    for path in guides():
        if names and path.stem not in names:
            continue
        problems = run_guide(path, update=update)
        for problem in problems:
            print(problem, end="\n\n")
        failed += bool(problems)
        print(f"{path.name}: {'ok' if not problems else f'{len(problems)} differences'}")
    return 1 if failed and not update else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
