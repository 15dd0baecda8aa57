"""Operating-system limits around one test process, and the clean-up after it (Linux)."""

from __future__ import annotations

import ctypes
import os
import pwd
import resource
import secrets
import signal
import time
from dataclasses import dataclass
from pathlib import Path

from autograder.sandbox.view import View
from autograder.sandbox.view import enter as enter_view

PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_SET_CHILD_SUBREAPER = 36
PR_SET_NO_NEW_PRIVS = 38
CLONE_NEWNET = 0x40000000
CLONE_NEWPID = 0x20000000
MAX_PROCESSES = 64  # per sandbox user: enough for a DataLoader, too few for a fork bomb

_libc = ctypes.CDLL(None, use_errno=True)


def prctl(option: int, value: int) -> bool:
    return _libc.prctl(option, value, 0, 0, 0) == 0


DEDICATED_UIDS = range(1_500_000_000, 1_600_000_000)  # far from any account a system creates


@dataclass(frozen=True)
class SandboxUser:
    """The unprivileged identity a test runs as when the grader is root."""

    name: str
    uid: int
    gid: int

    @classmethod
    def lookup(cls, name: str) -> SandboxUser:
        entry = pwd.getpwnam(name)
        return cls(name, entry.pw_uid, entry.pw_gid)

    @classmethod
    def dedicated(cls) -> SandboxUser:
        """A uid no account and no running process has: this grader's tests alone run under it, so
        cleaning up after a test (kill every process of the uid) never touches another grader's."""
        in_use = {entry.pw_uid for entry in pwd.getpwall()} | _process_uids()
        uid = next(u for u in iter(lambda: secrets.choice(DEDICATED_UIDS), None) if u not in in_use)
        return cls(f"uid {uid}", uid, uid)

    @classmethod
    def resolve(cls, name: str) -> SandboxUser:
        return cls.dedicated() if name == DEDICATED else cls.lookup(name)


DEDICATED = "dedicated"


def _process_uids() -> set[int]:
    uids = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                uids.add(os.stat(f"/proc/{entry}").st_uid)
            except OSError:
                continue
    return uids


def harden_supervisor() -> None:
    """Make this process adopt orphaned descendants (so none escapes the clean-up) and keep other
    processes of the same user out of its memory and file descriptors."""
    prctl(PR_SET_CHILD_SUBREAPER, 1)
    prctl(PR_SET_DUMPABLE, 0)


def confine(
    memory_limit_bytes: int | None, file_size_bytes: int, user: SandboxUser | None, view: tuple[View, Path] | None
) -> None:
    """Run in the fresh test process, before any student code: caps, the allow-listed file system view
    (the worker has cut the network already), then drop root."""
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_size_bytes, file_size_bytes))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an oversized write fails instead of killing
    if memory_limit_bytes is not None:
        resource.setrlimit(resource.RLIMIT_AS, (memory_limit_bytes, memory_limit_bytes))
    try:
        Path("/proc/self/oom_score_adj").write_text("1000")  # under memory pressure, die first
    except OSError:
        pass
    if view is not None:
        enter_view(*view)
    elif user is not None:
        _libc.unshare(CLONE_NEWNET)  # where the platform allows it; ignored elsewhere
    if user is not None:
        resource.setrlimit(resource.RLIMIT_NPROC, (MAX_PROCESSES, MAX_PROCESSES))
        os.setgroups([])
        os.setgid(user.gid)
        os.setuid(user.uid)
    prctl(PR_SET_NO_NEW_PRIVS, 1)


def virtual_size_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as stat:
                    fields = stat.read().rsplit(b")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry))
    return children


def descendants(pid: int) -> list[int]:
    """Every living process below ``pid``."""
    tree, found, stack = _children_map(), [], [pid]
    while stack:
        for child in tree.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


def smaps_rollup_bytes(pids: list[int], fields: tuple[str, ...]) -> int:
    """The sum of the given /proc/<pid>/smaps_rollup fields (e.g. "Pss:") over processes still alive."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as rollup:
                total += sum(int(line.split()[1]) * 1024 for line in rollup if line.startswith(fields))
        except OSError:
            continue
    return total


def private_memory_bytes(pids: list[int]) -> int:
    """Memory the processes add on top of what they share with the warm worker (their USS)."""
    return smaps_rollup_bytes(pids, ("Private_Clean:", "Private_Dirty:"))


def kill_everything_below(supervisor: int, user: SandboxUser | None, grace_s: float = 2.0) -> None:
    """SIGKILL every process left by a test: the supervisor's descendants (orphans come back to it as
    subreaper) and, when tests run as a sandbox user, every process of that uid, found and killed from
    here (root), so nothing of the sandbox stands between the kill and its target; then reap them."""
    deadline = time.monotonic() + grace_s
    while True:
        left = descendants(supervisor) + (processes_of(user.uid) if user is not None else [])
        for pid in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        _reap()
        if not left or time.monotonic() > deadline:
            return
        time.sleep(0.005)


def processes_of(uid: int) -> list[int]:
    """Every living process whose owner is ``uid``."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}").st_uid == uid:
                    found.append(int(entry))
            except OSError:
                continue
    return found


def unshare_pid_namespace() -> int:
    """Put this process's future children in a new PID namespace; 0 on success, as the system call."""
    return _libc.unshare(CLONE_NEWPID)


class PidNamespaces:
    """Forks into a new PID namespace each: the first process forked after :meth:`next_fork_isolated`
    is the init of a namespace of its own, and when it exits the kernel kills everything in it."""

    def __init__(self) -> None:
        self._own = os.open("/proc/self/ns/pid", os.O_RDONLY | os.O_CLOEXEC)

    def fork_isolated(self) -> int:
        """``os.fork()``, the child being the init of a new PID namespace."""
        if unshare_pid_namespace() != 0:
            raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWPID)")
        try:
            return os.fork()
        finally:
            if os.getpid() != 1 and _libc.setns(self._own, CLONE_NEWPID) != 0:  # the parent's next forks
                raise OSError(ctypes.get_errno(), "setns(CLONE_NEWPID)")


def _reap() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
