/*
 * loadgen: the native load generator of the asyncore benchmarks.
 *
 * The same scenarios, options and result lines as the Java LoadGenerator
 * (benchmarks/src/main/java/io/asyncore/benchmarks/load), on one thread with Linux epoll and
 * nothing but libc, so that it costs the machine less per round trip than the servers it drives:
 *
 *   pingpong  C connections, one 64-byte message each in flight, for each C given; every echo
 *             is compared with the message; latency from sending to the whole echo;
 *   bulk      one connection streaming 64 KiB writes and reading the echo back;
 *   scale     50 connections ping-pong alone (idle0), then N more connections are opened, at most
 *             128 connects in flight, each counted once the server echoed a first message (scale:
 *             connect rate, server memory per connection), then the same 50 again beside them (idle);
 *   connect   the scale scenario's N connections alone (connect rate, memory), without the idle ping-pongs:
 *             the loop-group runs (run.sh's scenario group) compare it with 1 and 2 server loops;
 *   udp       the ping-pong over UDP, against a datagram echo server on the same port: C UDP sockets,
 *             each connected to the server and keeping one 64-byte datagram in flight, for each C
 *             given. A datagram not answered within --udp-timeout ms is counted lost and the socket
 *             sends the next one; an echo that arrives after that is counted late and dropped (each
 *             datagram carries its number). Runs only the UDP scenario's own warm-up, so a UDP server
 *             needs no TCP listener. This generator only: the Java LoadGenerator has no UDP scenario.
 *
 * With --loops=N (the server's event loops, as its --loops), every line carries loops=N, and each
 * ping-pong also reports the CPU of the server's N busiest threads over its window (loopcpu=, in
 * cores, busiest first, from /proc/PID/task/TID/stat) and their names (loopthreads=, from comm): the
 * spread of the work over the loop threads. --loop-threads=NAME counts only the threads whose name
 * starts with NAME (the kernel keeps 15 characters of a name), so that a busy JIT compiler thread is
 * not taken for a loop. It also reports how the connections are spread over the loops (loopconns=,
 * most first): the descriptors registered in each of the server's N fullest epoll instances once the
 * echoes in flight at the end of the window are in (so every connection has been accepted and served),
 * from /proc/PID/fdinfo (a loop's selector is one epoll instance; its count includes the selector's
 * own wake-up descriptor and, on a listener's loop, the listener).
 *
 * Each run appends one line "server=NAME scenario=S rep=K key=value..." to --out, in exactly the
 * format of the Java generator, which Report (benchmarks/src/main/java/.../report) reads.
 * Every run is bounded in time and fails with a message if the server stops answering for 10 s.
 * Connections are closed with a reset (SO_LINGER 0), so 10,000 of them leave no TIME_WAIT.
 *
 * Build: cc -O2 -Wall -Wextra -std=c11 -o loadgen loadgen.c     (benchmarks/run.sh does this)
 */

static const char USAGE[] =
    "usage: loadgen --server=NAME --port=P --pid=SERVER_PID --out=FILE [--seconds=4] [--warmup=1]\n"
    "               [--repeats=3] [--rep=1] [--scenarios=pingpong,bulk,scale] [--connections=1,50,1000]\n"
    "               [--scale=10000] [--active=50] [--max-round-trips=500000000] [--jcmd=PATH] [--loops=N]\n"
    "               [--loop-threads=NAME] [--udp-timeout=200]\n"
    "  --rep       the repetition number of the first run (lines carry rep=<rep>, rep+1, ...)\n"
    "  --scenarios any of pingpong, bulk, scale, connect (scale's connections alone) and udp (datagram ping-pong)\n"
    "  --loops     the server's event loops: lines carry loops=N, ping-pong the CPU of its N busiest threads\n"
    "  --loop-threads  with --loops: only threads whose name (/proc/PID/task/TID/comm) starts with NAME\n"
    "  --jcmd      the jcmd of the server's JDK, for its live heap around the scale run (n/a without)\n"
    "  --udp-timeout  udp: milliseconds after which an unanswered datagram counts as lost and the next is sent\n";

static const char PROGRAM[] = "loadgen: ";
#include "bench.h"
#include <dirent.h>

#define CONNECT_WINDOW 128                     /* scale: connects in flight at most */
#define SCALE_LIMIT_NS (60 * NS)               /* scale: every connection established within */
#define WARM_CONNECTIONS 50
#define MAX_LOOPS 64                           /* --loops: threads reported at most */
#define MAX_TASKS 4096                         /* --loops: server threads looked at at most */

/* ------------------------------------------------------------------ options */

struct options {
    const char *server, *out, *connections, *scenarios, *jcmd, *loop_threads;
    int port, repeats, rep, scale, active, loops; /* loops: 0 without --loops */
    int udp_timeout_ms;
    long pid;
    double seconds, warmup;
    long long max_round_trips;
    struct sockaddr_in address;
};

