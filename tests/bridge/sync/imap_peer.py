#!/usr/bin/env python3
"""The independent IMAP peer of the sync tests: python's imaplib, not our code.

imap_peer.py <host> <port> <ca-file> <user> <password> <command> [args...]
  uids <folder>                    one line per message: "<uid> <flags, sorted>"
  store <folder> <uid> <+FLAGS|-FLAGS> <flag>
  append <folder> <flags or -> <file>
  expunge <folder> <uid>           \\Deleted, then UID EXPUNGE of that UID
  recreate <folder>                DELETE and CREATE: the folder gets a new UIDVALIDITY
  count <folder> <message-id>      messages whose Message-ID header is <message-id>
  body <folder> <uid>              the raw message on stdout
"""
import imaplib
import re
import ssl
import sys


def connect(host, port, ca_file, user, password):
    context = ssl.create_default_context(cafile=ca_file)
    imap = imaplib.IMAP4_SSL(host, int(port), ssl_context=context)
    imap.login(user, password)
    return imap


def check(result):
    status, data = result
    if status != "OK":
        sys.exit(f"imap_peer: {status} {data}")
    return data


def quoted(folder):
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main():
    host, port, ca_file, user, password, command, *args = sys.argv[1:]
    imap = connect(host, port, ca_file, user, password)
    if command == "recreate":
        check(imap.delete(quoted(args[0])))
        check(imap.create(quoted(args[0])))
    elif command == "append":
        folder, flags, path = args
        with open(path, "rb") as f:
            message = f.read()
        check(imap.append(quoted(folder), None if flags == "-" else f"({flags})", None, message))
    else:
        check(imap.select(quoted(args[0])))
        if command == "uids":
            data = check(imap.uid("FETCH", "1:*", "(FLAGS)"))
            for line in data:
                if not line:
                    continue
                text = line.decode() if isinstance(line, bytes) else line[0].decode()
                uid = re.search(r"UID (\d+)", text).group(1)
                flags = sorted(f for f in re.search(r"FLAGS \(([^)]*)\)", text).group(1).split() if f != "\\Recent")
                print(uid, " ".join(flags))
        elif command == "store":
            check(imap.uid("STORE", args[1], args[2], f"({args[3]})"))
        elif command == "expunge":
            check(imap.uid("STORE", args[1], "+FLAGS", "(\\Deleted)"))
            check(imap.uid("EXPUNGE", args[1]))
        elif command == "count":
            data = check(imap.uid("SEARCH", "HEADER", "Message-ID", f'"<{args[1]}>"'))
            print(len(data[0].split()))
        elif command == "body":
            data = check(imap.uid("FETCH", args[1], "(BODY.PEEK[])"))
            sys.stdout.buffer.write(data[0][1])
        else:
            sys.exit(f"imap_peer: unknown command {command}")
    imap.logout()


main()
