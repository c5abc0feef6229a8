#!/usr/bin/env python3
"""Reads a message file with python's own email package (an implementation we
did not write) and prints its structure, one fact per line, for the C++ test to
compare with our parser:
  subject <text>
  from|to|cc <display name>|<address>
  part <content type> <disposition or -> <sha256 of the decoded payload, or -> <file name or ->
  defects <count of defects python found>
Text payloads are hashed with CRLF turned into LF (python keeps line ends as it
found them in some paths and not in others; the bytes of other parts are exact)."""
import email
import email.policy
import email.utils
import hashlib
import sys

with open(sys.argv[1], "rb") as f:
    msg = email.message_from_binary_file(f, policy=email.policy.default)

out = []
out.append("subject " + str(msg["subject"] or ""))
for field in ("from", "to", "cc"):
    for name, addr in email.utils.getaddresses([str(v) for v in msg.get_all(field, [])]):
        out.append(f"{field} {name}|{addr}")
defects = len(msg.defects)
for part in msg.walk():
    defects += len(part.defects)
    digest = "-"
    if not part.is_multipart():
        payload = part.get_payload(decode=True) or b""
        if part.get_content_maintype() == "text":
            payload = payload.replace(b"\r\n", b"\n")
        digest = hashlib.sha256(payload).hexdigest()
    out.append(" ".join(["part", part.get_content_type(), part.get_content_disposition() or "-", digest,
                         part.get_filename() or "-"]))
out.append(f"defects {defects}")
sys.stdout.write("\n".join(out) + "\n")