static void parse_options(int argc, char **argv, struct options *o) {
    static const char *names[] = {COMMON_OPTIONS, "repeats", "rep", "connections", "scenarios", "scale", "active",
                                  "max-round-trips", "jcmd", "loops", "loop-threads", "udp-timeout"};
    enum { N_NAMES = sizeof names / sizeof names[0] };
    const char *value[N_NAMES] = {0};
    struct common_options c;
    read_options(argc, argv, names, N_NAMES, value, &c, 4);
    o->server = c.server;
    o->port = c.port;
    o->pid = c.pid;
    o->out = c.out;
    o->seconds = c.seconds;
    o->warmup = c.warmup;
    o->address = c.address;
    o->repeats = value[6] ? (int)parse_whole("repeats", value[6], 1, 100) : 3;
    o->rep = value[7] ? (int)parse_whole("rep", value[7], 1, 1000000) : 1;
    o->connections = value[8] ? value[8] : "1,50,1000";
    o->scenarios = value[9] ? value[9] : "pingpong,bulk,scale";
    o->scale = value[10] ? (int)parse_whole("scale", value[10], 1, 1000000) : 10000;
    o->active = value[11] ? (int)parse_whole("active", value[11], 1, 100000) : 50;
    o->max_round_trips = value[12] ? parse_whole("max-round-trips", value[12], 1, 1LL << 62) : 500000000LL;
    o->jcmd = value[13];
    o->loops = value[14] ? (int)parse_whole("loops", value[14], 1, MAX_LOOPS) : 0;
    o->loop_threads = value[15] ? value[15] : "";
    o->udp_timeout_ms = value[16] ? (int)parse_whole("udp-timeout", value[16], 1, 10000) : 200;

    /* Every scenario named must be known, every connection count a whole number. */
    char *copy = strdup(o->scenarios);
    for (char *save, *s = strtok_r(copy, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
        while (*s == ' ') s++;
        if (!list_has("pingpong,bulk,scale,connect,udp", s)) {
            usage_fail("unknown scenario '%s' in --scenarios (pingpong, bulk, scale, connect, udp)", s);
        }
    }
    free(copy);
    copy = strdup(o->connections);
    for (char *save, *c = strtok_r(copy, ",", &save); c; c = strtok_r(NULL, ",", &save)) {
        while (*c == ' ') c++;
        char *e = c + strlen(c);
        while (e > c && e[-1] == ' ') *--e = '\0';
        parse_whole("connections", c, 1, 100000);
    }
    free(copy);
}

static void close_all(int *fds, int n) {
    for (int i = 0; i < n; i++) {
        if (fds[i] >= 0) close(fds[i]); /* with SO_LINGER 0: a reset */
    }
    free(fds);
}

/* Opens count connections one after the other, blocking, then switches them to non-blocking. */
static int *connect_all(const struct options *o, int count) {
    int *fds = malloc(sizeof(int) * (size_t)count);
    if (!fds) die("out of memory");
    for (int i = 0; i < count; i++) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || (configure(fd), connect(fd, (const struct sockaddr *)&o->address, sizeof o->address)) < 0) {
            int err = errno;
            if (fd >= 0) close(fd);
            close_all(fds, i);
            die("connection %d of %d to 127.0.0.1:%d failed: %s", i, count, o->port, strerror(err));
        }
        set_nonblocking(fd);
        fds[i] = fd;
    }
    return fds;
}

/* Writes the 64-byte message: one call into an empty socket buffer in practice. */
static void send_message(int fd) {
    size_t done = 0;
    for (long spins = 0; done < MSG_SIZE; spins++) {
        ssize_t n = send(fd, message + done, MSG_SIZE - done, MSG_NOSIGNAL);
        if (n > 0) {
            done += (size_t)n;
        } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
            die("sending a message failed: %s", strerror(errno));
        }
        if (spins > 1000000) die("the server has not read a 64-byte message for a long time");
    }
}

/* ------------------------------------------------------------------ the server's threads (--loops) */

struct task_cpu {
    long tid;
    long long ticks;   /* user + system CPU so far, in clock ticks */
    char name[16];     /* comm: the thread's name, cut to 15 characters by the kernel; ' ' and ',' as '_' */
};
struct tasks {
    int n;
    long long at;      /* when read, now_ns() */
    struct task_cpu t[MAX_TASKS];
};

/* Reads the CPU time and name of every thread of pid whose name starts with prefix (threads ending meanwhile are left out). */
static void read_tasks(long pid, const char *prefix, struct tasks *out) {
    char path[320]; /* a task's name in the directory is at most 255 bytes */
    snprintf(path, sizeof path, "/proc/%ld/task", pid);
    DIR *dir = opendir(path);
    if (!dir) die("cannot list %s (%s): the server process %ld has ended, or this is not Linux", path, strerror(errno), pid);
    out->n = 0;
    for (struct dirent *e; (e = readdir(dir)) && out->n < MAX_TASKS;) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
        char buf[1024];
        snprintf(path, sizeof path, "/proc/%ld/task/%s/stat", pid, e->d_name);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) continue;
        ssize_t len = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (len <= 0) continue;
        buf[len] = '\0';
        /* "TID (NAME) STATE ...": the name may hold spaces and parentheses, so it ends at the last ')'. */
        char *open_paren = strchr(buf, '('), *close_paren = strrchr(buf, ')');
        unsigned long long user = 0, sys = 0;
        if (!open_paren || !close_paren || close_paren < open_paren ||
            sscanf(close_paren + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &user, &sys) != 2) {
            continue;
        }
        struct task_cpu *t = &out->t[out->n++];
        t->tid = atol(e->d_name);
        t->ticks = (long long)(user + sys);
        size_t name_len = (size_t)(close_paren - open_paren - 1);
        if (name_len > sizeof t->name - 1) name_len = sizeof t->name - 1;
        memcpy(t->name, open_paren + 1, name_len);
        t->name[name_len] = '\0';
        if (strncmp(t->name, prefix, strlen(prefix)) != 0) {
            out->n--;
            continue;
        }
        for (char *c = t->name; *c; c++) {
            if (*c == ' ' || *c == ',' || *c == '=') *c = '_';
        }
    }
    closedir(dir);
    out->at = now_ns();
}

