#!/usr/bin/python3
"""A small CRI client for the CRI suite (what crictl would do for it).

The runtime.v1 messages it speaks are those of cri.proto (ours: the part of
Kubernetes' API the suite uses); the Python stubs are generated from it with
grpc_tools.protoc into a directory of the caller's ($CRI_PY_DIR, made by
run.sh) or a temporary one, never committed. Requests are given as dicts
(json_format: field names as in the .proto), answers are messages.

The streaming calls (Exec, Attach, PortForward) return a URL of containerd's
streaming server; Stream speaks the WebSocket side of it (channel protocol
v4.channel.k8s.io: one byte of channel, then data), which that server
serves beside SPDY.

As a command (for a person at the shell):
    cri.py --sock SOCK call METHOD '{"field": ...}'     the answer as JSON
    cri.py image-archive ROOTFS.tar NAME OUT.tar '{"Entrypoint": [...]}'
"""
import base64
import hashlib
import json
import os
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))


def _stubs():
    d = os.environ.get("CRI_PY_DIR")
    if not d:
        d = tempfile.mkdtemp(prefix="nexcage-cri-py-")
        os.environ["CRI_PY_DIR"] = d
    if not os.path.exists(os.path.join(d, "cri_pb2_grpc.py")):
        gen(d)
    sys.path.insert(0, d)
    import cri_pb2  # noqa: E402
    import cri_pb2_grpc  # noqa: E402
    return cri_pb2, cri_pb2_grpc


def gen(d):
    """Generate cri_pb2.py and cri_pb2_grpc.py from cri.proto into d."""
    os.makedirs(d, exist_ok=True)
    subprocess.run([sys.executable, "-m", "grpc_tools.protoc", "-I" + HERE,
                    "--python_out=" + d, "--grpc_python_out=" + d,
                    os.path.join(HERE, "cri.proto")], check=True)


pb = None
pb_grpc = None


def _load():
    global pb, pb_grpc
    if pb is None:
        pb, pb_grpc = _stubs()


class CriError(Exception):
    """A CRI call that failed: the gRPC status code and containerd's text."""

    def __init__(self, method, code, details):
        super().__init__("%s: %s: %s" % (method, code, details))
        self.method = method
        self.code = code
        self.details = details


IMAGE_METHODS = ("ListImages", "ImageStatus")


class Cri:
    def __init__(self, sock, timeout=60):
        import grpc
        _load()
        self.grpc = grpc
        self.timeout = timeout
        self.channel = grpc.insecure_channel("unix://" + sock)
        self.runtime = pb_grpc.RuntimeServiceStub(self.channel)
        self.images = pb_grpc.ImageServiceStub(self.channel)

    def call(self, method, req=None, timeout=None, **kw):
        """METHOD with the request REQ (a dict, or keyword fields)."""
        from google.protobuf import json_format
        msg = getattr(pb, method + "Request")()
        json_format.ParseDict(dict(req or {}, **kw), msg)
        stub = self.images if method in IMAGE_METHODS else self.runtime
        try:
            return getattr(stub, method)(msg, timeout=timeout or self.timeout)
        except self.grpc.RpcError as e:
            raise CriError(method, e.code().name, e.details()) from None

    # the calls the scenarios make, by name
    def version(self):
        return self.call("Version", version="v1")

    def run_pod(self, config, handler):
        return self.call("RunPodSandbox", config=config, runtime_handler=handler).pod_sandbox_id

    def stop_pod(self, pod):
        return self.call("StopPodSandbox", pod_sandbox_id=pod)

    def remove_pod(self, pod):
        return self.call("RemovePodSandbox", pod_sandbox_id=pod)

    def pod_status(self, pod, verbose=False):
        return self.call("PodSandboxStatus", pod_sandbox_id=pod, verbose=verbose)

    def pods(self, labels=None):
        f = {"label_selector": labels} if labels else {}
        return list(self.call("ListPodSandbox", filter=f).items)

    def create(self, pod, config, sandbox_config):
        return self.call("CreateContainer", pod_sandbox_id=pod, config=config,
                         sandbox_config=sandbox_config).container_id

    def start(self, cid):
        return self.call("StartContainer", container_id=cid)

    def stop(self, cid, timeout=10):
        # (the request's "timeout" field is the grace period; the call's own
        # deadline is longer)
        return self.call("StopContainer", {"container_id": cid, "timeout": timeout},
                         timeout=timeout + 30)

    def remove(self, cid):
        return self.call("RemoveContainer", container_id=cid)

    def status(self, cid, verbose=False):
        return self.call("ContainerStatus", container_id=cid, verbose=verbose)

    def containers(self, pod=None, labels=None):
        f = {}
        if pod:
            f["pod_sandbox_id"] = pod
        if labels:
            f["label_selector"] = labels
        return list(self.call("ListContainers", filter=f).containers)

    def exec_sync(self, cid, cmd, timeout=20):
        return self.call("ExecSync", {"container_id": cid, "cmd": cmd, "timeout": timeout},
                         timeout=timeout + 30)

    def stats(self, cid):
        return self.call("ContainerStats", container_id=cid).stats

    def list_stats(self, pod=None):
        f = {"pod_sandbox_id": pod} if pod else {}
        return list(self.call("ListContainerStats", filter=f).stats)


