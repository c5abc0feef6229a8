#!/usr/bin/env python3
"""Takes one mail out of a mailbox over IMAPS (the mail test bed's; e.g. an
ACME challenge mail, as a client of the ACME tests would read it): the first
message in INBOX whose Subject starts with the given prefix is fetched,
written raw to stdout, then deleted and expunged, so the next call finds the
next one. Polls (with a deadline) until such a message arrives. Independent of
Cachet's code: Python's imaplib and ssl. Run by cachet::test::MailBed::takeMail.

  take_mail.py --host H --port P --ca CA.pem --user U --password-file F
               --subject-prefix "ACME: " [--timeout 30]

Exit status: 0 with the message on stdout; 1 when none arrived in time.
"""
import argparse
import imaplib
import ssl
import sys
import time
from email.parser import BytesHeaderParser


def first_match(session, prefix):
    session.noop()  # lets the server report new mail
    status, data = session.uid("SEARCH", None, "HEADER", "Subject", f'"{prefix}"')
    if status != "OK":
        raise RuntimeError(f"SEARCH failed: {data}")
    for uid in data[0].split():
        status, parts = session.uid("FETCH", uid, "(BODY.PEEK[])")
        if status != "OK":
            raise RuntimeError(f"FETCH {uid} failed: {parts}")
        message = next(p[1] for p in parts if isinstance(p, tuple))
        subject = BytesHeaderParser().parsebytes(message).get("Subject", "")
        # SEARCH matches substrings; only a Subject that starts with the prefix counts.
        if subject.startswith(prefix):
            return uid, message
    return None, None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--ca", required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password-file", required=True)
    parser.add_argument("--subject-prefix", required=True)
    parser.add_argument("--timeout", type=float, default=30)
    args = parser.parse_args()
    with open(args.password_file, encoding="utf-8") as f:
        password = f.read().strip()

    context = ssl.create_default_context(cafile=args.ca)  # chain and host name checked
    session = imaplib.IMAP4_SSL(args.host, args.port, ssl_context=context, timeout=args.timeout)
    try:
        session.login(args.user, password)
        session.select("INBOX")
        deadline = time.monotonic() + args.timeout
        while True:
            uid, message = first_match(session, args.subject_prefix)
            if uid is not None:
                break
            if time.monotonic() > deadline:
                print(f"no mail with Subject '{args.subject_prefix}...' for {args.user} "
                      f"within {args.timeout} s", file=sys.stderr)
                return 1
            time.sleep(0.05)  # poll interval; the deadline above bounds the wait
        session.uid("STORE", uid, "+FLAGS.SILENT", r"(\Deleted)")
        session.uid("EXPUNGE", uid)
        sys.stdout.buffer.write(message)
        sys.stdout.buffer.flush()
        return 0
    finally:
        try:
            session.logout()
        except (imaplib.IMAP4.error, OSError):
            pass


if __name__ == "__main__":
    sys.exit(main())
