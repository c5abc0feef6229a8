"""Lists the key backups in a user's "Cachet Keys" folder with Python's imaplib
(an IMAP client we did not write) and saves each one's PKCS#12 attachment.

usage: key_backup_folder_check.py HOST PORT TLS_NAME CA_FILE USER PASSWORD OUT_DIR
prints one line per backup: "<uid> <file>", or "no-folder".
OUT_DIR "--delete": deletes the folder instead (a test starting afresh)."""
import email
import imaplib
import socket
import ssl
import sys

host, port, tls_name, ca_file, user, password, out_dir = sys.argv[1:8]
context = ssl.create_default_context(cafile=ca_file)


class Imap(imaplib.IMAP4_SSL):
    def _create_socket(self, timeout):
        sock = socket.create_connection((host, int(port)), timeout)
        return context.wrap_socket(sock, server_hostname=tls_name)


imap = Imap(host, int(port), ssl_context=context, timeout=30)
imap.login(user, password)
if out_dir == "--delete":
    status, data = imap.delete('"Cachet Keys"')
    print(status)
    sys.exit(0)
status, _ = imap.select('"Cachet Keys"', readonly=True)
if status != "OK":
    print("no-folder")
    sys.exit(0)
status, data = imap.uid("SEARCH", None, "HEADER", "X-Cachet-Key-Backup", '""')
assert status == "OK", data
for uid in data[0].split():
    status, fetched = imap.uid("FETCH", uid, "(BODY.PEEK[])")
    assert status == "OK", fetched
    message = email.message_from_bytes(fetched[0][1])
    parts = [p for p in message.walk() if p.get_content_type() == "application/pkcs12"]
    name = "%s/backup-%s.p12" % (out_dir, uid.decode())
    with open(name, "wb") as f:
        f.write(parts[0].get_payload(decode=True))
    print(uid.decode(), name)
imap.logout()
