"""A real SMTP server for PayHubMailTests: aiosmtpd on 127.0.0.1 that parses every message it receives with Python's
email package and writes what it read as JSON (one file per message) into OUTDIR.

    python3 smtp_sink.py OUTDIR [--security none|starttls|tls] [--user U --password P]

Writes OUTDIR/port once listening; stops when its standard input closes or on SIGTERM.
Recipients named nobody@... are refused with 550, busy@... with 450.
"""
import argparse
import base64
import hashlib
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import threading
from email import policy
from email.parser import BytesParser

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def describe(part):
    """A part as JSON: text as text, a nested multipart by its parts, a file by its name, size and SHA-256."""
    if part.is_multipart():
        return {"content_type": part.get_content_type(), "parts": [describe(inner) for inner in part.iter_parts()]}
    content = part.get_content()
    described = {
        "content_type": part.get_content_type(),
        "charset": part.get_content_charset(),
        "transfer_encoding": part.get("Content-Transfer-Encoding"),
        "filename": part.get_filename(),
        "disposition": part.get_content_disposition(),
    }
    if isinstance(content, bytes):
        described["size"] = len(content)
        described["sha256"] = hashlib.sha256(content).hexdigest()
        described["base64"] = base64.b64encode(content).decode("ascii")
    else:
        described["content"] = content
    return described


class Sink:
    def __init__(self, outdir):
        self.outdir = outdir
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@")[0]
        if local == "nobody":
            return "550 5.1.1 No such user here"
        if local == "busy":
            return "450 4.2.1 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        message = BytesParser(policy=policy.default).parsebytes(raw)
        parts = list(message.iter_parts()) if message.is_multipart() else [message]
        defects = [repr(d) for d in message.defects]
        for part in parts:
            defects += [repr(d) for d in part.defects]
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            # session.ssl is set by STARTTLS only; an implicit-TLS connection shows in its transport.
            "tls": session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None,
            "authenticated": bool(session.authenticated),
            "content_type": message.get_content_type(),
            "subject": str(message["Subject"]),
            "from": str(message["From"]),
            "from_display_name": message["From"].addresses[0].display_name,
            "to": [str(address) for address in message["To"].addresses],
            "reply_to": str(message["Reply-To"]) if message["Reply-To"] else None,
            "date": str(message["Date"]),
            "date_timestamp": message["Date"].datetime.timestamp(),
            "message_id": str(message["Message-ID"]),
            "mime_version": str(message["MIME-Version"]),
            "extra": {key: str(value) for key, value in message.items() if key.lower().startswith("x-")},
            "parts": [describe(part) for part in parts],
            "defects": defects,
            "raw": raw.decode("latin-1"),
        }
        self.count += 1
        path = os.path.join(self.outdir, "message-%d.json" % self.count)
        with open(path + ".tmp", "w") as handle:
            json.dump(record, handle)
        os.rename(path + ".tmp", path)
        return "250 Message accepted for delivery"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def certificate(outdir):
    cert, key = os.path.join(outdir, "cert.pem"), os.path.join(outdir, "key.pem")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, capture_output=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("outdir")
    parser.add_argument("--security", default="none", choices=["none", "starttls", "tls"])
    parser.add_argument("--user")
    parser.add_argument("--password")
    args = parser.parse_args()

    options = {}
    if args.security != "none":
        context = certificate(args.outdir)
        if args.security == "starttls":
            options.update(tls_context=context, require_starttls=True)
        else:
            options.update(ssl_context=context)
    if args.user:
        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = isinstance(auth_data, LoginPassword) and auth_data.login == args.user.encode() \
                and auth_data.password == args.password.encode()
            return AuthResult(success=ok, handled=False)
        options.update(authenticator=authenticator, auth_required=True)

    port = free_port()
    controller = Controller(Sink(args.outdir), hostname="127.0.0.1", port=port, **options)
    controller.start()
    with open(os.path.join(args.outdir, "port.tmp"), "w") as handle:
        handle.write(str(port))
    os.rename(os.path.join(args.outdir, "port.tmp"), os.path.join(args.outdir, "port"))

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
