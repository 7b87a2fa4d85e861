#!/usr/bin/env python3
"""udpknock's knock client for machines without Java: Python 3, standard library only.

The same options, defaults and exit codes as `udpknock knock` (see --help), and the same
authenticated payload, from the same key file, checked the same way. One authenticated knock
datagram is exactly 58 bytes, network byte order (org.udpknock.auth.AuthPayload):

    offset  size  field
         0     1  version = 2
         1     1  stage: 1-based position in the sequence of the port it is sent to
         2     8  timestamp: signed 64-bit nanoseconds since the Unix epoch (UTC)
        10    16  nonce: random, fresh for every datagram
        26    32  tag = HMAC-SHA256(key, "udpknock-knock-v2" || bytes 0..25
                                         || len(server id) (1 byte) || server id (ASCII))

The server id is not sent: both sides know it, so a knock signed for one server opens no other.
A plain knock is an empty datagram. All knocks leave from one unconnected UDP socket: the knock
ports are closed, and a connected socket would fail its next send after the ICMP unreachable.
"""

import argparse
import hashlib
import hmac
import os
import re
import secrets
import socket
import stat
import struct
import sys
import threading
import time

PROG = "udpknock-knock.py"
VERSION = 2
LABEL = b"udpknock-knock-v2"
NONCE_LENGTH = 16
KEY_LENGTH = 32
MAX_KEY_FILE_BYTES = 1024
MAX_SEQUENCE = 32
MAX_GREETING_BYTES = 64 * 1024
MIN_SETTLE_SECONDS = 0.1
RELAY_GRACE_SECONDS = 1.0
OK, FAILURE, USAGE = 0, 1, 2
# Test hook, never for real knocks: "NANOS:NONCE_HEX" fixes every payload's time and nonce, so a
# test can compare the bytes with the Java client's (the server refuses the repeated nonces).
FIXED_ENV = "UDPKNOCK_TEST_FIXED_TIME_AND_NONCE"


class Failure(Exception):
    """One sentence for the user, and the exit code."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def payload(key, server_id, stage, time_ns, nonce):
    """The authenticated payload of the datagram to the `stage`th port (see the table above)."""
    signed = struct.pack(">BBq16s", VERSION, stage, time_ns, nonce)
    server = server_id.encode("ascii")
    tag = hmac.new(key, LABEL + signed + bytes([len(server)]) + server, hashlib.sha256).digest()
    return signed + tag


# --- Key files: checked as KeyFile.java checks them (and as ssh checks its keys) ---------------

SERVER_ID = re.compile(r"[\x21-\x7e]{1,64}")


def read_key(path, server_id_option):
    """(key bytes, server id) from the key file; the option overrides the file's server-id line."""
    if server_id_option is not None and not SERVER_ID.fullmatch(server_id_option):
        raise Failure(USAGE, "--server-id must be 1-64 printable ASCII characters without spaces,"
                      f" not '{server_id_option}'.")
    check_key_file(path)
    key, server_id = parse_key(path, read_bounded(path))
    if server_id_option is not None:
        return key, server_id_option
    if server_id is None:
        raise Failure(FAILURE, f"{path} names no server: add a line 'server-id NAME' to it (the same"
                      " on the server and its clients), or give --server-id NAME.")
    return key, server_id


def check_key_file(path):
    """A regular file of this user (or root), no bit for group or others, in safe directories."""
    if os.path.isdir(path):
        raise Failure(FAILURE, f"{path} is a directory; give the path of a key file written by 'udpknock keygen'")
    if not os.path.exists(path):
        raise Failure(FAILURE, f"key file {path} does not exist; create one with: udpknock keygen {path}")
    info = os.stat(path)
    if not stat.S_ISREG(info.st_mode):
        raise Failure(FAILURE, f"{path} is not a regular file (a FIFO, device or socket);"
                      " give the path of a key file written by 'udpknock keygen'")
    if info.st_uid not in (os.getuid(), 0):
        raise Failure(FAILURE, f"key file {path} belongs to another user (uid {info.st_uid});"
                      f" make it yours: chown {os.environ.get('USER', os.getuid())} {path}")
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o077:
        raise Failure(FAILURE, f"key file {path} has mode {mode:04o}, which gives group or others"
                      f" access; run: chmod 600 {path}")
    for directory in directories_above(path):
        mode = os.stat(directory).st_mode
        if mode & 0o022 and not mode & stat.S_ISVTX:
            raise Failure(FAILURE, f"key file {path} is in {directory}, which group or others can"
                          f" write (so they could swap the key); run: chmod go-w {directory}")


