"""Lines that are neither sockets nor a format's title/header, but are expected in real pastes:
shell prompts with the command, tools' stderr notes merged into the text, pager and markdown
artefacts. They are counted as ``note`` lines, so they are accounted for without being errors.
Each pattern names where it was seen.
"""

from __future__ import annotations

import re

NOTE_PATTERNS: list[tuple[str, str]] = [
    # prompt + command: 'root@host:~# netstat -laputen', '$ ss -tan', 'PS C:\> netstat -an | findstr ":389"',
    # 'C:\>netstat -a -q -n', 'obsd2023# netstat -a -p tcp', '➜  ~ netstat -anvp tcp' (CATALOG section 8)
    # (any case: 'NETSTAT -ANO' in the FLAIR readme, 'Get-Nettcpconnection' in pastes)
    # ('➜  ~ netstat -anvp tcp': oh-my-zsh prints the directory after the arrow)
    ("command", r"(?i)^.{0,80}?(?:[#$>%❯]|➜\s+\S+|^)\s*(?:sudo\s+)?(?:netstat|ss|busybox netstat|Get-NetTCPConnection|watch)\b.*$"),
    # a bare prompt, or one with only a comment: 'PS C:\Users\x>', 'C:\>', 'user@HOST C:\x>', 'PS C:\> # ...'
    ("prompt", r"^\s*(?:\S+@\S+ )?(?:PS )?[A-Za-z]:\\[^>]*>\s*(?:#.*)?$"),
    # the cmd banner pasted with the output: 'Microsoft Windows [Version 10.0.19045]', '(c) Microsoft Corporation...'
    ("banner", r"^\s*Microsoft Windows \[[^\]]*\]\s*$"),
    ("banner", r"^\s*\([cC]\) .*$"),
    # elisions people put in pastes: '...', '[...]', '…'
    ("elision", r"^\s*(?:\.\.\.|\[\.\.\.\]|…)\s*$"),
    # banner and rule lines of system dumps: '==== netstat -ano ====', '________'
    ("rule", r"^\s*(?:={3,}|_{3,})[^=_]*(?:={3,}|_{3,})?\s*$"),
    # 'Every 1.0s: ss -naoep | egrep ...   host: Sat Feb  4 16:19:42 2023' (watch header)
    ("watch", r"^Every \d+(?:\.\d+)?s: .*$"),
    # net-tools stderr: '(No info could be read for "-p": geteuid()=65534 but you should be root.)'
    ("nettools-stderr", r"^\((?:No info could be read|Not all processes could be identified).*$"),
    ("nettools-stderr", r"^\s*will not be shown, you would have to be root to see it all\.\)\s*$"),
    # ss stderr: 'RTNETLINK answers: Invalid argument'
    ("ss-stderr", r"^RTNETLINK answers: .*$"),
    # markdown fences and the Windows pager
    ("markdown", r"^\s*```\w*\s*$"),
    # a markdown heading or shell comment: never a row in any format (the packetdrill article
    # sample puts '## SYN-SENT' above each excerpt)
    ("heading", r"^#{1,6}(?:\s.*)?$"),
    ("pager", r"^\s*-- More --\s*$"),
]

_NOTES = [(name, re.compile(p)) for name, p in NOTE_PATTERNS]


def note_kind(line: str) -> str | None:
    """The kind of note ``line`` is, or None."""
    for name, pattern in _NOTES:
        if pattern.match(line):
            return name
    return None
