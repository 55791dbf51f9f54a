/*
 * bench.h: what the native load generators of the asyncore benchmarks share (loadgen.c, plaintext;
 * tlsgen.c, TLS): failing with a message, option values, clocks and the CPU time of /proc, the latency
 * histogram, the test messages, socket and epoll helpers, the server's live heap through jcmd, and the
 * result lines. Header-only (static functions), included by each generator once; the includer defines
 * USAGE, its usage text, and PROGRAM, the prefix of its messages ("loadgen: "), before including it.
 */
#ifndef ASYNCORE_BENCH_H
#define ASYNCORE_BENCH_H

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MSG_SIZE 64
#define CHUNK_LINES 1024                       /* bulk writes of 64 KiB */
#define CHUNK_SIZE (MSG_SIZE * CHUNK_LINES)
#define VERIFIED_BYTES (4LL << 20)             /* the bulk echo's first 4 MiB are compared */
#define NS 1000000000LL
#define STALL_NS (10 * NS)                     /* no echo for this long: the server stopped */
#define JCMD_LIMIT_NS (60 * NS)
#define MAX_EVENTS 1024

/* ------------------------------------------------------------------ failing */

static void usage_fail(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void usage_fail(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs(PROGRAM, stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    fputs(USAGE, stderr);
    exit(2);
}

static void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void die(const char *fmt, ...) {
    va_list ap;
    fflush(stdout);
    va_start(ap, fmt);
    fputs(PROGRAM, stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1); /* the kernel closes every socket, with a reset as each has SO_LINGER 0 */
}

/* ------------------------------------------------------------------ option values */

static long long parse_whole(const char *name, const char *v, long long min, long long max) {
    char *end;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (*v == '\0' || *end != '\0' || errno != 0) {
        usage_fail("--%s must be a whole number, got '%s'", name, v);
    }
    if (x < min || x > max) {
        usage_fail("--%s must be in [%lld, %lld], got %lld", name, min, max, x);
    }
    return x;
}

static double parse_real(const char *name, const char *v) {
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    if (*v == '\0' || *end != '\0' || errno != 0 || !isfinite(x)) {
        usage_fail("--%s must be a number, got '%s'", name, v);
    }
    return x;
}

/* True if the comma-separated list contains the word. */
static int list_has(const char *list, const char *word) {
    size_t n = strlen(word);
    for (const char *p = list; *p;) {
        while (*p == ' ') p++;
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        while (len > 0 && p[len - 1] == ' ') len--;
        if (len == n && strncmp(p, word, n) == 0) return 1;
        if (!e) break;
        p = e + 1;
    }
    return 0;
}

/* The options every generator takes first, in this order: --server, --port, --pid, --out, --seconds, --warmup. */
#define COMMON_OPTIONS "server", "port", "pid", "out", "seconds", "warmup"
struct common_options {
    const char *server, *out;
    int port;
    long pid;
    double seconds, warmup;
    struct sockaddr_in address; /* 127.0.0.1:port */
};

/*
 * Reads every "--name=value" argument into value[k] for names[k] (names start with COMMON_OPTIONS),
 * failing with the usage on any other, and parses the common ones into *c: server, port, pid and out
 * are required, seconds defaults to default_seconds and warmup to 1.
 */
static void read_options(int argc, char **argv, const char *const *names, int n, const char **value, struct common_options *c,
                         double default_seconds) {
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *eq = strchr(a, '=');
        int known = -1;
        if (strncmp(a, "--", 2) == 0 && eq) {
            for (int k = 0; k < n; k++) {
                if (strlen(names[k]) == (size_t)(eq - a - 2) && strncmp(a + 2, names[k], (size_t)(eq - a - 2)) == 0) known = k;
            }
        }
        if (known < 0) usage_fail("unknown argument '%s'", a);
        value[known] = eq + 1;
    }
    for (int k = 0; k < 4; k++) { /* server, port, pid, out */
        if (!value[k] || !*value[k]) usage_fail("--%s is required", names[k]);
    }
    c->server = value[0];
    c->port = (int)parse_whole("port", value[1], 1, 65535);
    c->pid = (long)parse_whole("pid", value[2], 1, 1LL << 30);
    c->out = value[3];
    c->seconds = value[4] ? parse_real("seconds", value[4]) : default_seconds;
    c->warmup = value[5] ? parse_real("warmup", value[5]) : 1;
    if (c->seconds <= 0 || c->seconds > 120 || c->warmup < 0 || c->warmup > 60) {
        usage_fail("--seconds must be in (0, 120] and --warmup in [0, 60], got %g and %g", c->seconds, c->warmup);
    }
    memset(&c->address, 0, sizeof c->address);
    c->address.sin_family = AF_INET;
    c->address.sin_port = htons((uint16_t)c->port);
    c->address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
}

/* ------------------------------------------------------------------ clocks, /proc */

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * NS + t.tv_nsec;
}

/* Reads a small /proc file into buf; dies naming the server if it is gone. */
static void read_proc(long pid, const char *file, char *buf, size_t cap) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/%s", pid, file);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n = fd < 0 ? -1 : read(fd, buf, cap - 1);
    int err = errno;
    if (fd >= 0) close(fd);
    if (n < 0) {
        die("cannot read %s (%s): the server process %ld has ended, or this is not Linux", path, strerror(err), pid);
    }
    buf[n] = '\0';
}