/*
 * Appends " loopcpu=A,B,... loopthreads=NAME,NAME,..." to line: the CPU (cores, over the time between
 * the two readings) of the `loops` threads that used the most between before and after, busiest first.
 */
static void append_loop_cpu(const struct tasks *before, const struct tasks *after, int loops, char *line, size_t cap) {
    static struct task_cpu delta[MAX_TASKS];
    int n = 0;
    for (int i = 0; i < after->n; i++) {
        for (int j = 0; j < before->n; j++) {
            if (before->t[j].tid == after->t[i].tid) {
                delta[n] = after->t[i];
                delta[n++].ticks -= before->t[j].ticks;
                break;
            }
        }
    }
    long hz = sysconf(_SC_CLK_TCK);
    double window_ticks = (double)(after->at - before->at) / 1e9 * (double)(hz > 0 ? hz : 100);
    char cpu[MAX_LOOPS * 8 + 1] = "", names[MAX_LOOPS * 16 + 1] = "";
    for (int k = 0; k < loops && k < n; k++) { /* a selection sort of the first `loops` */
        int top = k;
        for (int i = k + 1; i < n; i++) {
            if (delta[i].ticks > delta[top].ticks) top = i;
        }
        struct task_cpu swap = delta[k];
        delta[k] = delta[top];
        delta[top] = swap;
        size_t at = strlen(cpu), name_at = strlen(names);
        snprintf(cpu + at, sizeof cpu - at, "%s%.2f", k ? "," : "", (double)delta[k].ticks / window_ticks);
        snprintf(names + name_at, sizeof names - name_at, "%s%s", k ? "," : "", delta[k].name);
    }
    size_t len = strlen(line);
    snprintf(line + len, cap - len, " loopcpu=%s loopthreads=%s", cpu, names);
}

/* Counts the lines starting "tfd:" in /proc/PID/fdinfo/FD: the descriptors an epoll instance watches. */
static long epoll_watched(long pid, const char *fd) {
    char path[320], buf[8192];
    snprintf(path, sizeof path, "/proc/%ld/fdinfo/%s", pid, fd);
    int in = open(path, O_RDONLY | O_CLOEXEC);
    if (in < 0) return -1;
    long count = 0;
    int at_line_start = 1, matched = 0; /* matched: characters of "tfd:" seen at the start of this line */
    for (ssize_t len; (len = read(in, buf, sizeof buf)) > 0;) {
        for (ssize_t i = 0; i < len; i++) {
            char c = buf[i];
            if (c == '\n') {
                at_line_start = 1, matched = 0;
                continue;
            }
            if (at_line_start && matched < 4 && c == "tfd:"[matched]) {
                if (++matched == 4) count++;
                continue;
            }
            at_line_start = 0;
        }
    }
    close(in);
    return count;
}

static int by_count_descending(const void *a, const void *b) {
    long x = *(const long *)a, y = *(const long *)b;
    return (x < y) - (x > y);
}

/*
 * Appends " loopconns=A,B,..." to line: the descriptors watched by each of the server's `loops`
 * fullest epoll instances (its loops' selectors), most first.
 */
static void append_loop_connections(long pid, int loops, char *line, size_t cap) {
    static long counts[MAX_TASKS];
    int n = 0;
    char path[320], target[64];
    snprintf(path, sizeof path, "/proc/%ld/fd", pid);
    DIR *dir = opendir(path);
    if (!dir) die("cannot list %s (%s): the server process %ld has ended, or this is not Linux", path, strerror(errno), pid);
    for (struct dirent *e; (e = readdir(dir)) && n < MAX_TASKS;) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
        snprintf(path, sizeof path, "/proc/%ld/fd/%s", pid, e->d_name);
        ssize_t len = readlink(path, target, sizeof target - 1);
        if (len <= 0) continue;
        target[len] = '\0';
        if (strcmp(target, "anon_inode:[eventpoll]") != 0) continue;
        long watched = epoll_watched(pid, e->d_name);
        if (watched >= 0) counts[n++] = watched;
    }
    closedir(dir);
    qsort(counts, (size_t)n, sizeof counts[0], by_count_descending);
    char list[MAX_LOOPS * 12 + 1] = "";
    for (int k = 0; k < loops && k < n; k++) {
        size_t at = strlen(list);
        snprintf(list + at, sizeof list - at, "%s%ld", k ? "," : "", counts[k]);
    }
    size_t len = strlen(line);
    snprintf(line + len, cap - len, " loopconns=%s", n ? list : "na");
}

/* ------------------------------------------------------------------ ping-pong */

struct pp_conn {
    int fd;
    int received;
    long long sent_at;
};

static struct histogram latency;