def directories_above(path):
    """Every directory above the file, as named and as resolved (a symlink's target counts too)."""
    directories = []
    for start in (os.path.abspath(path), os.path.realpath(path)):
        directory = os.path.dirname(start)
        while directory not in directories:
            directories.append(directory)
            directory = os.path.dirname(directory)
    return directories


def read_bounded(path):
    try:
        with open(path, "rb") as file:
            data = file.read(MAX_KEY_FILE_BYTES + 1)
    except PermissionError:
        raise Failure(FAILURE, f"{path} is not readable by this user; run as its owner or fix its owner")
    except OSError as e:
        raise Failure(FAILURE, f"{path} could not be read ({e.strerror}); check the path")
    if len(data) > MAX_KEY_FILE_BYTES:
        raise ill_formed(path)
    return data


def parse_key(path, data):
    """64 hex digits, then optionally 'server-id NAME'; blank lines and outer spaces are ignored."""
    lines = [line.strip() for line in re.split(r"\r\n|\r|\n", data.decode("ascii", "replace"))]
    lines = [line for line in lines if line]
    if not lines or len(lines) > 2 or not re.fullmatch(r"[0-9a-fA-F]{64}", lines[0]):
        raise ill_formed(path)
    if len(lines) == 1:
        return bytes.fromhex(lines[0]), None
    words = re.split(r"[ \t\n\x0b\f\r]+", lines[1])
    if len(words) != 2 or words[0] != "server-id" or not SERVER_ID.fullmatch(words[1]):
        raise Failure(FAILURE, f"{path} has an ill-formed second line: it must be 'server-id NAME',"
                      " NAME being 1-64 printable ASCII characters without spaces")
    return bytes.fromhex(lines[0]), words[1]


def ill_formed(path):
    return Failure(FAILURE, f"{path} does not hold a key: it must be one line of 64 hex digits"
                   " and a line 'server-id NAME', as written by 'udpknock keygen'")


# --- Knocking --------------------------------------------------------------------------------

def payloads(args):
    """A function of the stage giving each datagram's payload, made right before it is sent."""
    if args.secret_file is None:
        return lambda stage: b""
    key, server_id = read_key(args.secret_file, args.server_id)
    fixed = os.environ.get(FIXED_ENV)
    if fixed:
        nanos, nonce = fixed.split(":")
        return lambda stage: payload(key, server_id, stage, int(nanos), bytes.fromhex(nonce))
    return lambda stage: payload(key, server_id, stage, time.time_ns(), secrets.token_bytes(NONCE_LENGTH))


def knock(host, source, sequence, delay_seconds, payload_for_stage):
    with socket.socket(host[0], socket.SOCK_DGRAM) as udp:
        if source:
            udp.bind(source)
        for index, port in enumerate(sequence):
            if index > 0 and delay_seconds > 0:
                time.sleep(delay_seconds)
            udp.sendto(payload_for_stage(index + 1), (host[1][0], port) + host[1][2:])


def retrying(timeout_seconds, attempt):
    """Calls attempt(remaining seconds) until it returns something or the time is up; backs off."""
    deadline = time.monotonic() + timeout_seconds
    pause = 0.0005
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        value = attempt(remaining)
        if value is not None:
            return value
        time.sleep(max(0.0, min(pause, deadline - time.monotonic())))
        pause = min(0.05, pause * 2)


def connect(host, source, port, timeout):
    tcp = socket.socket(host[0], socket.SOCK_STREAM)
    try:
        if source:
            tcp.bind(source)
        tcp.settimeout(timeout)
        tcp.connect((host[1][0], port) + host[1][2:])
        return tcp
    except BaseException:
        tcp.close()
        raise


def try_greeting(host, source, port, remaining):
    """The greeting, or None to try again: refused or reset (not open to us yet), timed out, or no byte."""
    try:
        with connect(host, source, port, remaining) as tcp:
            data = b""
            while len(data) < MAX_GREETING_BYTES:
                chunk = tcp.recv(4096)
                if not chunk:
                    break
                data += chunk
    except (ConnectionRefusedError, ConnectionResetError, socket.timeout):
        return None
    if not data:
        return None
    text = data.decode("utf-8", "replace")
    return text[:-1] if text.endswith("\n") else text