def to_dict(msg):
    from google.protobuf import json_format
    return json_format.MessageToDict(msg, preserving_proto_field_name=True)


def verbose_info(resp):
    """The "info" map's JSON of a verbose ContainerStatus/PodSandboxStatus."""
    return json.loads(resp.info["info"]) if "info" in resp.info else {}


# --- the streaming server: WebSocket, channel protocol v4 --------------------

class StreamError(Exception):
    pass


class Stream:
    """One WebSocket to a URL of containerd's streaming server.

    Messages are binary: the first byte names the channel (remote command:
    0 stdin, 1 stdout, 2 stderr, 3 the status (v4: a JSON metav1.Status),
    4 resize; port forward: 2 per port, data then error, each opened by
    the port number in 2 bytes, little endian)."""

    def __init__(self, url, protocol="v4.channel.k8s.io", timeout=20):
        u = urllib.parse.urlsplit(url)
        if u.scheme != "http":
            raise StreamError("unexpected streaming URL %r" % url)
        self.sock = socket.create_connection((u.hostname, u.port or 80), timeout=timeout)
        self.buf = b""
        key = base64.b64encode(os.urandom(16)).decode()
        path = u.path + ("?" + u.query if u.query else "")
        req = ("GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n"
               "Sec-WebSocket-Protocol: %s\r\n\r\n") % (path, u.netloc, key, protocol)
        self.sock.sendall(req.encode())
        head = self._read_until(b"\r\n\r\n").decode("latin1")
        status = head.split("\r\n", 1)[0]
        if " 101 " not in status + " ":
            body = self.buf.decode("utf8", "replace")
            raise StreamError("no WebSocket upgrade: %s %s" % (status, body[:300]))
        accept = base64.b64encode(hashlib.sha1(
            (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()
        if accept not in head:
            raise StreamError("bad Sec-WebSocket-Accept in %r" % head)
        self.protocol = protocol
        for line in head.split("\r\n"):
            if line.lower().startswith("sec-websocket-protocol:"):
                self.protocol = line.split(":", 1)[1].strip()
        self.closed = False

    def _read(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("stream closed")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def _read_until(self, sep):
        while sep not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise StreamError("connection closed during the handshake: %r" % self.buf[:300])
            self.buf += chunk
        i = self.buf.index(sep) + len(sep)
        out, self.buf = self.buf[:i], self.buf[i:]
        return out

    def _send_frame(self, opcode, payload):
        head = bytes([0x80 | opcode])
        n = len(payload)
        if n < 126:
            head += bytes([0x80 | n])
        elif n < 65536:
            head += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            head += bytes([0x80 | 127]) + struct.pack(">Q", n)
        mask = os.urandom(4)
        body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(head + mask + body)

    def send(self, channel, data):
        if isinstance(data, str):
            data = data.encode()
        self._send_frame(0x2, bytes([channel]) + data)

    def recv(self):
        """(channel, data) of the next message; None once the server closed."""
        if self.closed:
            return None
        msg = b""
        while True:
            try:
                b0, b1 = self._read(2)
            except EOFError:
                self.closed = True
                return None
            n = b1 & 0x7f
            if n == 126:
                n = struct.unpack(">H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._read(8))[0]
            mask = self._read(4) if b1 & 0x80 else None
            payload = self._read(n)
            if mask:
                payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
            op = b0 & 0x0f
            if op == 0x8:  # close
                self.closed = True
                try:
                    self._send_frame(0x8, payload[:2])
                except OSError:
                    pass
                return None
            if op == 0x9:  # ping
                self._send_frame(0xA, payload)
                continue
            if op == 0xA:
                continue
            msg += payload
            if b0 & 0x80:
                break
        if self.protocol.startswith("v4.base64") or self.protocol == "base64.channel.k8s.io":
            return (int(chr(msg[0])), base64.b64decode(msg[1:]))
        if not msg:
            return self.recv()
        return (msg[0], msg[1:])

    def close(self):
        try:
            if not self.closed:
                self._send_frame(0x8, struct.pack(">H", 1000))
        except OSError:
            pass
        self.sock.close()


def stream_command(url, stdin_lines=None, until=None, timeout=20):
    """Run an Exec or Attach URL: send STDIN_LINES on stdin (one message
    each), collect stdout and stderr until the server closes (the command
    ended) or, when UNTIL is given, until stdout holds UNTIL. Returns
    (stdout, stderr, exit code or None, status JSON or None)."""
    s = Stream(url, timeout=timeout)
    out, err, status = b"", b"", None
    deadline = time.time() + timeout
    try:
        for line in stdin_lines or ():
            s.send(0, line)
        while time.time() < deadline:
            m = s.recv()
            if m is None:
                break
            ch, data = m
            if ch == 1:
                out += data
            elif ch == 2:
                err += data
            elif ch == 3 and data:
                status = json.loads(data)
            if until is not None and until.encode() in out:
                break
    finally:
        s.close()
    code = None
    if status is not None:
        if status.get("status") == "Success":
            code = 0
        else:
            for c in status.get("details", {}).get("causes", []):
                if c.get("reason") == "ExitCode":
                    code = int(c.get("message"))
    return out.decode("utf8", "replace"), err.decode("utf8", "replace"), code, status


def port_forward(url, port, data, timeout=20):
    """Send DATA to PORT of the pod through a PortForward URL; return what
    came back (until the pod's side closed) and the error channel's text."""
    sep = "&" if "?" in url else "?"
    s = Stream(url + sep + "port=%d" % port, timeout=timeout)
    got, errs = b"", b""
    opened = set()
    deadline = time.time() + timeout
    try:
        sent = False
        while time.time() < deadline:
            if not sent and opened >= {0, 1}:
                s.send(0, data)
                sent = True
            m = s.recv()
            if m is None:
                break
            ch, payload = m
            if ch not in opened:  # each channel opens with its port number
                opened.add(ch)
                payload = payload[2:]
            if ch == 0:
                got += payload
            elif ch == 1:
                errs += payload
    finally:
        s.close()
    return got, errs.decode("utf8", "replace")


# --- images ------------------------------------------------------------------

def image_archive(rootfs_tar, name, out, config):
    """A docker-archive (what `docker save` writes, which `ctr images
    import` reads) of one layer, ROOTFS_TAR, with CONFIG as the image's
    container config (Entrypoint, Cmd, Env...)."""
    import tarfile
    import io
    with open(rootfs_tar, "rb") as f:
        layer = f.read()
    diff = hashlib.sha256(layer).hexdigest()
    cfg = json.dumps({
        "architecture": "amd64", "os": "linux",
        "created": "2026-01-01T00:00:00Z",
        "config": config,
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + diff]},
        "history": [{"created": "2026-01-01T00:00:00Z", "created_by": "nexcage tests/cri"}],
    }, sort_keys=True).encode()
    cfg_id = hashlib.sha256(cfg).hexdigest()
    manifest = json.dumps([{"Config": cfg_id + ".json", "RepoTags": [name],
                            "Layers": [diff + "/layer.tar"]}]).encode()
    with tarfile.open(out, "w") as t:
        for path, data in ((diff + "/layer.tar", layer), (cfg_id + ".json", cfg),
                           ("manifest.json", manifest)):
            ti = tarfile.TarInfo(path)
            ti.size = len(data)
            ti.mtime = 0
            t.addfile(ti, io.BytesIO(data))


def main(argv):
    sock = os.environ.get("CRI_SOCK", "")
    if argv[:1] == ["--sock"]:
        sock, argv = argv[1], argv[2:]
    if argv[:1] == ["gen"]:
        gen(argv[1])
    elif argv[:1] == ["call"]:
        c = Cri(sock)
        req = json.loads(argv[2]) if len(argv) > 2 else {}
        print(json.dumps(to_dict(c.call(argv[1], req)), indent=1))
    elif argv[:1] == ["image-archive"]:
        image_archive(argv[1], argv[2], argv[3], json.loads(argv[4]))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
