/*
 * tlsgen: the TLS load generator of the asyncore benchmarks (issue 13).
 *
 * C with OpenSSL, one thread, Linux epoll: TLS 1.3 only, the one cipher suite TLS_AES_128_GCM_SHA256,
 * the one key-exchange group X25519, no session resumption; every connection is checked to have
 * negotiated exactly that, or the run fails. After a warm-up that is the same for every server
 * (--warm-handshakes seconds of handshakes, --warm-bulk MiB of bulk echo, then ping-pong), it runs:
 *
 *   pingpong   C connections (--connections, default 50), one 64-byte message each in flight; round
 *              trips/s, latency, and the server's CPU per round trip;
 *   bulk       one connection streaming 16 KiB records (64 KiB chunks of 64-byte lines), reading the
 *              echo back; MB/s, and the server's CPU per echoed byte;
 *   handshake  --window connections at a time, each: a new TCP connection, a full handshake, one
 *              64-byte echo, close_notify and close; handshakes/s and the server's CPU per handshake;
 *   idle       --idle connections opened (each after its handshake and one echo) and held idle; the
 *              server's live heap (a full GC through jcmd GC.class_histogram before and after) and its
 *              RSS, per connection.
 *
 * Each scenario appends one line "server=NAME scenario=tls-<scenario> rep=K key=value..." to --out,
 * which Report (benchmarks/src/main/java/.../report) reads. Server CPU is read from /proc/PID/stat,
 * as loadgen does. Every run is bounded in time and fails with a message if the server stops
 * answering for 10 s. Connections end with close_notify and then a reset (SO_LINGER 0), so that
 * many thousands of handshakes leave no TIME_WAIT behind.
 *
 * Build: cc -O2 -Wall -Wextra -std=c11 -o tlsgen tlsgen.c -lssl -lcrypto   (benchmarks/run.sh does
 * this; Debian and Ubuntu: apt-get install -y libssl-dev). Needs OpenSSL 1.1.1 or later.
 */

static const char USAGE[] =
    "usage: tlsgen --server=NAME --port=P --pid=SERVER_PID --out=FILE [--cafile=PEM] [--seconds=5] [--warmup=1]\n"
    "              [--rep=1] [--scenarios=pingpong,bulk,handshake,idle] [--connections=50] [--window=16]\n"
    "              [--idle=2000] [--warm-handshakes=35] [--warm-bulk=1536] [--jcmd=PATH]\n"
    "  --cafile           the server's CA certificate: the chain and 127.0.0.1 are verified (unverified without)\n"
    "  --warm-handshakes  seconds of handshakes before anything is measured\n"
    "  --warm-bulk        MiB of bulk echo before anything is measured\n"
    "  --jcmd             the jcmd of the server's JDK, for the idle run's live heap (n/a without)\n";

static const char PROGRAM[] = "tlsgen: ";
#include "bench.h"

#include <limits.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#define CIPHER "TLS_AES_128_GCM_SHA256"
#define GROUP "X25519"
#define RECORD 16384              /* plaintext per SSL_write in the bulk stream: one full record */
#define WRITES_PER_EVENT 4        /* bulk: records written per readiness event, so reading keeps up */
#define WARM_PINGPONG_SECONDS 2.0

/* ------------------------------------------------------------------ options */

struct options {
    struct common_options run; /* server, port, pid, out, seconds, warmup, address */
    const char *scenarios, *jcmd, *cafile;
    int rep, connections, window, idle;
    double warm_handshakes, warm_bulk_mib;
};

