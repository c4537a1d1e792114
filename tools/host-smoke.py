#!/usr/bin/env python3
# Smoke check of the host over real TCP: framing, pipelining, closes, blocked-worker
# disconnects and a client that never reads. Usage: tools/host-smoke.py HOST PORT
import socket, sys, time, uuid, threading
HOST, PORT = sys.argv[1], int(sys.argv[2])
def conn():
    s = socket.create_connection((HOST, PORT)); s.settimeout(5); return s
def recv_all(s, timeout=3):
    s.settimeout(timeout); out = b''
    try:
        while True:
            d = s.recv(65536)
            if not d: return out, True
            out += d
    except socket.timeout:
        return out, False
def jid(): return str(uuid.uuid4())
ok = True
def check(name, cond, info=''):
    global ok
    print(('PASS ' if cond else 'FAIL ') + name, '' if cond else info); ok = ok and cond

# 1. pipelined adds, then half-close: every reply arrives, then the server closes
s = conn()
n = 300
s.sendall(b''.join(f'add {jid()} pipe 5000 60000 3\r\nabc\r\n'.encode() for _ in range(n)))
s.shutdown(socket.SHUT_WR)
out, closed = recv_all(s)
check('pipelined adds', out == b'+OK\r\n' * n and closed, (len(out), closed))

# 2. line too long
s = conn()
s.sendall(b'x' * 70000)
out, closed = recv_all(s)
check('line too long', out == b'-CLIENT-ERROR Line too long\r\n' and closed, (out[:80], closed))

# 3. bad data end closes, data never read as commands
s = conn()
s.sendall(f'add {jid()} q 1000 60000 2\r\nabc\r\ninspect server\r\n'.encode())
out, closed = recv_all(s)
check('bad data end', out == b'-CLIENT-ERROR Invalid payload size\r\n' and closed, (out, closed))

# 4. parse error keeps going
s = conn()
s.sendall(b'bogus\r\nlease nothing 0\r\n')
s.shutdown(socket.SHUT_WR)
out, closed = recv_all(s)
check('error then continue', out == b'-CLIENT-ERROR Unknown command\r\n-TIMEOUT\r\n' and closed, (out, closed))

# 5. a blocked worker that disconnects stops waiting
w1 = conn(); w1.sendall(b'lease gone 10000\r\n'); time.sleep(0.2); w1.close(); time.sleep(0.2)
w2 = conn(); w2.sendall(b'lease gone 10000\r\n'); time.sleep(0.2)
a = conn(); i = jid(); a.sendall(f'add {i} gone 5000 60000 2\r\nhi\r\n'.encode())
out, _ = recv_all(w2, 2)
check('disconnected worker skipped', out.startswith(b'+OK 1\r\n' + i.encode()), out)
w2.close(); a.close()

# 6. a client that never reads does not stall others
hog = conn(); hog.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
stop = False
def flood():
    try:
        while not stop:
            hog.sendall(b'inspect server\r\n' * 1000)
    except Exception as e:
        pass
t = threading.Thread(target=flood, daemon=True); t.start()
time.sleep(2)
t0 = time.time(); c = conn(); c.sendall(b'inspect server\r\n'); c.shutdown(socket.SHUT_WR)
out, closed = recv_all(c)
check('others unaffected by hog', out.startswith(b'+OK 1') and closed and time.time() - t0 < 1, (out[:20], time.time()-t0))
stop = True; hog.close()

# 7. ordering with a blocking command in the middle
s = conn(); i = jid()
s.sendall(f'lease order 300\r\nadd {i} order 5000 60000 1\r\nx\r\nlease order 0\r\n'.encode())
time.sleep(1); s.shutdown(socket.SHUT_WR)
out, closed = recv_all(s)
check('blocking order', out.startswith(b'-TIMEOUT\r\n+OK\r\n+OK 1\r\n' + i.encode()), out)
print('ALL PASS' if ok else 'SOME FAILED')
