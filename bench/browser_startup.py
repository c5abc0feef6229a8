#!/usr/bin/env python3
"""Browser start to first painted page, and memory with one tab: cachet
against Falkon (Debian's Qt WebEngine browser) loading the same local page in
the same run, on the same Xvfb screen.

  bench/browser_startup.py <cachet binary> [runs]

"First painted" is read the same way for both, from outside the browser: the
time from starting the process until Xvfb's framebuffer (its -fbdir file, an
XWD image the X server keeps current) shows the page's marker, a 640x320 block
of one colour nothing else on screen uses, at least 90 % of its pixels. That
is the moment a person would see the page; it includes process start, the
WebEngine (Chromium) start, the load and the compositor's frame.

Memory: once the page is shown, after a fixed 3 s settling time, the sum over
the browser and all its descendants (the QtWebEngineProcess renderers) of PSS
(proportional set size: shared pages split among the processes that map them,
so the sum is what the browser costs) and of RSS (shared pages counted in
every process). The ratio uses PSS.

Each browser runs `runs` times (alternating, fresh profile each time, after
one uncounted run each that warms the system's caches); the medians are printed. Falkon 22.12 on Debian 12 is built on Qt 5.15's WebEngine
(Chromium 87), cachet on Qt 6.4's (Chromium 102): the same engine family, not
the same version.
"""
import mmap
import os
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import time

MARKER = (13, 157, 88)  # RGB of the page's block
MARKER_PIXELS = 640 * 320
START_DEADLINE = 60.0
SETTLE_SECONDS = 3.0
PAGE = f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Cachet start-up benchmark</title></head>
<body style="margin:0;background:#fff;font:16px sans-serif">
<div style="width:640px;height:320px;background:rgb{MARKER}"></div>
<p>A local page, the same for both browsers.</p>
</body></html>
"""


def marker_shown(fb_path, bgr):
    """True once the XWD framebuffer holds enough marker pixels."""
    with open(fb_path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
        header_size, = struct.unpack(">I", m[0:4])
        ncolors, = struct.unpack(">I", m[76:80])
        image = m[header_size + 12 * ncolors:]
    return image.count(bgr) >= 0.9 * MARKER_PIXELS


def descendants(pid):
    children = {}
    for p in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{p}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(p))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def memory_kib(pid):
    """(PSS, RSS) in KiB summed over `pid` and its descendants."""
    pss = rss = 0
    for p in descendants(pid):
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        pss += int(line.split()[1])
                    elif line.startswith("Rss:"):
                        rss += int(line.split()[1])
        except OSError:
            pass
    return pss, rss


def start_xvfb(work):
    for display in range(90, 140):
        if os.path.exists(f"/tmp/.X11-unix/X{display}") or os.path.exists(f"/tmp/.X{display}-lock"):
            continue
        fbdir = os.path.join(work, "fb")
        os.makedirs(fbdir, exist_ok=True)
        xvfb = subprocess.Popen(["Xvfb", f":{display}", "-screen", "0", "1280x800x24", "-fbdir", fbdir,
                                 "-nolisten", "tcp"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and xvfb.poll() is None:
            if os.path.exists(f"/tmp/.X11-unix/X{display}") and os.path.exists(f"{fbdir}/Xvfb_screen0"):
                return xvfb, f":{display}", f"{fbdir}/Xvfb_screen0"
            time.sleep(0.02)
        xvfb.kill()
        xvfb.wait()
    sys.exit("browser_startup: could not start Xvfb")


def wait_until_gone(fb, bgr):
    """After a browser quits: its window must be off the screen before the next one starts."""
    deadline = time.monotonic() + 10
    while marker_shown(fb, bgr) and time.monotonic() < deadline:
        time.sleep(0.02)
    if marker_shown(fb, bgr):
        raise RuntimeError("the last browser's page is still on the screen")


def measure(command, env, fb, bgr):
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    started = time.monotonic()
    try:
        while not marker_shown(fb, bgr):
            if proc.poll() is not None:
                raise RuntimeError(f"{command[0]} exited with {proc.returncode} before painting")
            if time.monotonic() - started > START_DEADLINE:
                raise RuntimeError(f"{command[0]} painted nothing within {START_DEADLINE:.0f} s")
            time.sleep(0.005)
        painted_ms = (time.monotonic() - started) * 1000
        time.sleep(SETTLE_SECONDS)
        pss, rss = memory_kib(proc.pid)
        return painted_ms, pss, rss
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        wait_until_gone(fb, bgr)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    cachet = os.path.realpath(sys.argv[1])
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    for tool in ("Xvfb", "falkon"):
        if not shutil.which(tool):
            sys.exit(f"browser_startup: {tool} missing (scripts/install-deps.sh --bench)")

    work = tempfile.mkdtemp(prefix="cachet-browser-bench.")
    page = os.path.join(work, "page.html")
    with open(page, "w") as f:
        f.write(PAGE)
    url = "file://" + page
    xvfb, display, fb = start_xvfb(work)
    # 24-bit Xvfb stores a pixel as B, G, R, pad (little-endian 32 bits): match the three colour bytes.
    bgr = bytes(reversed(MARKER))
    results = {"cachet": [], "falkon": []}
    try:
        # Run 0 warms the system's caches (files, fontconfig) for both and is not counted.
        for run in range(runs + 1):
            for name in ("cachet", "falkon"):
                home = os.path.join(work, f"{name}-{run}")
                os.makedirs(home)
                # A fresh profile each time (cachet --profile; Falkon's lives in XDG_CONFIG_HOME),
                # the user's caches (XDG_CACHE_HOME: fontconfig) as they are.
                env = dict(os.environ, DISPLAY=display, XDG_CONFIG_HOME=f"{home}/config",
                           XDG_DATA_HOME=f"{home}/data", XDG_RUNTIME_DIR=home, QT_QPA_PLATFORM="xcb")
                env.pop("WAYLAND_DISPLAY", None)
                if os.geteuid() == 0:
                    env["QTWEBENGINE_DISABLE_SANDBOX"] = "1"  # Chromium's sandbox cannot run as root
                if name == "cachet":
                    command = [cachet, "--profile", f"{home}/profile", "--no-restore", url]
                else:
                    command = ["falkon", "--no-extensions", url]
                measured = measure(command, env, fb, bgr)
                if run > 0:
                    results[name].append(measured)
    finally:
        xvfb.terminate()
        xvfb.wait()
        shutil.rmtree(work, ignore_errors=True)

    def median(name, i):
        return statistics.median(r[i] for r in results[name])

    ours_ms, peer_ms = median("cachet", 0), median("falkon", 0)
    ours_pss, peer_pss = median("cachet", 1) / 1024, median("falkon", 1) / 1024
    ours_rss, peer_rss = median("cachet", 2) / 1024, median("falkon", 2) / 1024
    print(f"start to first painted page (median of {runs}): ours {ours_ms:.0f} ms, "
          f"peer falkon {peer_ms:.0f} ms, ratio {ours_ms / peer_ms:.2f}")
    print(f"memory with one tab, PSS of all processes: ours {ours_pss:.0f} MiB, "
          f"peer falkon {peer_pss:.0f} MiB, ratio {ours_pss / peer_pss:.2f}")
    print(f"  (RSS summed, shared pages counted per process: ours {ours_rss:.0f} MiB, falkon {peer_rss:.0f} MiB)")
    for name in results:
        print(f"  {name} runs (ms, PSS MiB): " +
              ", ".join(f"{ms:.0f}/{pss / 1024:.0f}" for ms, pss, _ in results[name]))


if __name__ == "__main__":
    main()