static void parse_options(int argc, char **argv, struct options *o) {
    static const char *names[] = {COMMON_OPTIONS, "rep", "scenarios", "connections", "window", "idle", "warm-handshakes",
                                  "warm-bulk", "jcmd", "cafile"};
    enum { N_NAMES = sizeof names / sizeof names[0] };
    const char *value[N_NAMES] = {0};
    read_options(argc, argv, names, N_NAMES, value, &o->run, 5);
    o->rep = value[6] ? (int)parse_whole("rep", value[6], 1, 1000000) : 1;
    o->scenarios = value[7] ? value[7] : "pingpong,bulk,handshake,idle";
    o->connections = value[8] ? (int)parse_whole("connections", value[8], 1, 10000) : 50;
    o->window = value[9] ? (int)parse_whole("window", value[9], 1, 1000) : 16;
    o->idle = value[10] ? (int)parse_whole("idle", value[10], 1, 100000) : 2000;
    o->warm_handshakes = value[11] ? parse_real("warm-handshakes", value[11]) : 35;
    o->warm_bulk_mib = value[12] ? parse_real("warm-bulk", value[12]) : 1536;
    if (o->warm_handshakes < 0 || o->warm_handshakes > 600 || o->warm_bulk_mib < 0 || o->warm_bulk_mib > 65536) {
        usage_fail("--warm-handshakes must be in [0, 600] and --warm-bulk in [0, 65536], got %g and %g", o->warm_handshakes,
                   o->warm_bulk_mib);
    }
    o->jcmd = value[13];
    o->cafile = value[14];
    char *copy = strdup(o->scenarios);
    for (char *save, *s = strtok_r(copy, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
        while (*s == ' ') s++;
        if (!list_has("pingpong,bulk,handshake,idle", s)) {
            usage_fail("unknown scenario '%s' in --scenarios (pingpong, bulk, handshake, idle)", s);
        }
    }
    free(copy);
}

/* ------------------------------------------------------------------ TLS */

static SSL_CTX *tls;
static int verifying;

/* OpenSSL's first queued error, for a message; "no detail" if none. */
static const char *tls_detail(void) {
    static char buf[256];
    unsigned long e = ERR_get_error();
    if (!e) return "no detail";
    ERR_error_string_n(e, buf, sizeof buf);
    ERR_clear_error();
    return buf;
}

/* The client context: TLS 1.3, CIPHER over GROUP only, no session cache (every handshake is full). */
static void tls_setup(const char *cafile) {
    tls = SSL_CTX_new(TLS_client_method());
    if (!tls) die("OpenSSL cannot make a TLS client context: %s", tls_detail());
    if (!SSL_CTX_set_min_proto_version(tls, TLS1_3_VERSION) || !SSL_CTX_set_max_proto_version(tls, TLS1_3_VERSION)) {
        die("this OpenSSL cannot limit itself to TLS 1.3 (it needs 1.1.1 or later): %s", tls_detail());
    }
    if (!SSL_CTX_set_ciphersuites(tls, CIPHER)) die("this OpenSSL does not offer %s: %s", CIPHER, tls_detail());
    if (!SSL_CTX_set1_groups_list(tls, GROUP)) die("this OpenSSL does not offer the group %s: %s", GROUP, tls_detail());
    SSL_CTX_set_session_cache_mode(tls, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_mode(tls, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    if (cafile) {
        if (!SSL_CTX_load_verify_locations(tls, cafile, NULL)) die("cannot load the CA certificate %s: %s", cafile, tls_detail());
        SSL_CTX_set_verify(tls, SSL_VERIFY_PEER, NULL);
        verifying = 1;
    }
}

/* A client session on fd, checking the server's certificate for 127.0.0.1 when --cafile was given. */
static SSL *tls_new(int fd) {
    SSL *s = SSL_new(tls);
    if (!s || !SSL_set_fd(s, fd)) die("OpenSSL cannot make a session: %s", tls_detail());
    if (verifying && !X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(s), "127.0.0.1")) die("cannot verify by IP: %s", tls_detail());
    SSL_set_connect_state(s);
    return s;
}

/* After a handshake: dies unless it negotiated TLS 1.3, CIPHER and GROUP. */
static void tls_check(SSL *s, const struct options *o) {
    const char *cipher = SSL_get_cipher_name(s);
    if (SSL_version(s) != TLS1_3_VERSION || !cipher || strcmp(cipher, CIPHER) != 0) {
        die("%s negotiated %s with %s, not TLSv1.3 with " CIPHER, o->run.server, SSL_get_version(s), cipher ? cipher : "no cipher");
    }
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
    if (SSL_get_negotiated_group(s) != NID_X25519) die("%s negotiated a key exchange other than " GROUP, o->run.server);
#endif
}

/* Why an SSL call that returned r failed, for a message; also tells a clean close from a reset. */
static const char *tls_failure(SSL *s, int r) {
    static char buf[320];
    int e = SSL_get_error(s, r);
    if (e == SSL_ERROR_ZERO_RETURN) return "the server sent close_notify";
    if (e == SSL_ERROR_SYSCALL) {
        snprintf(buf, sizeof buf, "%s", r == 0 || errno == 0 ? "the server closed the connection" : strerror(errno));
        return buf;
    }
    snprintf(buf, sizeof buf, "SSL error %d: %s", e, tls_detail());
    return buf;
}

/* Sends close_notify as far as the socket takes it now, then closes with a reset (SO_LINGER 0). */
static void tls_close(int fd, SSL *s) {
    SSL_shutdown(s);
    close(fd);
    SSL_free(s);
}

struct tconn {
    int fd;
    SSL *ssl;
    int received;
    long long sent_at;
};

/* Writes the 64-byte message whole (one record). */
static void tls_send_message(struct tconn *c) {
    for (long spins = 0;; spins++) {
        int w = SSL_write(c->ssl, message, MSG_SIZE);
        if (w == MSG_SIZE) return;
        int e = SSL_get_error(c->ssl, w);
        if (e != SSL_ERROR_WANT_WRITE && e != SSL_ERROR_WANT_READ) die("sending a message failed: %s", tls_failure(c->ssl, w));
        if (spins > 1000000) die("the server has not read a 64-byte message for a long time");
    }
}

/*
 * Opens count connections one after the other, each with a blocking handshake and one echo (so the
 * server has finished its side too), then switches them to non-blocking.
 */
static struct tconn *tls_connect_all(const struct options *o, int count) {
    struct tconn *cs = calloc((size_t)count, sizeof *cs);
    unsigned char in[MSG_SIZE];
    if (!cs) die("out of memory");
    for (int i = 0; i < count; i++) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || (configure(fd), connect(fd, (const struct sockaddr *)&o->run.address, sizeof o->run.address)) < 0) {
            die("connection %d of %d to 127.0.0.1:%d failed: %s", i, count, o->run.port, strerror(errno));
        }
        cs[i].fd = fd;
        cs[i].ssl = tls_new(fd);
        int r = SSL_connect(cs[i].ssl);
        if (r != 1) die("TLS handshake %d of %d with %s failed: %s", i, count, o->run.server, tls_failure(cs[i].ssl, r));
        tls_check(cs[i].ssl, o);
        tls_send_message(&cs[i]);
        for (int got = 0; got < MSG_SIZE;) {
            r = SSL_read(cs[i].ssl, in, MSG_SIZE - got);
            if (r <= 0) die("reading the first echo on connection %d failed: %s", i, tls_failure(cs[i].ssl, r));
            verify(in, (size_t)r, message, MSG_SIZE, got);
            got += r;
        }
        set_nonblocking(fd);
    }
    return cs;
}