/* The figures of a ping-pong window (TCP or UDP) into line: "c=... gencpu=...", latencies from `latency`. */
static void pingpong_figures(int n, long long round_trips, double elapsed, const struct cpu *cpu, char *line, size_t cap) {
    char per_rt[32];
    snprintf(line, cap,
             "c=%d rtps=%.0f rts=%lld seconds=%.2f p50us=%.1f p99us=%.1f p999us=%.1f srvus_per_rt=%s srvcpu=%.2f gencpu=%.2f",
             n, (double)round_trips / elapsed, round_trips, elapsed, percentile_us(&latency, 50),
             percentile_us(&latency, 99), percentile_us(&latency, 99.9),
             fixed(per_rt, sizeof per_rt, 2, (double)cpu->server_ns / 1000.0 / (double)round_trips),
             server_cores(cpu), generator_cores(cpu));
}

/*
 * Every connection keeps one message in flight, the next sent as soon as the echo of the last is
 * whole; round trips are counted and latencies recorded only in the window after the warm-up.
 * Stops at the end of the window or after max_round_trips; fails after 10 s without an echo.
 * Writes the figures ("c=... gencpu=...") into line, then, if loops is above 0, the CPU of the
 * server's `loops` busiest threads named loop_threads... over the window (append_loop_cpu) and the
 * connections each of its loops watches once every echo is in (append_loop_connections).
 */
static void pingpong(const int *fds, int n, long pid, double warmup, double seconds, long long max_round_trips, int loops,
                     const char *loop_threads, char *line, size_t cap) {
    static struct tasks tasks_before, tasks_after;
    struct pp_conn *conns = calloc((size_t)n, sizeof *conns);
    static struct epoll_event ev[MAX_EVENTS];
    unsigned char in[MSG_SIZE];
    if (!conns) die("out of memory");
    int ep = epoll_new();
    long long now = now_ns();
    for (int i = 0; i < n; i++) {
        conns[i].fd = fds[i];
        epoll_set(ep, EPOLL_CTL_ADD, fds[i], EPOLLIN, (uint32_t)i);
        conns[i].received = 0;
        conns[i].sent_at = now;
        send_message(fds[i]);
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
            if (loops) read_tasks(pid, loop_threads, &tasks_before);
            window = cpu_start(pid);
            measure_start = now_ns();
        }
        if (now >= end_at || round_trips >= max_round_trips) break;
        if (now - last_echo > STALL_NS) {
            die("no echo for 10 s on any of %d connections: the server stopped answering", n);
        }
        int ready = wait_events(ep, ev, 100);
        int rec = measuring;
        for (int k = 0; k < ready; k++) {
            struct pp_conn *c = &conns[ev[k].data.u64];
            ssize_t r = read(c->fd, in, (size_t)(MSG_SIZE - c->received));
            if (r < 0) {
                if (errno == EAGAIN || errno == EINTR) continue;
                die("reading an echo failed in the middle of a ping-pong: %s", strerror(errno));
            }
            if (r == 0) die("the server closed a connection in the middle of a ping-pong");
            verify(in, (size_t)r, message, MSG_SIZE, c->received);
            c->received += (int)r;
            if (c->received == MSG_SIZE) {
                long long t = now_ns();
                if (rec) {
                    record(&latency, t - c->sent_at);
                    round_trips++;
                }
                last_echo = t;
                c->received = 0;
                c->sent_at = t;
                send_message(c->fd);
            }
        }
    }
    struct cpu cpu = cpu_stop(&window);
    double elapsed = (double)(now_ns() - measure_start) / 1e9;
    if (loops) read_tasks(pid, loop_threads, &tasks_after);

    /* Read the echoes still in flight, so the connections can serve another run with nothing pending. */
    int pending = 0;
    for (int i = 0; i < n; i++) pending += conns[i].received < MSG_SIZE;
    long long deadline = now_ns() + STALL_NS;
    while (pending > 0) {
        if (now_ns() > deadline) {
            die("%d of %d echoes did not arrive within 10 s of the end of the run", pending, n);
        }
        int ready = wait_events(ep, ev, 100);
        for (int k = 0; k < ready; k++) {
            struct pp_conn *c = &conns[ev[k].data.u64];
            if (c->received == MSG_SIZE) continue;
            ssize_t r = read(c->fd, in, (size_t)(MSG_SIZE - c->received));
            if (r < 0) {
                if (errno == EAGAIN || errno == EINTR) continue;
                die("reading an echo failed at the end of a ping-pong: %s", strerror(errno));
            }
            if (r == 0) die("the server closed a connection in the middle of a ping-pong");
            verify(in, (size_t)r, message, MSG_SIZE, c->received);
            c->received += (int)r;
            if (c->received == MSG_SIZE) pending--;
        }
    }
    /* Now every connection has had an echo, so the server has accepted it and its loop watches it. */
    char watched[MAX_LOOPS * 12 + 16] = "";
    if (loops) append_loop_connections(pid, loops, watched, sizeof watched);
    close(ep); /* deregisters every connection, so another run can watch them */
    free(conns);
    pingpong_figures(n, round_trips, elapsed, &cpu, line, cap);
    if (loops) {
        append_loop_cpu(&tasks_before, &tasks_after, loops, line, cap);
        size_t len = strlen(line);
        snprintf(line + len, cap - len, "%s", watched);
    }
}

/* ------------------------------------------------------------------ udp ping-pong */

