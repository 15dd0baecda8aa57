"""What a test process can see of the file system, when the grader is root: an allow-list.

The test process enters a mount namespace of its own and changes its root to a fresh tmpfs holding
read-only bind mounts of exactly what it needs: the system's libraries, the Python installation and
environment, the engine, and the submission; plus its private scratch folder, writable. The kit
(``.git``, solutions, references, labels, grading.yaml) and every other file of the machine are simply
not there, whatever their permissions or those of the folders above them (a kit cloned into a 0700
``mktemp -d`` folder works as well as one in /srv). The view ends with the process.
"""

from __future__ import annotations

import ctypes
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import autograder

CLONE_NEWNS = 0x00020000
CLONE_NEWNET = 0x40000000
MS_RDONLY = 0x1
MS_NOSUID = 0x2
MS_NODEV = 0x4
MS_NOEXEC = 0x8
MS_REMOUNT = 0x20
MS_BIND = 0x1000
MS_REC = 0x4000
MS_PRIVATE = 0x40000
SYSTEM_PATHS = ("/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/etc", "/sys")
DEVICES = ("null", "zero", "full", "random", "urandom")
ROOT_TMPFS = "size=1m,mode=0755"
SCRATCH = Path("/tmp")  # the test's private scratch space inside the view
SUBMISSION = Path("/submission")  # where the submitted files appear

_libc = ctypes.CDLL(None, use_errno=True)


class ViewError(OSError):
    """The view could not be built (no mount namespaces here)."""


@dataclass(frozen=True)
class View:
    """The paths a test process sees: read-only ones at their own paths, the submitted files in
    /submission, a /proc of its own PID namespace, and private memory file systems of ``scratch_mb``
    each as /tmp and /dev/shm, gone with the test."""

    read_only: tuple[Path, ...]
    submission: tuple[Path, ...]
    scratch_mb: int

    @classmethod
    def for_test(
        cls, kit_root: Path | None, submission: list[Path], scratch_mb: int, data: list[Path] | None = None
    ) -> View:
        """The view of one test: the Python environment, the submission, and the data files it may read."""
        return cls(tuple(python_paths(kit_root)) + tuple(data or []), tuple(submission), scratch_mb)


def inside(path: Path) -> Path:
    """Where a submitted file appears inside the view."""
    return SUBMISSION / path.name


def python_paths(kit_root: Path | None) -> list[Path]:
    """The system, the Python installation, its environment and this engine: never the kit itself,
    even when the environment or the engine lives inside it."""
    candidates = [Path(p) for p in SYSTEM_PATHS if not Path(p).is_symlink()]
    candidates += [Path(sys.base_prefix), Path(sys.prefix), Path(autograder.__file__).parent]
    candidates += [Path(entry) for entry in sys.path if entry]
    kept: list[Path] = []
    for path in (p.resolve() for p in candidates if p.exists()):
        if kit_root is not None and (path == kit_root or kit_root.is_relative_to(path)):
            continue  # the kit root itself, or a folder above it
        if not any(path.is_relative_to(k) for k in kept):
            kept = [k for k in kept if not k.is_relative_to(path)] + [path]
    return sorted(kept)


def enter(view: View, root: Path) -> None:
    """Build the view at ``root`` (an empty folder) in a new mount namespace and change the root to it.
    Runs in the test process, as root, before privileges are dropped."""
    _check(_libc.unshare(CLONE_NEWNS), "unshare")
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    _mount("tmpfs", str(root), "tmpfs", MS_NOSUID | MS_NODEV, ROOT_TMPFS)
    # The scratch file systems first: a kit or an environment that lives under /tmp is bound inside.
    for folder in (root / SCRATCH.relative_to("/"), root / "dev" / "shm"):
        folder.mkdir(parents=True)
        _mount("tmpfs", str(folder), "tmpfs", MS_NOSUID | MS_NODEV, f"size={view.scratch_mb}m,mode=1777")
    for path in view.read_only:
        _bind(path, root, read_only=True)
    for link in (Path(p) for p in SYSTEM_PATHS if Path(p).is_symlink()):  # /bin -> usr/bin on merged systems
        (root / link.relative_to("/")).symlink_to(os.readlink(link))
    for path in view.submission:
        _bind(path, root, read_only=True, at=inside(path))
    _devices(root)
    (root / "proc").mkdir()
    _mount("proc", str(root / "proc"), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    _mount(None, str(root), None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
    os.chroot(root)
    os.chdir("/")


def cut_network() -> None:
    """Move the calling process (the warm worker) into an empty network namespace, once: every test
    process it forks starts there, with no network, at no cost per test."""
    _check(_libc.unshare(CLONE_NEWNET), "unshare")


def _bind(path: Path, root: Path, read_only: bool, at: Path | None = None) -> None:
    target = root / (at or path).relative_to("/")
    if path.is_dir():
        target.mkdir(parents=True, exist_ok=True)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.touch()
    _mount(str(path), str(target), None, MS_BIND | MS_REC)
    if read_only:
        _mount(None, str(target), None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)


def _devices(root: Path) -> None:
    """/dev with the harmless character devices only (no host /dev/shm: shared memory goes nowhere)."""
    (root / "dev").mkdir(exist_ok=True)
    for name in DEVICES:
        _bind(Path("/dev") / name, root, read_only=False)
    for gpu in sorted(Path("/dev").glob("nvidia*")):
        _bind(gpu, root, read_only=False)


def _mount(source: str | None, target: str, kind: str | None, flags: int, data: str | None = None) -> None:
    _check(_libc.mount(_bytes(source), _bytes(target), _bytes(kind), flags, _bytes(data)), f"mount {target}")


def _bytes(text: str | None) -> bytes | None:
    return text.encode() if text is not None else None


def _check(result: int, what: str) -> None:
    if result != 0:
        error = ctypes.get_errno()
        raise ViewError(error, f"{what}: {os.strerror(error)}")