static void tls_close_all(struct tconn *cs, int n) {
    for (int i = 0; i < n; i++) tls_close(cs[i].fd, cs[i].ssl);
    free(cs);
}

/* ------------------------------------------------------------------ ping-pong */

static struct histogram latency;

/*
 * Reads what c's socket and session hold of the echo in flight; on a whole echo, records it (when
 * rec) and sends the next message. Returns 1 when an echo completed.
 */
static int pingpong_read(struct tconn *c, int rec, long long *last_echo, int send_next) {
    unsigned char in[MSG_SIZE];
    for (;;) {
        int r = SSL_read(c->ssl, in, MSG_SIZE - c->received);
        if (r <= 0) {
            int e = SSL_get_error(c->ssl, r);
            if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return 0;
            die("reading an echo failed in the middle of a ping-pong: %s", tls_failure(c->ssl, r));
        }
        verify(in, (size_t)r, message, MSG_SIZE, c->received);
        c->received += r;
        if (c->received == MSG_SIZE) {
            long long t = now_ns();
            if (rec) record(&latency, t - c->sent_at);
            *last_echo = t;
            c->received = 0;
            c->sent_at = t;
            if (send_next) tls_send_message(c);
            return 1;
        }
    }
}

/*
 * As loadgen's ping-pong, over TLS: every connection keeps one message in flight; round trips and
 * latencies are counted only in the window after the warm-up; then the echoes in flight are read,
 * so the connections end with nothing pending. Writes the figures into line.
 */