#define SEQ_DIGITS 16 /* a datagram's number, in hex, in its first bytes */

struct udp_sock {
    int fd;
    unsigned long long seq;       /* the number of the datagram in flight */
    long long sent_at;
    unsigned char out[MSG_SIZE];  /* the datagram in flight: its echo must be these bytes */
};

/* Opens count UDP sockets, non-blocking, each connected to the server (so it receives from nothing else). */
static int *udp_open_all(const struct options *o, int count) {
    int *fds = malloc(sizeof(int) * (size_t)count);
    if (!fds) die("out of memory");
    for (int i = 0; i < count; i++) {
        int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0 || connect(fd, (const struct sockaddr *)&o->address, sizeof o->address) < 0) {
            int err = errno;
            if (fd >= 0) close(fd);
            close_all(fds, i);
            die("UDP socket %d of %d to 127.0.0.1:%d failed: %s", i, count, o->port, strerror(err));
        }
        fds[i] = fd;
    }
    return fds;
}

static void udp_refused(int port) __attribute__((noreturn));
static void udp_refused(int port) {
    die("127.0.0.1:%d answered a datagram with ICMP port unreachable: no UDP server listens there", port);
}

/*
 * Sends the socket's next datagram: the message with its first SEQ_DIGITS bytes the datagram's number
 * in hex. One the kernel has no room for (EAGAIN, ENOBUFS) is left to the timeout, as a lost one.
 */
static void udp_send_next(struct udp_sock *s, long long now, int port) {
    char digits[SEQ_DIGITS + 1];
    s->seq++;
    snprintf(digits, sizeof digits, "%016llx", s->seq);
    memcpy(s->out, message, MSG_SIZE);
    memcpy(s->out, digits, SEQ_DIGITS);
    s->sent_at = now;
    ssize_t w = send(s->fd, s->out, MSG_SIZE, 0);
    if (w == MSG_SIZE || (w < 0 && (errno == EAGAIN || errno == ENOBUFS || errno == EINTR))) return;
    if (w < 0 && errno == ECONNREFUSED) udp_refused(port);
    if (w < 0) die("sending a datagram failed: %s", strerror(errno));
    die("the kernel sent %zd bytes of a %d-byte datagram", w, MSG_SIZE);
}