/* User plus system CPU time of every thread of pid, in nanoseconds (clock ticks of /proc/<pid>/stat). */
static long long proc_cpu_ns(long pid) {
    char buf[4096];
    read_proc(pid, "stat", buf, sizeof buf);
    /* The command name, field 2, is in parentheses and may hold spaces: count fields after the last ')'. */
    char *p = strrchr(buf, ')');
    unsigned long long utime = 0, stime = 0;
    if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) != 2) {
        die("cannot parse /proc/%ld/stat: '%.80s'", pid, buf);
    }
    static long tick_ns;
    if (!tick_ns) {
        long hz = sysconf(_SC_CLK_TCK);
        tick_ns = hz > 0 ? NS / hz : 10000000L;
    }
    return (long long)(utime + stime) * tick_ns;
}

/* The resident set size (VmRSS) of pid, in kilobytes. */
static long long rss_kb(long pid) {
    char buf[8192];
    read_proc(pid, "status", buf, sizeof buf);
    char *p = strstr(buf, "\nVmRSS:");
    if (!p) die("/proc/%ld/status has no VmRSS line: is %ld a live process?", pid, pid);
    return strtoll(p + 7, NULL, 10);
}

/* This process's own CPU time (user + system), in nanoseconds. */
static long long self_cpu_ns(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * NS + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1000LL;
}

/* The CPU used by the server and by this generator over one measuring window. */
struct cpu_window {
    long pid;
    long long server0, self0, wall0;
};
struct cpu {
    long long server_ns, self_ns, wall_ns;
};

static struct cpu_window cpu_start(long pid) {
    struct cpu_window w = {pid, proc_cpu_ns(pid), self_cpu_ns(), now_ns()};
    return w;
}

static struct cpu cpu_stop(const struct cpu_window *w) {
    struct cpu c;
    c.wall_ns = now_ns() - w->wall0;
    c.server_ns = proc_cpu_ns(w->pid) - w->server0;
    c.self_ns = self_cpu_ns() - w->self0;
    return c;
}

static double server_cores(const struct cpu *c) { return (double)c->server_ns / (double)c->wall_ns; }
static double generator_cores(const struct cpu *c) { return (double)c->self_ns / (double)c->wall_ns; }

/* ------------------------------------------------------------------ latency histogram */

/*
 * Log-linear: values below 512 ns in buckets of 1 ns, above in 256 buckets per power of two, so
 * a bucket is at most 1/256 (0.4 %) of its values wide. Values are clamped at 10 s.
 */
#define SUB_BITS 8
#define SUB (1 << SUB_BITS)
#define HIST_MAX_NS (10 * NS)
#define HIST_BUCKETS (SUB * 28)

struct histogram {
    long long total;
    long long count[HIST_BUCKETS];
};

static int bucket_of(long long v) {
    if (v < 2 * SUB) return (int)v;
    int shift = (63 - __builtin_clzll((unsigned long long)v)) - SUB_BITS;
    return SUB * shift + (int)(v >> shift);
}

/* The highest value that falls into bucket i (as HdrHistogram reports percentiles). */
static long long bucket_top(int i) {
    if (i < 2 * SUB) return i;
    int shift = i / SUB - 1;
    long long top = i - SUB * shift;
    return ((top + 1) << shift) - 1;
}

static void record(struct histogram *h, long long v) {
    if (v < 0) v = 0;
    if (v > HIST_MAX_NS) v = HIST_MAX_NS;
    h->count[bucket_of(v)]++;
    h->total++;
}

static double percentile_us(const struct histogram *h, double p) {
    if (h->total == 0) return 0;
    long long want = (long long)(p / 100.0 * (double)h->total + 0.5);
    if (want < 1) want = 1;
    long long seen = 0;
    for (int i = 0; i < HIST_BUCKETS; i++) {
        seen += h->count[i];
        if (seen >= want) return (double)bucket_top(i) / 1000.0;
    }
    return (double)bucket_top(HIST_BUCKETS - 1) / 1000.0;
}

/* ------------------------------------------------------------------ messages and connections */

static unsigned char message[MSG_SIZE];      /* Message.lines(1) */
static unsigned char chunk[CHUNK_SIZE];       /* Message.lines(1024) */

/* count 64-byte lines: line i is 'a' + (i + j) % 26 for j < 63, then '\n'. */
static void lines(unsigned char *b, int count) {
    for (int i = 0; i < count; i++) {
        for (int j = 0; j < MSG_SIZE - 1; j++) b[i * MSG_SIZE + j] = (unsigned char)('a' + (i + j) % 26);
        b[i * MSG_SIZE + MSG_SIZE - 1] = '\n';
    }
}