static void pingpong(struct tconn *cs, int n, long pid, double warmup, double seconds, char *line, size_t cap) {
    static struct epoll_event ev[MAX_EVENTS];
    int ep = epoll_new();
    long long now = now_ns();
    for (int i = 0; i < n; i++) {
        epoll_set(ep, EPOLL_CTL_ADD, cs[i].fd, EPOLLIN, (uint32_t)i);
        cs[i].received = 0;
        cs[i].sent_at = now;
        tls_send_message(&cs[i]);
    }
    long long measure_at = now + (long long)(warmup * 1e9);
    long long end_at = measure_at + (long long)(seconds * 1e9);
    int measuring = 0;
    struct cpu_window window = {0};
    long long measure_start = 0, round_trips = 0, last_echo = now;
    for (;;) {
        now = now_ns();
        if (!measuring && now >= measure_at) {
            measuring = 1;
            memset(&latency, 0, sizeof latency);
            round_trips = 0;
            window = cpu_start(pid);
            measure_start = now_ns();
        }
        if (now >= end_at) break;
        if (now - last_echo > STALL_NS) die("no echo for 10 s on any of %d TLS connections: the server stopped answering", n);
        int ready = wait_events(ep, ev, 100);
        for (int k = 0; k < ready; k++) {
            round_trips += pingpong_read(&cs[ev[k].data.u64], measuring, &last_echo, 1) && measuring;
        }
    }
    struct cpu cpu = cpu_stop(&window);
    double elapsed = (double)(now_ns() - measure_start) / 1e9;
    int pending = n;
    long long deadline = now_ns() + STALL_NS;
    while (pending > 0) {
        if (now_ns() > deadline) die("%d of %d echoes did not arrive within 10 s of the end of the run", pending, n);
        int ready = wait_events(ep, ev, 100);
        for (int k = 0; k < ready; k++) pending -= pingpong_read(&cs[ev[k].data.u64], 0, &last_echo, 0);
    }
    close(ep);
    char per_rt[32];
    snprintf(line, cap,
             "c=%d rtps=%.0f rts=%lld seconds=%.2f p50us=%.1f p99us=%.1f p999us=%.1f srvus_per_rt=%s srvcpu=%.2f gencpu=%.2f",
             n, (double)round_trips / elapsed, round_trips, elapsed, percentile_us(&latency, 50), percentile_us(&latency, 99),
             percentile_us(&latency, 99.9), fixed(per_rt, sizeof per_rt, 2, (double)cpu.server_ns / 1000.0 / (double)round_trips),
             server_cores(&cpu), generator_cores(&cpu));
}

/* ------------------------------------------------------------------ bulk */

/*
 * One connection: 16 KiB records (of the 64 KiB chunk of 64-byte lines) written as fast as the
 * connection takes them, the echo read back at once, until seconds have passed after the warm-up or
 * byte_limit bytes were echoed; echoed bytes per second in the window. The first 4 MiB of the echo
 * are compared with what was sent. Fails if nothing comes back for 10 s. Closes the connection.
 */