def try_relay_connection(host, source, port, remaining):
    """An open connection and its first bytes, or None: refused, or reset or closed without a byte in the
    settle time (a listener held open by someone else's grant), as KnockClient.connectForRelay."""
    start = time.monotonic()
    try:
        tcp = connect(host, source, port, remaining)
    except (ConnectionRefusedError, ConnectionResetError, socket.timeout):
        return None
    tcp.settimeout(max(MIN_SETTLE_SECONDS, 4 * (time.monotonic() - start)))
    try:
        first = tcp.recv(4096)
    except socket.timeout:
        first = None  # Open and quiet: a service where the client speaks first.
    except ConnectionResetError:
        first = b""  # Reset: closed with unread bytes, as a refused connection is.
    if first == b"":
        tcp.close()
        return None
    tcp.settimeout(None)
    return tcp, first or b""


def relay(tcp, first):
    """Stdin to the server (its end a half-close), the server to stdout (its end closes stdout)."""
    def upstream():
        try:
            while True:
                data = os.read(0, 65536)
                if not data:
                    tcp.shutdown(socket.SHUT_WR)
                    return
                tcp.sendall(data)
        except OSError:
            pass  # The server is gone: the other direction sees it and reports.

    thread = threading.Thread(target=upstream, daemon=True)
    thread.start()
    with tcp:
        write_all(1, first)
        for data in iter(lambda: tcp.recv(65536), b""):
            write_all(1, data)
        os.close(1)
        thread.join(RELAY_GRACE_SECONDS)


def write_all(fd, data):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


# --- Command line: the options of `udpknock knock` --------------------------------------------

DURATION = re.compile(r"([0-9]{1,12})(ns|us|ms|s|m|h)?")
UNIT_NANOS = {"h": 3_600_000_000_000, "m": 60_000_000_000, "s": 1_000_000_000,
              "ms": 1_000_000, "us": 1_000, "ns": 1}


def duration_seconds(text):
    match = DURATION.fullmatch(text.strip().lower())
    if not match:
        raise argparse.ArgumentTypeError(f"'{text}' is not a duration; write it like 5s, 500ms or 2m")
    nanos = int(match.group(1)) * UNIT_NANOS[match.group(2) or "s"]
    if nanos > 2 ** 63 - 1:
        raise argparse.ArgumentTypeError(f"'{text}' is too long a duration")
    return nanos / 1e9


def port_sequence(text):
    parts = text.split(",")
    if len(parts) > MAX_SEQUENCE:
        raise argparse.ArgumentTypeError(f"'{text}' has {len(parts)} ports; a sequence has 1 to {MAX_SEQUENCE}")
    ports = [part.strip() for part in parts]
    if not all(re.fullmatch(r"[0-9]{1,5}", port) and 1 <= int(port) <= 65535 for port in ports):
        raise argparse.ArgumentTypeError(f"'{text}' is not a sequence of ports; write ports 1-65535"
                                         " separated by commas, like 7000,8000,9000")
    return [int(port) for port in ports]


class Parser(argparse.ArgumentParser):
    def error(self, message):
        raise Failure(USAGE, f"{message}. See '{PROG} --help'.")


def parser():
    p = Parser(prog=PROG, allow_abbrev=False, formatter_class=argparse.RawDescriptionHelpFormatter,
               description="Knock on the UDP sequence of HOST, then print the greeting of its service port.\n"
               "With --pipe, relay stdin and stdout to PORT of HOST instead, as ssh's ProxyCommand needs:\n"
               f"  ProxyCommand {PROG} --pipe %h %p",
               epilog="The options, defaults and exit codes of 'udpknock knock'; the same key files,\n"
               "checked the same way. -V prints this script's version, not a udpknock build's.\n\n"
               "Exit codes: 0 greeted (--pipe: relayed until the server closed), 1 no greeting\n"
               "(--pipe: no connection) in time or a network error, 2 bad usage.")
    p.add_argument("-V", "--version", action="version", version=f"{PROG} (payload version {VERSION})")
    p.add_argument("host", metavar="HOST", help="Name or address (IPv4 or IPv6) of the server.")
    p.add_argument("port", metavar="PORT", nargs="?", type=int, help="With --pipe: the TCP port of HOST to relay to.")
    p.add_argument("--connect-timeout", metavar="DURATION", type=duration_seconds, default="3s",
                   help="How long to keep trying the service port. Default: 3s.")
    p.add_argument("--delay", metavar="DURATION", type=duration_seconds, default="0ms",
                   help="Pause between knocks. Default: 0ms.")
    p.add_argument("--no-connect", action="store_true", help="Only knock; do not connect to the service port.")
    p.add_argument("--pipe", action="store_true",
                   help="After the knock, connect to PORT of HOST (the address knocked, resolved once) and relay"
                   " stdin and stdout both ways until the server closes; refusals are retried for"
                   " --connect-timeout. Errors go to stderr only.")
    p.add_argument("--secret-file", metavar="FILE",
                   help="Send authenticated knocks signed with the key in FILE (mode 0600, from 'udpknock"
                   " keygen'), for a server run with the same --secret-file.")
    p.add_argument("--sequence", metavar="PORTS", type=port_sequence, default="12001,12002,12003",
                   help="Ports to knock on, in order (1 to 32 ports). Default: 12001,12002,12003.")
    p.add_argument("--server-id", metavar="NAME",
                   help="With --secret-file: the id of the server knocked, which the knocks' tags cover;"
                   " overrides the key file's 'server-id' line.")
    p.add_argument("--service-port", metavar="PORT", type=int, default=2223,
                   help="TCP port opened to sources that knock. Default: 2223.")
    p.add_argument("--source", metavar="ADDRESS", help="Local address to knock and connect from.")
    return p