/* Checks that the n bytes in `in` are the bytes of `expected` (size long, repeated) from stream offset on. */
static void verify(const unsigned char *in, size_t n, const unsigned char *expected, size_t size, long long offset) {
    size_t at = (size_t)(offset % (long long)size);
    if (at + n <= size && memcmp(in, expected + at, n) == 0) return;
    for (size_t i = 0; i < n; i++) {
        if (in[i] != expected[at]) {
            die("the server echoed stream byte %lld as %d instead of %d: it does not echo faithfully",
                offset + (long long)i, in[i], expected[at]);
        }
        if (++at == size) at = 0;
    }
}

/* No Nagle delay, and a reset instead of TIME_WAIT on close, as the Java generator (Message.configure). */
static void configure(int fd) {
    int one = 1;
    struct linger reset = {1, 0};
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0 ||
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset) < 0) {
        die("cannot set TCP_NODELAY and SO_LINGER on a socket: %s", strerror(errno));
    }
}

static void set_nonblocking(int fd) {
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) die("cannot make a socket non-blocking: %s", strerror(errno));
}

static int epoll_new(void) {
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) die("epoll_create1: %s", strerror(errno));
    return ep;
}

static void epoll_set(int ep, int op, int fd, uint32_t events, uint32_t id) {
    struct epoll_event e;
    e.events = events;
    e.data.u64 = id;
    if (epoll_ctl(ep, op, fd, op == EPOLL_CTL_DEL ? NULL : &e) < 0) die("epoll_ctl: %s", strerror(errno));
}

static int wait_events(int ep, struct epoll_event *ev, int timeout_ms) {
    int n = epoll_wait(ep, ev, MAX_EVENTS, timeout_ms);
    if (n < 0) {
        if (errno == EINTR) return 0;
        die("epoll_wait: %s", strerror(errno));
    }
    return n;
}

/* Java's String.format prints a non-finite double as NaN or Infinity; Report parses those. */
static const char *fixed(char *buf, size_t cap, int decimals, double v) {
    if (isnan(v)) snprintf(buf, cap, "NaN");
    else if (isinf(v)) snprintf(buf, cap, v > 0 ? "Infinity" : "-Infinity");
    else snprintf(buf, cap, "%.*f", decimals, v);
    return buf;
}

/* ------------------------------------------------------------------ live heap (jcmd) */

/*
 * Collects garbage in the server and returns its live heap bytes, from the last line of
 * `jcmd <pid> GC.class_histogram` ("Total <instances> <bytes>"), or -1 if that cannot be known
 * (no jcmd given, not a JVM, or jcmd failed or took over 60 s).
 */
static long long live_heap(const char *jcmd, long pid) {
    if (!jcmd || access(jcmd, X_OK) != 0) return -1;
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) < 0) return -1;
    pid_t child = fork();
    if (child < 0) {
        close(pipefd[0]);
        close(pipefd[1]);
        return -1;
    }
    if (child == 0) {
        char p[32];
        snprintf(p, sizeof p, "%ld", pid);
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0) dup2(devnull, 0);
        dup2(pipefd[1], 1);
        dup2(pipefd[1], 2);
        execl(jcmd, jcmd, p, "GC.class_histogram", (char *)NULL);
        _exit(127);
    }
    close(pipefd[1]);
    /* Only the last line matters: keep the tail of the output. */
    static char tail[65536];
    size_t len = 0;
    long long deadline = now_ns() + JCMD_LIMIT_NS;
    int timed_out = 0;
    for (;;) {
        long long left = deadline - now_ns();
        if (left <= 0) {
            timed_out = 1;
            break;
        }
        struct pollfd pfd = {pipefd[0], POLLIN, 0};
        int r = poll(&pfd, 1, (int)(left / 1000000 + 1));
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) break;
        if (r == 0) continue;
        if (len > sizeof tail - 4096) {
            memmove(tail, tail + len - 4096, 4096);
            len = 4096;
        }
        ssize_t n = read(pipefd[0], tail + len, sizeof tail - 1 - len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        len += (size_t)n;
    }
    close(pipefd[0]);
    if (timed_out) kill(child, SIGKILL);
    int status = 0;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    if (timed_out || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return -1;
    tail[len] = '\0';
    while (len > 0 && (tail[len - 1] == '\n' || tail[len - 1] == '\r' || tail[len - 1] == ' ')) tail[--len] = '\0';
    char *last = strrchr(tail, '\n');
    last = last ? last + 1 : tail;
    char word[16];
    long long instances, bytes;
    if (sscanf(last, " %15s %lld %lld", word, &instances, &bytes) != 3 || strcmp(word, "Total") != 0) return -1;
    return bytes;
}

/* ------------------------------------------------------------------ results */

/* Appends "server=NAME scenario=S rep=K <figures>" to the results file, and prints it. */
static void append_result(const char *out, const char *server, const char *scenario, int rep, const char *figures) {
    char line[1024];
    int len = snprintf(line, sizeof line, "server=%s scenario=%s rep=%d %s\n", server, scenario, rep, figures);
    if (len < 0 || (size_t)len >= sizeof line) die("result line too long");
    fputs(line, stdout);
    fflush(stdout);
    int fd = open(out, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0 || write(fd, line, (size_t)len) != len) {
        die("cannot append to the results file %s: %s", out, strerror(errno));
    }
    close(fd);
}

#endif