static void bulk(struct tconn *c, long pid, double warmup, double seconds, long long byte_limit, char *line, size_t cap) {
    static unsigned char in[CHUNK_SIZE];
    static struct epoll_event ev[MAX_EVENTS];
    int ep = epoll_new();
    epoll_set(ep, EPOLL_CTL_ADD, c->fd, EPOLLIN | EPOLLOUT, 0);
    long long now = now_ns();
    long long measure_at = now + (long long)(warmup * 1e9);
    long long end_at = measure_at + (long long)(seconds * 1e9);
    long long last_echo = now, bytes = 0, echoed = 0, checked = 0, measure_start = now;
    size_t out_at = 0;
    int measuring = 0;
    struct cpu_window window = cpu_start(pid);
    for (;;) {
        now = now_ns();
        if (!measuring && now >= measure_at) {
            measuring = 1;
            window = cpu_start(pid);
            measure_start = now_ns();
            bytes = 0;
        }
        if (now >= end_at || echoed >= byte_limit) break;
        if (now - last_echo > STALL_NS) die("no echo for 10 s: the server stopped answering the TLS bulk stream");
        int ready = wait_events(ep, ev, 100);
        for (int k = 0; k < ready; k++) {
            for (;;) {
                int r = SSL_read(c->ssl, in, sizeof in);
                if (r <= 0) {
                    int e = SSL_get_error(c->ssl, r);
                    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) break;
                    die("reading the TLS bulk echo failed: %s", tls_failure(c->ssl, r));
                }
                if (checked < VERIFIED_BYTES) {
                    verify(in, (size_t)r, chunk, CHUNK_SIZE, checked);
                    checked += r;
                }
                bytes += r;
                echoed += r;
                last_echo = now;
            }
            for (int w = 0; (ev[k].events & EPOLLOUT) && w < WRITES_PER_EVENT; w++) {
                if (out_at == CHUNK_SIZE) out_at = 0;
                size_t len = CHUNK_SIZE - out_at < RECORD ? CHUNK_SIZE - out_at : RECORD;
                int n = SSL_write(c->ssl, chunk + out_at, (int)len);
                if (n <= 0) {
                    int e = SSL_get_error(c->ssl, n);
                    if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ) break;
                    die("writing the TLS bulk stream failed: %s", tls_failure(c->ssl, n));
                }
                out_at += (size_t)n;
            }
        }
    }
    struct cpu cpu = cpu_stop(&window);
    double elapsed = (double)(now_ns() - measure_start) / 1e9;
    close(ep);
    tls_close(c->fd, c->ssl);
    snprintf(line, cap, "mbps=%.1f bytes=%lld seconds=%.2f srvcpu=%.2f gencpu=%.2f", (double)bytes / elapsed / 1e6, bytes,
             elapsed, server_cores(&cpu), generator_cores(&cpu));
}

/* ------------------------------------------------------------------ handshakes */

struct hs_slot {
    int fd;
    SSL *ssl;
    int state; /* 0 handshaking, 1 sending the message, 2 reading its echo */
    int received;
};

/* Starts a new connection in slot id: a non-blocking connect, the handshake to follow. */
static void hs_start(const struct options *o, int ep, struct hs_slot *s, uint32_t id) {
    s->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s->fd < 0) die("cannot open a socket: %s", strerror(errno));
    configure(s->fd);
    if (connect(s->fd, (const struct sockaddr *)&o->run.address, sizeof o->run.address) < 0 && errno != EINPROGRESS) {
        die("a connection to 127.0.0.1:%d failed: %s", o->run.port, strerror(errno));
    }
    s->ssl = tls_new(s->fd);
    s->state = 0;
    s->received = 0;
    epoll_set(ep, EPOLL_CTL_ADD, s->fd, EPOLLOUT, id);
}

/* Waits for what the session asks for after a call that returned r; dies on a failure. */
static void hs_wait(int ep, struct hs_slot *s, uint32_t id, int r, const char *doing) {
    int e = SSL_get_error(s->ssl, r);
    if (e == SSL_ERROR_WANT_READ) epoll_set(ep, EPOLL_CTL_MOD, s->fd, EPOLLIN, id);
    else if (e == SSL_ERROR_WANT_WRITE) epoll_set(ep, EPOLL_CTL_MOD, s->fd, EPOLLOUT, id);
    else die("%s failed: %s", doing, tls_failure(s->ssl, r));
}

/* Advances slot id as far as it goes now. Returns 1 when its connection completed (and was closed). */
static int hs_step(const struct options *o, int ep, struct hs_slot *s, uint32_t id) {
    unsigned char in[MSG_SIZE];
    if (s->state == 0) {
        int r = SSL_connect(s->ssl);
        if (r != 1) {
            hs_wait(ep, s, id, r, "a TLS handshake");
            return 0;
        }
        tls_check(s->ssl, o);
        s->state = 1;
    }
    if (s->state == 1) {
        int w = SSL_write(s->ssl, message, MSG_SIZE);
        if (w != MSG_SIZE) {
            hs_wait(ep, s, id, w, "sending the message after a handshake");
            return 0;
        }
        s->state = 2;
    }
    for (;;) {
        int r = SSL_read(s->ssl, in, MSG_SIZE - s->received);
        if (r <= 0) {
            hs_wait(ep, s, id, r, "reading the echo after a handshake");
            return 0;
        }
        verify(in, (size_t)r, message, MSG_SIZE, s->received);
        s->received += r;
        if (s->received == MSG_SIZE) {
            tls_close(s->fd, s->ssl); /* also leaves the epoll set */
            return 1;
        }
    }
}

