# Regenerates cpython-asynchat-cases.txt (run from this folder with python3.11) using CPython's own asynchat.
# Each line: terminator script | stream (hex) | read sizes | events ("c<hex>" = collect_incoming_data, "f" = found_terminator).
# found_terminator sets the next terminator of the script (None once it runs out). Used by CPythonRecordedCasesTest.
import random, warnings
warnings.simplefilter("ignore")
import asynchat

class Chat(asynchat.async_chat):
    def __init__(self, script, chunks):
        asynchat.async_chat.__init__(self)
        self.script = script; self.i = 0; self.events = []; self.chunks = list(chunks)
        self.set_terminator(script[0])
    def recv(self, n):
        return self.chunks.pop(0)
    def collect_incoming_data(self, data):
        self.events.append('c' + data.hex())
    def found_terminator(self):
        self.events.append('f')
        self.i += 1
        self.set_terminator(self.script[self.i] if self.i < len(self.script) else None)

rnd = random.Random(42)
terms = [b'\n', b'\r\n', b'aab', b'aaab', b'abab', b'aa', b'a', b'ba', b'abaab']
out = []
for case in range(600):
    script = []
    for _ in range(rnd.randint(1, 6)):
        r = rnd.random()
        if r < 0.25: script.append(rnd.randint(1, 8))
        elif r < 0.3: script.append(None)
        else: script.append(rnd.choice(terms) if rnd.random() < 0.7 else bytes(rnd.choice(b'ab') for _ in range(rnd.randint(1, 4))))
    stream = bytes(rnd.choice(b'ab\r\nx') for _ in range(rnd.randint(1, 60)))
    cuts = []; left = len(stream)
    mx = rnd.choice([1, 2, 3, 5, 100])
    while left:
        c = min(left, rnd.randint(1, mx)); cuts.append(c); left -= c
    chunks = []; p = 0
    for c in cuts: chunks.append(stream[p:p+c]); p += c
    ch = Chat(script, chunks)
    for _ in cuts: ch.handle_read()
    def enc(t):
        if t is None: return 'x'
        if isinstance(t, int): return 'n%d' % t
        return 'b' + t.hex()
    out.append('%s|%s|%s|%s' % (','.join(enc(t) for t in script), stream.hex(), ','.join(map(str, cuts)), ','.join(ch.events)))
open('cpython-asynchat-cases.txt', 'w').write('\n'.join(out) + '\n')
print(len(out))