def resolve(name, what):
    """The first address of `name`, IPv4 first as Java's InetAddress.getByName: (family, sockaddr)."""
    if not name.strip():
        raise Failure(USAGE, f"the {what} is empty; give a name that resolves or an IPv4/IPv6 address.")
    try:
        found = socket.getaddrinfo(name, 0, 0, socket.SOCK_DGRAM)
    except (socket.gaierror, UnicodeError):
        raise Failure(USAGE, f"unknown {what} '{name}'; give a name that resolves or an IPv4/IPv6 address.")
    found.sort(key=lambda info: info[0] != socket.AF_INET)
    return found[0][0], found[0][4]


def connect_port(args, explicit_service_port):
    """The TCP port to connect to, after the checks `udpknock knock` makes before knocking."""
    if not args.pipe:
        if args.port is not None:
            raise Failure(USAGE, f"PORT ({args.port}) is for --pipe only; to knock and relay, run:"
                          f" {PROG} --pipe {args.host} {args.port}.")
        port = args.service_port
        if not 1 <= port <= 65535:
            raise Failure(USAGE, f"--service-port must be 1-65535, not {port}.")
        return port
    if args.port is None:
        raise Failure(USAGE, f"--pipe needs the PORT to relay to after HOST, as in: {PROG} --pipe {args.host} 22.")
    if not 1 <= args.port <= 65535:
        raise Failure(USAGE, f"PORT must be 1-65535, not {args.port}.")
    if args.no_connect or explicit_service_port:
        raise Failure(USAGE, "--pipe connects to PORT; drop " + ("--no-connect." if args.no_connect else "--service-port."))
    return args.port


def run(argv):
    args = parser().parse_args(argv)
    port = connect_port(args, any(a == "--service-port" or a.startswith("--service-port=") for a in argv))
    payload_for_stage = payloads(args)
    host = resolve(args.host, "host")
    source = resolve(args.source, "--source address")[1] if args.source else None
    try:
        knock(host, source, args.sequence, args.delay, payload_for_stage)
    except OSError as e:
        raise Failure(FAILURE, f"could not send the knocks to {args.host}: {e.strerror or e};"
                      " check the address and --source.")
    if args.no_connect:
        return OK
    timeout_ms = int(args.connect_timeout * 1000)
    try:
        if args.pipe:
            return pipe(args, host, source, port, timeout_ms)
        greeting = retrying(args.connect_timeout, lambda left: try_greeting(host, source, port, left))
    except OSError as e:
        raise Failure(FAILURE, f"could not connect to {args.host} port {port} ({e.strerror or e});"
                      " check the address and --source")
    if greeting is None:
        raise Failure(FAILURE, f"no greeting from {args.host} port {port} within {timeout_ms} ms: the port"
                      " stayed closed to us; check the sequence, that the server runs and sniffs the"
                      " interface the knocks arrive on")
    print(greeting)
    return OK


def pipe(args, host, source, port, timeout_ms):
    where = f"{args.host} port {port}"
    connection = retrying(args.connect_timeout, lambda left: try_relay_connection(host, source, port, left))
    if connection is None:
        raise Failure(FAILURE, f"could not connect to {where} within {timeout_ms} ms of the knock: the port"
                      " stayed closed to us; check the sequence and the key, that the server runs and"
                      f" guards port {port}, or give a longer --connect-timeout")
    try:
        relay(*connection)
    except OSError as e:
        raise Failure(FAILURE, f"the connection to {where} broke ({e.strerror or e})")
    return OK


def main():
    try:
        sys.exit(run(sys.argv[1:]))
    except Failure as failure:
        message = str(failure).strip()
        print(f"{PROG}: {message if message.endswith('.') else message + '.'}", file=sys.stderr)
        sys.exit(failure.code)
    except KeyboardInterrupt:
        sys.exit(FAILURE)


if __name__ == "__main__":
    main()