/*
 * Keeps window connections in flight, each a new connection with a full handshake, one echo and a
 * close, for seconds after the warm-up; handshakes/s and the server's CPU per handshake in the window.
 */
static void handshakes(const struct options *o, int window, double warmup, double seconds, char *line, size_t cap) {
    static struct epoll_event ev[MAX_EVENTS];
    struct hs_slot *slots = calloc((size_t)window, sizeof *slots);
    if (!slots) die("out of memory");
    int ep = epoll_new();
    for (int i = 0; i < window; i++) hs_start(o, ep, &slots[i], (uint32_t)i);
    long long now = now_ns();
    long long measure_at = now + (long long)(warmup * 1e9);
    long long end_at = measure_at + (long long)(seconds * 1e9);
    long long done = 0, last_done = now, measure_start = now;
    int measuring = 0;
    struct cpu_window cw = cpu_start(o->run.pid);
    for (;;) {
        now = now_ns();
        if (!measuring && now >= measure_at) {
            measuring = 1;
            cw = cpu_start(o->run.pid);
            measure_start = now_ns();
            done = 0;
        }
        if (now >= end_at) break;
        if (now - last_done > STALL_NS) die("no handshake completed for 10 s: the server stopped answering");
        int ready = wait_events(ep, ev, 100);
        for (int k = 0; k < ready; k++) {
            uint32_t id = (uint32_t)ev[k].data.u64;
            if (hs_step(o, ep, &slots[id], id)) {
                done++;
                last_done = now;
                hs_start(o, ep, &slots[id], id);
            }
        }
    }
    struct cpu cpu = cpu_stop(&cw);
    double elapsed = (double)(now_ns() - measure_start) / 1e9;
    /* The connections in flight finish (uncounted), so the server sees no connection cut off mid-handshake. */
    for (int open = window; open > 0;) {
        if (now_ns() - last_done > STALL_NS) die("%d handshakes did not finish within 10 s of the end of the run", open);
        int ready = wait_events(ep, ev, 100);
        for (int k = 0; k < ready; k++) {
            uint32_t id = (uint32_t)ev[k].data.u64;
            if (hs_step(o, ep, &slots[id], id)) {
                open--;
                last_done = now_ns();
            }
        }
    }
    free(slots);
    close(ep);
    char per_hs[32];
    snprintf(line, cap, "hsps=%.0f handshakes=%lld seconds=%.2f srvms_per_hs=%s srvcpu=%.2f gencpu=%.2f window=%d",
             (double)done / elapsed, done, elapsed, fixed(per_hs, sizeof per_hs, 3, (double)cpu.server_ns / 1e6 / (double)done),
             server_cores(&cpu), generator_cores(&cpu), window);
}

/* ------------------------------------------------------------------ idle connections */

/*
 * Opens count TLS connections (each after its handshake and one echo) and holds them idle; the
 * server's live heap and RSS before the first and after the last, each right after a full GC of
 * the server (jcmd), per connection. Then closes them.
 */
static void idle(const struct options *o, int count, char *line, size_t cap) {
    struct timespec settle = {0, 500000000}; /* the server closes the connections of the runs before */
    nanosleep(&settle, NULL);
    long long heap_before = live_heap(o->jcmd, o->run.pid);
    long long rss_before = rss_kb(o->run.pid);
    long long start = now_ns();
    struct tconn *cs = tls_connect_all(o, count);
    double seconds = (double)(now_ns() - start) / 1e9;
    long long heap_after = live_heap(o->jcmd, o->run.pid);
    long long rss_after = rss_kb(o->run.pid);
    tls_close_all(cs, count);
    char heap[32];
    if (heap_before < 0 || heap_after < 0) snprintf(heap, sizeof heap, "na");
    else snprintf(heap, sizeof heap, "%.2f", (double)(heap_after - heap_before) / 1024.0 / count);
    snprintf(line, cap, "n=%d seconds=%.2f rss_before_kb=%lld rss_after_kb=%lld rss_per_conn_kb=%.2f heap_per_conn_kb=%s", count,
             seconds, rss_before, rss_after, (double)(rss_after - rss_before) / count, heap);
}

