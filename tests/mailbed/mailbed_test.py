#!/usr/bin/env python3
"""End-to-end check of the mail test bed (mailbed.sh) against its real servers.

Starts a bed in a temporary directory, submits a message from alice to bob and
carol through Postfix's submission port (STARTTLS + AUTH PLAIN), reads it back
from each INBOX over Dovecot's IMAPS, checks that wrong passwords and unknown
recipients are refused, that `fill` delivers N messages, and that `stop`
leaves no process behind. Exit 77 (ctest SKIP_RETURN_CODE) when not root.
"""
import imaplib
import os
import shutil
import signal
import smtplib
import ssl
import subprocess
import sys
import tempfile
import time
import uuid
from email.message import EmailMessage

HERE = os.path.dirname(os.path.abspath(__file__))
MAILBED = os.path.join(HERE, "mailbed.sh")
DELIVERY_DEADLINE = 20.0  # seconds; delivery normally takes a few milliseconds


class Failure(Exception):
    pass


def check(condition, what):
    if not condition:
        raise Failure(what)
    print(f"ok: {what}")


def mailbed(*args):
    result = subprocess.run([MAILBED, *args], capture_output=True, text=True)
    if result.returncode != 0:
        raise Failure(f"mailbed.sh {' '.join(args)} failed ({result.returncode}):\n"
                      f"{result.stdout}{result.stderr}")
    return result.stdout


def load_env(directory):
    env = {}
    with open(os.path.join(directory, "env")) as f:
        for line in f:
            key, _, value = line.rstrip("\n").partition("=")
            env[key] = value.strip('"')
    return env


def user(env, name):
    key = name.upper().replace("-", "_")
    return env[f"MAILBED_{key}_ADDRESS"], env[f"MAILBED_{key}_PASSWORD"]


def tls_context(env):
    # Verifies the chain to the bed's CA and the 127.0.0.1 IP SAN.
    return ssl.create_default_context(cafile=env["MAILBED_CA_FILE"])


def imaps(env, name):
    address, password = user(env, name)
    session = imaplib.IMAP4_SSL(env["MAILBED_HOST"], int(env["MAILBED_IMAPS_PORT"]),
                                ssl_context=tls_context(env))
    session.login(address, password)
    return session


def find_message(env, name, message_id):
    """Polls name's INBOX until message_id arrives; returns the raw message."""
    deadline = time.monotonic() + DELIVERY_DEADLINE
    while True:
        session = imaps(env, name)
        try:
            session.select("INBOX", readonly=True)
            _, data = session.search(None, "HEADER", "Message-ID", message_id)
            numbers = data[0].split()
            if numbers:
                _, fetched = session.fetch(numbers[0], "(BODY.PEEK[])")
                return fetched[0][1]
        finally:
            session.logout()
        if time.monotonic() > deadline:
            raise Failure(f"{message_id} not in {name}'s INBOX after {DELIVERY_DEADLINE}s")
        time.sleep(0.05)


def inbox_count(env, name):
    session = imaps(env, name)
    try:
        _, data = session.status("INBOX", "(MESSAGES)")
        return int(data[0].decode().rsplit("MESSAGES", 1)[1].strip(" )"))
    finally:
        session.logout()


