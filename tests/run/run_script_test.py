#!/usr/bin/env python3
"""scripts/run.sh, headless, on the test build's binaries (CACHET_RUN_BIN_DIR).

1. Smoke: CACHET_RUN_SMOKE=1 starts the mail bed, cachet-cloud and the browser
   offscreen; the browser quits once it painted cachet:mail. Checked: the exit
   code and the browser's line, the screenshot, the autoconfig XML (parsed by
   Python) naming the ports run.sh printed, the cloud roots (read by the
   openssl CLI), the browser's requests in the cloud log, nothing left running.
2. No browser (CACHET_NO_BROWSER=1): the services stay up; Python's imaplib
   logs in as alice over IMAPS (trusting only the bed's CA) and curl reads the
   cloud's /health; Ctrl-C (SIGINT to the process group) stops everything.
Needs root (the bed's Postfix); exits 77 (skipped) otherwise.
"""
import imaplib
import os
import re
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

SOURCE = os.environ["CACHET_SOURCE_DIR"]
BIN_DIR = os.environ["CACHET_RUN_BIN_DIR"]
DEADLINE = 180  # seconds: a first cloud init makes RSA-3072 CAs


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def processes_under(path):
    """Processes whose command line or working directory mentions `path`."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
            cwd = os.readlink(f"/proc/{pid}/cwd")
        except OSError:
            continue
        if int(pid) != os.getpid() and (path in cmd or cwd.startswith(path)):
            found.append(f"{pid}: {cmd.strip()}")
    return found


def wait_gone(path):
    deadline = time.monotonic() + 30
    while processes_under(path):
        if time.monotonic() > deadline:
            fail("processes left behind:\n" + "\n".join(processes_under(path)))
        time.sleep(0.1)


def run_env(state, **extra):
    env = dict(os.environ, CACHET_RUN_BIN_DIR=BIN_DIR, CACHET_RUN_STATE_DIR=state)
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    env.update(extra)
    return env


def smoke(state):
    proc = subprocess.run(["bash", f"{SOURCE}/scripts/run.sh"], env=run_env(state, CACHET_RUN_SMOKE="1"),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=DEADLINE)
    out = proc.stdout
    if proc.returncode != 0:
        fail(f"run.sh exited {proc.returncode}:\n{out[-4000:]}")
    if not re.search(r'^cachet: painted cachet:mail ', out, re.M):
        fail("the browser did not report painting cachet:mail:\n" + out[-4000:])
    for user in ("alice", "bob", "carol"):
        if not re.search(rf"{user}@example\.test\s+{user}-mailbed-pw", out):
            fail(f"{user}'s address and password not printed")
    if "run: stopped the mail bed and cachet-cloud" not in out:
        fail("no stop message")

    with open(f"{state}/smoke.png", "rb") as f:
        png = f.read()
    if not png.startswith(b"\x89PNG\r\n\x1a\n") or len(png) < 5000:
        fail(f"screenshot missing or blank-sized ({len(png)} bytes)")

    imaps = re.search(r"IMAPS 127\.0\.0\.1:(\d+), submission 127\.0\.0\.1:(\d+)", out)
    cloud = re.search(r"cloud\s+http://127\.0\.0\.1:(\d+)", out)
    if not imaps or not cloud:
        fail("ports not printed")
    root = ET.parse(f"{state}/autoconfig.xml").getroot()
    provider = root.find("emailProvider")
    if provider.findtext("domain") != "example.test":
        fail("autoconfig domain")
    incoming, outgoing = provider.find("incomingServer"), provider.find("outgoingServer")
    if (incoming.get("type"), incoming.findtext("port"), incoming.findtext("socketType")) != ("imap", imaps[1], "SSL"):
        fail("autoconfig incoming server does not match the bed")
    if (outgoing.get("type"), outgoing.findtext("port"), outgoing.findtext("socketType")) != ("smtp", imaps[2], "STARTTLS"):
        fail("autoconfig outgoing server does not match the bed")

    certs = subprocess.run(["openssl", "crl2pkcs7", "-nocrl", "-certfile", f"{state}/cloud-roots.pem"],
                           stdout=subprocess.PIPE, check=True)
    subjects = subprocess.run(["openssl", "pkcs7", "-print_certs", "-noout"], input=certs.stdout,
                              stdout=subprocess.PIPE, check=True).stdout.decode()
    if subjects.count("subject=") != 2:
        fail("cloud-roots.pem should hold the two roots (RSA/EC and SM2):\n" + subjects)

    if os.path.exists(f"{state}/mailbed.path"):
        fail("the bed's record is left behind: it was not stopped")
    bed = re.search(r"^mailbed: running in (\S+) ", out, re.M)[1]
    wait_gone(bed)
    if os.path.exists(bed):
        fail(f"the bed's directory {bed} is left behind")
    with open(f"{state}/cloud.log") as f:
        log = f.read()
    if '"/health"' not in log and "/health" not in log:
        fail("the cloud log shows no request")
    wait_gone(state)
    print("smoke: ok")


def services_until_ctrl_c(state):
    proc = subprocess.Popen(["bash", f"{SOURCE}/scripts/run.sh"], env=run_env(state, CACHET_NO_BROWSER="1"),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    out = []
    deadline = time.monotonic() + DEADLINE
    try:
        for line in proc.stdout:
            out.append(line)
            if "stay up until Ctrl-C" in line or time.monotonic() > deadline:
                break
        text = "".join(out)
        if "stay up until Ctrl-C" not in text:
            fail("services did not come up:\n" + text[-4000:])
        imaps = int(re.search(r"IMAPS 127\.0\.0\.1:(\d+)", text)[1])
        cloud = re.search(r"cloud\s+(http://127\.0\.0\.1:\d+)", text)[1]

        with open(f"{state}/mailbed.path") as f:
            bed = f.read().strip()
        context = ssl.create_default_context(cafile=f"{bed}/tls/ca.pem")
        with imaplib.IMAP4_SSL("127.0.0.1", imaps, ssl_context=context) as imap:
            imap.login("alice@example.test", "alice-mailbed-pw")
            status, _ = imap.select("INBOX")
            if status != "OK":
                fail("alice's INBOX")
        health = subprocess.run(["curl", "-fsS", f"{cloud}/health"], stdout=subprocess.PIPE, text=True, timeout=30)
        if health.returncode != 0 or '"status":"ok"' not in health.stdout.replace(" ", ""):
            fail("cloud /health: " + health.stdout)

        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in the terminal does
        rest, _ = proc.communicate(timeout=60)
        text += rest
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    if proc.returncode != 130:
        fail(f"expected exit 130 after Ctrl-C, got {proc.returncode}:\n{text[-3000:]}")
    if "run: stopped the mail bed and cachet-cloud" not in text:
        fail("no stop message after Ctrl-C")
    wait_gone(state)
    wait_gone(bed)
    if os.path.exists(bed) or os.path.exists(f"{state}/mailbed.path"):
        fail(f"the bed's directory {bed} or its record is left behind")
    print("ctrl-c: ok")


def main():
    if os.geteuid() != 0:
        print("run_script_test: needs root for the mail bed; skipped")
        return 77
    root = os.environ.get("CACHET_TEST_TMP", tempfile.gettempdir())
    os.makedirs(root, exist_ok=True)
    os.chmod(root, 0o755)
    with tempfile.TemporaryDirectory(prefix="run-", dir=root) as state:
        os.chmod(state, 0o755)
        smoke(state)
        services_until_ctrl_c(state)
    return 0


if __name__ == "__main__":
    sys.exit(main())