/* True if `in` is the echo of an earlier datagram of this socket: one counted lost, answered late. */
static int udp_earlier(const unsigned char *in, const struct udp_sock *s) {
    if (memcmp(in + SEQ_DIGITS, message + SEQ_DIGITS, MSG_SIZE - SEQ_DIGITS) != 0) return 0;
    unsigned long long seq = 0;
    for (int i = 0; i < SEQ_DIGITS; i++) {
        int c = in[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (d < 0) return 0;
        seq = seq << 4 | (unsigned long long)d;
    }
    return seq < s->seq;
}

/*
 * The ping-pong over UDP: every socket keeps one datagram in flight and sends the next as soon as
 * the echo of the last arrives; round trips are counted and latencies recorded only in the window
 * after the warm-up. A datagram unanswered for timeout_ms is counted lost (lost=) and the next one
 * goes; its echo, if it still comes, is counted late (late=) and dropped. Stops at the end of the
 * window or after max_round_trips; fails after 10 s without any echo, or on an echo that is not a
 * datagram the socket sent. Writes the figures ("c=... gencpu=... lost=N late=N") into line.
 */
static void udp_pingpong(const int *fds, int n, long pid, int port, double warmup, double seconds, int timeout_ms,
                         long long max_round_trips, char *line, size_t cap) {
    struct udp_sock *socks = calloc((size_t)n, sizeof *socks);
    static struct epoll_event ev[MAX_EVENTS];
    unsigned char in[MSG_SIZE + 1]; /* a byte more than a message: a longer echo shows as longer */
    if (!socks) die("out of memory");
    int ep = epoll_new();
    long long now = now_ns();
    for (int i = 0; i < n; i++) {
        socks[i].fd = fds[i];
        epoll_set(ep, EPOLL_CTL_ADD, fds[i], EPOLLIN, (uint32_t)i);
        udp_send_next(&socks[i], now, port);
    }
    /* Lost datagrams are looked for every quarter of the timeout: each is resent within 1.25 timeouts. */
    long long timeout_ns = timeout_ms * 1000000LL, scan_ns = timeout_ns / 4 > 0 ? timeout_ns / 4 : 1;
    int wait_ms = timeout_ms / 4 < 1 ? 1 : timeout_ms / 4 > 100 ? 100 : timeout_ms / 4;
    long long measure_at = now + (long long)(warmup * 1e9);
    long long end_at = measure_at + (long long)(seconds * 1e9);
    int measuring = 0;
    struct cpu_window window = {0};
    long long measure_start = 0, round_trips = 0, lost = 0, late = 0, last_echo = now, next_scan = now + scan_ns;
    for (;;) {
        now = now_ns();
        if (!measuring && now >= measure_at) {
            measuring = 1;
            memset(&latency, 0, sizeof latency);
            round_trips = lost = late = 0;
            window = cpu_start(pid);
            measure_start = now_ns();
        }
        if (now >= end_at || round_trips >= max_round_trips) break;
        if (now - last_echo > STALL_NS) {
            die("no echo for 10 s on any of %d UDP sockets, each resending every %d ms: the server stopped answering", n, timeout_ms);
        }
        if (now >= next_scan) {
            for (int i = 0; i < n; i++) {
                if (now - socks[i].sent_at >= timeout_ns) {
                    lost++;
                    udp_send_next(&socks[i], now, port);
                }
            }
            next_scan = now + scan_ns;
        }
        int ready = wait_events(ep, ev, wait_ms);
        int rec = measuring;
        for (int k = 0; k < ready; k++) {
            struct udp_sock *s = &socks[ev[k].data.u64];
            ssize_t r = recv(s->fd, in, sizeof in, 0);
            if (r < 0) {
                if (errno == EAGAIN || errno == EINTR) continue;
                if (errno == ECONNREFUSED) udp_refused(port);
                die("receiving an echo failed in the middle of a UDP ping-pong: %s", strerror(errno));
            }
            if (r != MSG_SIZE) {
                die("the server echoed a %d-byte datagram with %s bytes: it does not echo faithfully", MSG_SIZE,
                    r > MSG_SIZE ? "more" : r == 0 ? "0" : "fewer");
            }
            if (memcmp(in, s->out, MSG_SIZE) != 0) {
                if (!udp_earlier(in, s)) die("the server echoed a datagram this socket did not send: it does not echo faithfully");
                late++;
                continue;
            }
            long long t = now_ns();
            if (rec) {
                record(&latency, t - s->sent_at);
                round_trips++;
            }
            last_echo = t;
            udp_send_next(s, t, port);
        }
    }
    struct cpu cpu = cpu_stop(&window);
    double elapsed = (double)(now_ns() - measure_start) / 1e9;
    close(ep); /* the sockets are closed after the run: echoes still in flight go nowhere */
    free(socks);
    pingpong_figures(n, round_trips, elapsed, &cpu, line, cap);
    size_t len = strlen(line);
    snprintf(line + len, cap - len, " lost=%lld late=%lld timeoutms=%d", lost, late, timeout_ms);
}

/* ------------------------------------------------------------------ bulk */

/*
 * One connection: 64 KiB chunks (of 64-byte lines) written as fast as the connection takes them,
 * the echo read back at once; echoed bytes per second in the window. The first 4 MiB of the echo
 * are compared with what was sent. Fails if nothing comes back for 10 s. Closes the connection.
 */
static void bulk(int fd, long pid, double warmup, double seconds, char *line, size_t cap) {
    static unsigned char in[CHUNK_SIZE];
    static struct epoll_event ev[MAX_EVENTS];
    int ep = epoll_new();
    epoll_set(ep, EPOLL_CTL_ADD, fd, EPOLLIN | EPOLLOUT, 0);
    long long now = now_ns();
    long long measure_at = now + (long long)(warmup * 1e9);
    long long end_at = measure_at + (long long)(seconds * 1e9);
    long long last_echo = now, bytes = 0, checked = 0, measure_start = 0;
    size_t out_at = 0;
    int measuring = 0;
    struct cpu_window window = {0};
    for (;;) {
        now = now_ns();
        if (!measuring && now >= measure_at) {
            measuring = 1;
            window = cpu_start(pid);
            measure_start = now_ns();
            bytes = 0;
        }
        if (now >= end_at) break;
        if (now - last_echo > STALL_NS) die("no echo for 10 s: the server stopped answering the bulk stream");
        int ready = wait_events(ep, ev, 100);
        for (int k = 0; k < ready; k++) {
            uint32_t e = ev[k].events;
            if (e & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
                ssize_t r = read(fd, in, sizeof in);
                if (r == 0) die("the server closed the bulk connection");
                if (r < 0 && errno != EAGAIN && errno != EINTR) die("reading the bulk echo failed: %s", strerror(errno));
                if (r > 0) {
                    if (checked < VERIFIED_BYTES) {
                        verify(in, (size_t)r, chunk, CHUNK_SIZE, checked);
                        checked += r;
                    }
                    bytes += r;
                    last_echo = now;
                }
            }
            if (e & EPOLLOUT) {
                if (out_at == CHUNK_SIZE) out_at = 0;
                ssize_t w = send(fd, chunk + out_at, CHUNK_SIZE - out_at, MSG_NOSIGNAL);
                if (w > 0) out_at += (size_t)w;
                else if (w < 0 && errno != EAGAIN && errno != EINTR) die("writing the bulk stream failed: %s", strerror(errno));
            }
        }
    }
    struct cpu cpu = cpu_stop(&window);
    double elapsed = (double)(now_ns() - measure_start) / 1e9;
    close(ep);
    close(fd);
    snprintf(line, cap, "mbps=%.1f bytes=%lld seconds=%.2f srvcpu=%.2f gencpu=%.2f", (double)bytes / elapsed / 1e6,
             bytes, elapsed, server_cores(&cpu), generator_cores(&cpu));
}

/* ------------------------------------------------------------------ connection scale */

/*
 * Sends the first message on a new non-blocking connection. False if the connection is not
 * established yet; dies if it failed. 64 bytes into a new socket are taken whole.
 */
static int send_first(int fd, int i, int count, int port) {
    ssize_t n = send(fd, message, MSG_SIZE, MSG_NOSIGNAL);
    if (n == MSG_SIZE) return 1;
    if (n < 0 && (errno == EAGAIN || errno == ENOTCONN)) return 0;
    if (n < 0) die("connection %d of %d to 127.0.0.1:%d failed: %s", i, count, port, strerror(errno));
    die("connection %d of %d: a new socket took only %zd of the first message's %d bytes", i, count, n, MSG_SIZE);
}

struct scale_conn {
    int fd;
    int state; /* 0 connecting, 1 awaiting the echo, 2 established and idle */
    int received;
};

/*
 * Opens count connections as fast as the server takes them, at most 128 connects in flight, each
 * established once the server echoed one 64-byte message on it; holds them idle (returned in *held).
 * The server's RSS and live heap are read before the first connect and after the last echo, each
 * right after a full GC of the server (jcmd), outside the timed part. Fails after 60 s.
 */
static void connection_scale(const struct options *o, int count, int **held, char *line, size_t cap) {
    static struct epoll_event ev[MAX_EVENTS];
    unsigned char in[MSG_SIZE];
    struct scale_conn *conns = calloc((size_t)count, sizeof *conns);
    if (!conns) die("out of memory");
    long long heap_before = live_heap(o->jcmd, o->pid);
    long long rss_before = rss_kb(o->pid);
    struct cpu_window window = cpu_start(o->pid);
    long long start = now_ns();
    int ep = epoll_new();
    int started = 0, established = 0;
    while (established < count) {
        while (started < count && started - established < CONNECT_WINDOW) {
            struct scale_conn *c = &conns[started];
            c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
            if (c->fd < 0) {
                die("cannot open socket %d of %d: %s (open-file limit %ld)", started, count, strerror(errno),
                    sysconf(_SC_OPEN_MAX));
            }
            configure(c->fd);
            int connected = connect(c->fd, (const struct sockaddr *)&o->address, sizeof o->address) == 0;
            if (!connected && errno != EINPROGRESS) {
                die("connection %d of %d to 127.0.0.1:%d failed: %s", started, count, o->port, strerror(errno));
            }
            /* On loopback the handshake is mostly done when connect returns: then the message goes at once. */
            if (send_first(c->fd, started, count, o->port)) {
                c->state = 1;
                epoll_set(ep, EPOLL_CTL_ADD, c->fd, EPOLLIN | EPOLLONESHOT, (uint32_t)started);
            } else {
                c->state = 0;
                epoll_set(ep, EPOLL_CTL_ADD, c->fd, EPOLLOUT | EPOLLONESHOT, (uint32_t)started);
            }
            started++;
        }
        if (now_ns() - start > SCALE_LIMIT_NS) {
            die("only %d of %d connections were established in 60 s", established, count);
        }
        int ready = wait_events(ep, ev, 100);
        for (int k = 0; k < ready; k++) {
            uint32_t id = (uint32_t)ev[k].data.u64;
            struct scale_conn *c = &conns[id];
            if (c->state == 0) {
                int err = 0;
                socklen_t len = sizeof err;
                if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
                if (err) die("connection %u of %d to 127.0.0.1:%d failed: %s", id, count, o->port, strerror(err));
                if (!send_first(c->fd, (int)id, count, o->port)) die("connection %u of %d: connected, but cannot send", id, count);
                c->state = 1;
                epoll_set(ep, EPOLL_CTL_MOD, c->fd, EPOLLIN | EPOLLONESHOT, id);
            } else if (c->state == 1) {
                ssize_t r = read(c->fd, in, (size_t)(MSG_SIZE - c->received));
                if (r < 0 && errno != EAGAIN && errno != EINTR) {
                    die("reading the first echo on connection %u failed: %s", id, strerror(errno));
                }
                if (r == 0) die("the server closed connection %u right after accepting it", id);
                if (r > 0) {
                    verify(in, (size_t)r, message, MSG_SIZE, c->received);
                    c->received += (int)r;
                }
                if (c->received == MSG_SIZE) {
                    c->state = 2; /* held idle from here on: its one-shot registration has fired */
                    established++;
                } else {
                    epoll_set(ep, EPOLL_CTL_MOD, c->fd, EPOLLIN | EPOLLONESHOT, id); /* the rest of the echo */
                }
            }
        }
    }
    double seconds = (double)(now_ns() - start) / 1e9;
    struct cpu cpu = cpu_stop(&window);
    close(ep);
    long long heap_after = live_heap(o->jcmd, o->pid);
    long long rss_after = rss_kb(o->pid);
    int *fds = malloc(sizeof(int) * (size_t)count);
    if (!fds) die("out of memory");
    for (int i = 0; i < count; i++) fds[i] = conns[i].fd;
    free(conns);
    *held = fds;
    char heap[32];
    if (heap_before < 0 || heap_after < 0) snprintf(heap, sizeof heap, "na");
    else snprintf(heap, sizeof heap, "%.2f", (double)(heap_after - heap_before) / 1024.0 / count);
    snprintf(line, cap,
             "n=%d connps=%.0f seconds=%.2f rss_before_kb=%lld rss_after_kb=%lld rss_per_conn_kb=%.2f heap_per_conn_kb=%s srvcpu=%.2f gencpu=%.2f",
             count, count / seconds, seconds, rss_before, rss_after, (double)(rss_after - rss_before) / count, heap,
             server_cores(&cpu), generator_cores(&cpu));
}

/* ------------------------------------------------------------------ main */

static void emit(const struct options *o, const char *scenario, int rep, const char *figures) {
    if (!o->loops) {
        append_result(o->out, o->server, scenario, rep, figures);
        return;
    }
    char with_loops[1024];
    snprintf(with_loops, sizeof with_loops, "%s loops=%d", figures, o->loops);
    append_result(o->out, o->server, scenario, rep, with_loops);
}

/* The soft open-file limit raised to the hard one: the scale run holds 10,000 connections. */
static void raise_nofile(const struct options *o) {
    struct rlimit r;
    if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
        r.rlim_cur = r.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &r) < 0) {
            r.rlim_cur = 1 << 20; /* an unlimited hard limit is capped by fs.nr_open */
            setrlimit(RLIMIT_NOFILE, &r);
        }
    }
    getrlimit(RLIMIT_NOFILE, &r);
    long long need = list_has(o->scenarios, "scale") || list_has(o->scenarios, "connect") ? (long long)o->scale + o->active + 64 : 0;
    if (need && r.rlim_cur != RLIM_INFINITY && (long long)r.rlim_cur < need) {
        die("the open-file limit is %llu (hard limit %llu), below the %lld the scale run needs; raise the hard limit",
            (unsigned long long)r.rlim_cur, (unsigned long long)r.rlim_max, need);
    }
}