def test_submission_and_delivery(env):
    alice, alice_password = user(env, "alice")
    bob, _ = user(env, "bob")
    carol, _ = user(env, "carol")
    host, port = env["MAILBED_HOST"], int(env["MAILBED_SUBMISSION_PORT"])

    with smtplib.SMTP(host, port, timeout=10) as smtp:
        smtp.ehlo()
        check(not smtp.has_extn("auth"), "submission offers no AUTH before STARTTLS")
        smtp.starttls(context=tls_context(env))
        smtp.ehlo()
        check(smtp.has_extn("auth") and "PLAIN" in smtp.esmtp_features["auth"].upper(),
              "submission offers AUTH PLAIN after STARTTLS")
        try:
            smtp.login(alice, "not-" + alice_password)
            raise Failure("submission accepted a wrong password")
        except smtplib.SMTPAuthenticationError as e:
            check(e.smtp_code == 535, "submission refuses a wrong password (535)")

    with smtplib.SMTP(host, port, timeout=10) as smtp:
        smtp.starttls(context=tls_context(env))
        try:
            smtp.sendmail(alice, [bob], "Subject: x\r\n\r\nx\r\n")
            raise Failure("submission relayed without AUTH")
        except smtplib.SMTPRecipientsRefused:
            check(True, "submission refuses mail without AUTH")

    message_id = f"<mailbed-test-{uuid.uuid4().hex}@example.test>"
    message = EmailMessage()
    message["From"] = alice
    message["To"] = f"{bob}, {carol}"
    message["Subject"] = "mailbed round trip"
    message["Message-ID"] = message_id
    message.set_content("Hello Bob and Carol, from the mail test bed.\n")
    with smtplib.SMTP(host, port, timeout=10) as smtp:
        smtp.starttls(context=tls_context(env))
        smtp.login(alice, alice_password)
        refused = smtp.send_message(message, to_addrs=[bob, carol])
        check(refused == {}, "submission accepts alice -> bob, carol with AUTH PLAIN")
        try:
            smtp.sendmail(alice, ["nobody@example.test"], "Subject: x\r\n\r\nx\r\n")
            raise Failure("submission accepted an unknown local recipient")
        except smtplib.SMTPRecipientsRefused as e:
            code = e.recipients["nobody@example.test"][0]
            check(code == 550, "unknown recipient refused at RCPT (550)")

    for name in ("bob", "carol"):
        raw = find_message(env, name, message_id)
        check(b"Subject: mailbed round trip" in raw and b"Hello Bob and Carol" in raw,
              f"message delivered to {name}'s INBOX, read over IMAPS")


def test_implicit_tls_submission(env):
    # RFC 8314 "submissions": TLS from the first byte, then AUTH, as on port 465.
    acme, acme_password = user(env, "acme")
    bob, _ = user(env, "bob")
    message_id = f"<mailbed-submissions-{uuid.uuid4().hex}@example.test>"
    with smtplib.SMTP_SSL(env["MAILBED_HOST"], int(env["MAILBED_SUBMISSIONS_PORT"]), timeout=10,
                          context=tls_context(env)) as smtp:
        smtp.ehlo()
        check(not smtp.has_extn("starttls"), "implicit-TLS submission is encrypted from the start")
        smtp.login(acme, acme_password)
        refused = smtp.sendmail(acme, [bob], f"Message-ID: {message_id}\r\nSubject: implicit\r\n\r\nx\r\n")
        check(refused == {}, "implicit-TLS submission accepts acme -> bob with AUTH")
    check(b"Subject: implicit" in find_message(env, "bob", message_id), "implicit-TLS mail delivered to bob")


def test_plain_smtp_inbound(env):
    # The server-to-server port takes mail for the domain without AUTH, as an
    # outside sender's MTA would deliver a reply to the CA's challenge.
    ca, _ = user(env, "cachet-ca")
    message_id = f"<mailbed-inbound-{uuid.uuid4().hex}@elsewhere.test>"
    with smtplib.SMTP(env["MAILBED_HOST"], int(env["MAILBED_SMTP_PORT"]), timeout=10) as smtp:
        smtp.sendmail("someone@elsewhere.test", [ca],
                      f"Message-ID: {message_id}\r\nSubject: inbound\r\n\r\nreply\r\n")
    check(b"Subject: inbound" in find_message(env, "cachet-ca", message_id),
          "plain SMTP port delivers inbound mail to cachet-ca")


def test_imap(env):
    bob, bob_password = user(env, "bob")
    try:
        session = imaplib.IMAP4_SSL(env["MAILBED_HOST"], int(env["MAILBED_IMAPS_PORT"]),
                                    ssl_context=tls_context(env))
        session.login(bob, "not-" + bob_password)
        raise Failure("IMAPS accepted a wrong password")
    except imaplib.IMAP4.error:
        check(True, "IMAPS refuses a wrong password")

    session = imaplib.IMAP4(env["MAILBED_HOST"], int(env["MAILBED_IMAP_PORT"]))
    try:
        check("STARTTLS" in session.capabilities, "IMAP port offers STARTTLS")
        session.starttls(ssl_context=tls_context(env))
        session.login(bob, bob_password)
        _, caps = session.capability()
        caps = caps[0].decode().upper().split()
        for needed in ("IDLE", "CONDSTORE", "QRESYNC", "MOVE", "SPECIAL-USE"):
            check(needed in caps, f"IMAP after STARTTLS + LOGIN offers {needed}")
        _, folders = session.list()
        listing = b"\n".join(folders)
        for flag in (b"\\Sent", b"\\Drafts", b"\\Trash", b"\\Archive"):
            check(flag in listing, f"LIST marks a {flag.decode()} folder")
    finally:
        session.logout()