/* ------------------------------------------------------------------ main */

static void emit(const struct options *o, const char *scenario, const char *figures) {
    char name[64];
    snprintf(name, sizeof name, "tls-%s", scenario);
    append_result(o->run.out, o->run.server, name, o->rep, figures);
}

/* The soft open-file limit raised to the hard one: the idle run holds --idle connections. */
static void raise_nofile(const struct options *o) {
    struct rlimit r;
    if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
        r.rlim_cur = r.rlim_max;
        setrlimit(RLIMIT_NOFILE, &r);
    }
    getrlimit(RLIMIT_NOFILE, &r);
    long long need = (long long)o->idle + o->connections + o->window + 64;
    if (r.rlim_cur != RLIM_INFINITY && (long long)r.rlim_cur < need) {
        die("the open-file limit is %llu, below the %lld this run needs; raise it or lower --idle", (unsigned long long)r.rlim_cur, need);
    }
}

int main(int argc, char **argv) {
    struct options o;
    parse_options(argc, argv, &o);
    signal(SIGPIPE, SIG_IGN);
    raise_nofile(&o);
    lines(message, 1);
    lines(chunk, CHUNK_LINES);
    tls_setup(o.cafile);
    char figures[768];

    /* The same warm-up for every server: handshakes, bulk bytes, then ping-pong. */
    long long t0 = now_ns();
    if (o.warm_handshakes > 0) handshakes(&o, o.window, 0, o.warm_handshakes, figures, sizeof figures);
    printf("tlsgen: warm-up against %s: handshakes %s\n", o.run.server, figures);
    if (o.warm_bulk_mib > 0) {
        struct tconn *c = tls_connect_all(&o, 1);
        bulk(c, o.run.pid, 0, 120, (long long)(o.warm_bulk_mib * 1048576), figures, sizeof figures);
        free(c);
        printf("tlsgen: warm-up against %s: bulk %s\n", o.run.server, figures);
    }
    struct tconn *warm = tls_connect_all(&o, o.connections);
    pingpong(warm, o.connections, o.run.pid, 0, o.run.warmup * 2 > WARM_PINGPONG_SECONDS ? o.run.warmup * 2 : WARM_PINGPONG_SECONDS, figures,
             sizeof figures);
    tls_close_all(warm, o.connections);
    printf("tlsgen: warm-up against %s done in %.1f s; every connection negotiated TLSv1.3, " CIPHER ", " GROUP "\n", o.run.server,
           (double)(now_ns() - t0) / 1e9);
    fflush(stdout);

    if (list_has(o.scenarios, "pingpong")) {
        struct tconn *cs = tls_connect_all(&o, o.connections);
        pingpong(cs, o.connections, o.run.pid, o.run.warmup, o.run.seconds, figures, sizeof figures);
        tls_close_all(cs, o.connections);
        emit(&o, "pingpong", figures);
    }
    if (list_has(o.scenarios, "bulk")) {
        struct tconn *c = tls_connect_all(&o, 1);
        bulk(c, o.run.pid, o.run.warmup, o.run.seconds, LLONG_MAX, figures, sizeof figures);
        free(c);
        emit(&o, "bulk", figures);
    }
    if (list_has(o.scenarios, "handshake")) {
        handshakes(&o, o.window, o.run.warmup, o.run.seconds, figures, sizeof figures);
        emit(&o, "handshake", figures);
    }
    if (list_has(o.scenarios, "idle")) {
        idle(&o, o.idle, figures, sizeof figures);
        emit(&o, "idle", figures);
    }
    SSL_CTX_free(tls);
    return 0;
}