int main(int argc, char **argv) {
    struct options o;
    parse_options(argc, argv, &o);
    signal(SIGPIPE, SIG_IGN);
    raise_nofile(&o);
    lines(message, 1);
    lines(chunk, CHUNK_LINES);
    char figures[768];

    /* The server's JIT warms up here, so the first measured run is not its first traffic; over UDP for a
       UDP run (a datagram server has no TCP listener). */
    double warm_seconds = o.warmup * 2 > 1 ? o.warmup * 2 : 1;
    int tcp = list_has(o.scenarios, "pingpong") || list_has(o.scenarios, "bulk") || list_has(o.scenarios, "scale") ||
              list_has(o.scenarios, "connect");
    if (tcp) {
        int *warm = connect_all(&o, WARM_CONNECTIONS);
        pingpong(warm, WARM_CONNECTIONS, o.pid, 0, warm_seconds, o.max_round_trips, 0, "", figures, sizeof figures);
        close_all(warm, WARM_CONNECTIONS);
    }

    if (list_has(o.scenarios, "pingpong")) {
        char *copy = strdup(o.connections);
        for (char *save, *c = strtok_r(copy, ",", &save); c; c = strtok_r(NULL, ",", &save)) {
            int n = atoi(c);
            for (int r = 0; r < o.repeats; r++) {
                int *fds = connect_all(&o, n);
                pingpong(fds, n, o.pid, o.warmup, o.seconds, o.max_round_trips, o.loops, o.loop_threads, figures, sizeof figures);
                close_all(fds, n);
                emit(&o, "pingpong", o.rep + r, figures);
            }
        }
        free(copy);
    }
    if (list_has(o.scenarios, "bulk")) {
        for (int r = 0; r < o.repeats; r++) {
            int *fds = connect_all(&o, 1);
            bulk(fds[0], o.pid, o.warmup, o.seconds, figures, sizeof figures);
            free(fds);
            emit(&o, "bulk", o.rep + r, figures);
        }
    }
    if (list_has(o.scenarios, "scale")) {
        int *active = connect_all(&o, o.active);
        pingpong(active, o.active, o.pid, o.warmup, o.seconds, o.max_round_trips, 0, "", figures, sizeof figures);
        emit(&o, "idle0", o.rep, figures);
        int *held;
        connection_scale(&o, o.scale, &held, figures, sizeof figures);
        emit(&o, "scale", o.rep, figures);
        /* The same connections again, now beside the idle ones. */
        pingpong(active, o.active, o.pid, o.warmup, o.seconds, o.max_round_trips, 0, "", figures, sizeof figures);
        size_t len = strlen(figures);
        snprintf(figures + len, sizeof figures - len, " idle=%d", o.scale);
        emit(&o, "idle", o.rep, figures);
        close_all(held, o.scale);
        close_all(active, o.active);
    }
    if (list_has(o.scenarios, "connect")) {
        int *held;
        connection_scale(&o, o.scale, &held, figures, sizeof figures);
        emit(&o, "connect", o.rep, figures);
        close_all(held, o.scale);
    }
    if (list_has(o.scenarios, "udp")) {
        int *warm = udp_open_all(&o, WARM_CONNECTIONS);
        udp_pingpong(warm, WARM_CONNECTIONS, o.pid, o.port, 0, warm_seconds, o.udp_timeout_ms, o.max_round_trips, figures,
                     sizeof figures);
        close_all(warm, WARM_CONNECTIONS);
        char *copy = strdup(o.connections);
        for (char *save, *c = strtok_r(copy, ",", &save); c; c = strtok_r(NULL, ",", &save)) {
            int n = atoi(c);
            for (int r = 0; r < o.repeats; r++) {
                int *fds = udp_open_all(&o, n);
                udp_pingpong(fds, n, o.pid, o.port, o.warmup, o.seconds, o.udp_timeout_ms, o.max_round_trips, figures,
                             sizeof figures);
                close_all(fds, n);
                emit(&o, "udp", o.rep + r, figures);
            }
        }
        free(copy);
    }
    return 0;
}