def test_fill(env, directory):
    before = inbox_count(env, "carol")
    mailbed("fill", directory, "carol", "250")
    check(inbox_count(env, "carol") == before + 250, "fill delivers 250 messages to carol")
    result = subprocess.run([MAILBED, "fill", directory, "nobody", "1"],
                            capture_output=True, text=True)
    check(result.returncode != 0 and "no such user" in result.stderr,
          "fill refuses an unknown user with a clear message")
    result = subprocess.run([MAILBED, "fill", directory, "carol", "many"],
                            capture_output=True, text=True)
    check(result.returncode != 0 and "not a number" in result.stderr,
          "fill refuses a count that is not a number")


def system_config_snapshot():
    """Name, size and mtime of everything under the system's mail configs."""
    snapshot = {}
    for root in ("/etc/postfix", "/etc/dovecot"):
        for parent, _, files in os.walk(root):
            for name in files:
                path = os.path.join(parent, name)
                try:
                    st = os.lstat(path)
                    snapshot[path] = (st.st_size, st.st_mtime_ns)
                except OSError:
                    pass
    return snapshot


def process_identity(pid):
    """(pid, start time) so a recycled pid is not mistaken for a survivor."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return pid, f.read().rsplit(")", 1)[1].split()[19]
    except OSError:
        return None


def processes_using(directory):
    users = set()
    for pid in filter(str.isdigit, os.listdir("/proc")):
        links = [f"/proc/{pid}/cwd"]
        try:
            links += [f"/proc/{pid}/fd/{fd}" for fd in os.listdir(f"/proc/{pid}/fd")]
        except OSError:
            continue
        for link in links:
            try:
                if os.readlink(link).startswith(directory + "/"):
                    users.add(int(pid))
            except OSError:
                pass
    return users


def main():
    if os.geteuid() != 0:
        print("skipped: the mail test bed needs root (Postfix's master starts as root)")
        return 77
    # SIGTERM (e.g. from ctest) must still run the finally block below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("terminated"))
    system_config = system_config_snapshot()
    directory = tempfile.mkdtemp(prefix="cachet-mailbed-", dir="/tmp")
    started = True  # a failed or interrupted start may have left half a bed
    try:
        mailbed("start", directory)
        env = load_env(directory)
        test_submission_and_delivery(env)
        test_implicit_tls_submission(env)
        test_plain_smtp_inbound(env)
        test_imap(env)
        test_fill(env, directory)

        running = [process_identity(int(p)) for p in mailbed("pids", directory).split()]
        check(len(running) >= 4, f"bed runs {len(running)} processes before stop")
        mailbed("stop", directory)
        started = False
        survivors = [p for p in running if p and process_identity(p[0]) == p]
        check(not survivors, "stop leaves none of the bed's processes running")
        check(not processes_using(directory), "no process holds a file or cwd in the bed")
        check(not os.path.exists(os.path.join(directory, "env")), "stop removes the env file")
        mailbed("stop", directory)
        check(True, "stop is idempotent")
        check(system_config_snapshot() == system_config,
              "/etc/postfix and /etc/dovecot untouched")
        return 0
    except Failure as e:
        print(f"FAILED: {e}", file=sys.stderr)
        for log in ("dovecot/dovecot.log", "postfix/postfix.log"):
            path = os.path.join(directory, log)
            if os.path.exists(path):
                with open(path) as f:
                    print(f"--- {log}\n" + "".join(f.readlines()[-30:]), file=sys.stderr)
        return 1
    finally:
        if started:
            subprocess.run([MAILBED, "stop", directory])
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
