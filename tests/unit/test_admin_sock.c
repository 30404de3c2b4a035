/*
 * test_admin_sock.c - the admin socket transport with a real libev loop
 * in this process and clients on non-blocking sockets (CTL-04, CTL-22,
 * SIG-04, decisions.md admin bullets).
 *
 * SIGPIPE keeps its default action here on purpose: a write to a vanished
 * client that raised it would kill the test.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ev.h>

#include "nhrp/admin.h"
#include "tests/tap.h"

#define BIG_REPLY	(8u * 1024 * 1024)

static struct ev_loop *loop;
static char dir[64], path[128];
static int handler_calls;
static enum admin_cmd last_cmd;
static char last_args[1024];

/* a reply made by a producer, DEFER_PARTS parts of DEFER_PART bytes */
#define DEFER_PARTS	1000
#define DEFER_PART	8192

static int defer_calls, defer_frees;

struct defer_ctx {
	int	 done;
};

static int
deferred_more(void *arg, struct admin_out *out)
{
	struct defer_ctx *d = arg;
	int i;

	defer_calls++;
	for (i = 0; i < DEFER_PART / 64; i++)
		admin_printf(out, "%063d\n", d->done);
	return ++d->done >= DEFER_PARTS;
}

static void
deferred_free(void *arg)
{
	defer_frees++;
	free(arg);
}

static void
deferred_start(struct admin_out *out)
{
	struct defer_ctx *d;

	admin_printf(out, "Status: ok\n\n");
	if ((d = calloc(1, sizeof(*d))) == NULL) {
		out->oom = true;
		return;
	}
	admin_out_defer(out, deferred_more, deferred_free, d);
}

static void
handler(void *arg, enum admin_cmd cmd, const char *args,
    struct admin_out *out)
{
	size_t n;

	handler_calls++;
	last_cmd = cmd;
	snprintf(last_args, sizeof(last_args), "%s", args);
	if (cmd == ADMIN_CMD_SHOW && strcmp(args, " deferred") == 0) {
		deferred_start(out);
		return;
	}
	if (cmd == ADMIN_CMD_SHOW && strcmp(args, " big") == 0) {
		admin_printf(out, "Status: ok\n\n");
		for (n = 0; n < BIG_REPLY / 64; n++)
			admin_printf(out, "%063zu\n", n);
		return;
	}
	admin_printf(out, "cmd=%d args=[%s]\n", (int)cmd, args);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Runs the loop for about secs, without blocking longer than 1 ms. */
static void
pump(double secs)
{
	double end = now() + secs;
	struct timespec ms = { 0, 1000000 };

	do {
		ev_run(loop, EVRUN_NOWAIT);
		nanosleep(&ms, NULL);
	} while (now() < end);
}

static int
client(const char *p)
{
	struct sockaddr_un sun;
	int fd;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", p);
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 &&
	    errno != EAGAIN && errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	return fd;
}

static void
csend(int fd, const char *s, size_t len)
{
	if (send(fd, s, len, MSG_NOSIGNAL) != (ssize_t)len)
		tap_diag("client send: %s", strerror(errno));
}

struct reply {
	char	 head[1024];	/* first bytes, NUL-terminated */
	size_t	 len;		/* total bytes received */
	bool	 eof;		/* orderly EOF seen */
	int	 err;		/* errno of a failed recv, e.g. ECONNRESET */
};

/* Pumps the loop and reads fd until EOF, an error or the time limit. */
static void
collect(int fd, double limit, struct reply *r)
{
	double end = now() + limit;
	static char buf[65536];
	ssize_t n;
	size_t k;

	memset(r, 0, sizeof(*r));
	while (now() < end) {
		pump(0.001);
		for (;;) {
			n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
			if (n > 0) {
				if (r->len < sizeof(r->head) - 1) {
					k = sizeof(r->head) - 1 - r->len;
					if (k > (size_t)n)
						k = (size_t)n;
					memcpy(r->head + r->len, buf, k);
				}
				r->len += (size_t)n;
				continue;
			}
			if (n == 0)
				r->eof = true;
			else if (errno != EAGAIN)
				r->err = errno;
			break;
		}
		if (r->eof || r->err)
			break;
	}
	r->head[r->len < sizeof(r->head) - 1 ? r->len :
	    sizeof(r->head) - 1] = '\0';
}

static void
request_reply(const char *what, const char *req, size_t len,
    const char *want)
{
	struct reply r;
	int fd;

	fd = client(path);
	OK(fd >= 0, "%s: connect", what);
	csend(fd, req, len);
	collect(fd, 2.0, &r);
	OK(r.eof && r.err == 0, "%s: orderly EOF", what);
	STR_EQ(r.head, want, "%s: reply", what);
	close(fd);
}

static void
request_noreply(const char *what, const char *req, size_t len,
    bool half_close)
{
	struct reply r;
	int fd, calls = handler_calls;

	fd = client(path);
	csend(fd, req, len);
	if (half_close)
		shutdown(fd, SHUT_WR);
	collect(fd, 2.0, &r);
	OK(r.eof || r.err != 0, "%s: closed", what);
	INT_EQ(r.len, 0, "%s: no reply", what);
	INT_EQ(handler_calls, calls, "%s: handler not called", what);
	close(fd);
}

/* Long replies part by part: only as fast as the client reads. */
static void
test_deferred(void)
{
	struct reply r;
	int fd, calls;

	defer_calls = defer_frees = 0;
	fd = client(path);
	csend(fd, "show deferred\n", 14);
	pump(0.3);
	calls = defer_calls;
	OK(calls > 0 && calls < 64,
	    "stalled client: %d of %d parts produced", calls, DEFER_PARTS);
	collect(fd, 20.0, &r);
	OK(r.eof && r.err == 0 &&
	    r.len == 12 + (size_t)DEFER_PARTS * DEFER_PART,
	    "deferred reply complete when read (%zu bytes)", r.len);
	OK(strncmp(r.head, "Status: ok\n\n0000", 16) == 0,
	    "deferred reply starts with the first part");
	INT_EQ(defer_calls, DEFER_PARTS, "every part produced once");
	INT_EQ(defer_frees, 1, "producer released after the reply");
	close(fd);

	fd = client(path);
	csend(fd, "show deferred\n", 14);
	pump(0.1);
	close(fd);
	pump(0.3);
	INT_EQ(defer_frees, 2, "producer released when the client vanished");
	INT_EQ(admin_nconns(), 0, "vanished client: connection freed");
}

static void
test_requests(void)
{
	char req[600], want[700];
	int fd, calls;
	size_t i;
	struct reply r;

	request_reply("show", "show nbma 1.2.3.4\n", 18,
	    "cmd=2 args=[ nbma 1.2.3.4]\n");
	INT_EQ(last_cmd, ADMIN_CMD_SHOW, "handler got show");
	request_reply("case", "CACHE LOWERDOWN nbma 1.2.3.4\n", 29,
	    "cmd=5 args=[ nbma 1.2.3.4]\n");

	calls = handler_calls;
	request_reply("unrecognized", "bogus\n", 6,
	    "Status: error\nReason: unrecognized command\n");
	request_reply("empty", "\n", 1,
	    "Status: error\nReason: unrecognized command\n");
	request_reply("leading space", " show\n", 6,
	    "Status: error\nReason: unrecognized command\n");
	request_reply("lowerdown needs cache", "lowerdown\n", 10,
	    "Status: error\nReason: unrecognized command\n");
	INT_EQ(handler_calls, calls, "handler not called for unrecognized");

	/* One byte per segment, loop running in between. */
	{
		const char *s = "cache show protocol 10.0.0.0/8\n";

		fd = client(path);
		for (i = 0; s[i] != '\0'; i++) {
			csend(fd, s + i, 1);
			pump(0.002);
		}
		collect(fd, 2.0, &r);
		STR_EQ(r.head, "cmd=2 args=[ protocol 10.0.0.0/8]\n",
		    "1-byte segments reassembled");
		OK(r.eof, "1-byte segments: EOF");
		close(fd);
	}

	/* Bytes after the newline are ignored, the close stays clean. */
	request_reply("data after newline", "flush\ntrailing junk", 19,
	    "cmd=3 args=[]\n");

	/* 511 bytes with the newline: served. */
	memcpy(req, "show ", 5);
	memset(req + 5, 'a', 505);
	req[510] = '\n';
	snprintf(want, sizeof(want), "cmd=2 args=[ %.*s]\n", 505, req + 5);
	request_reply("511 bytes", req, 511, want);
	INT_EQ(strlen(last_args), 506, "511 bytes: whole argument");

	/* 512 bytes with the newline: closed, no reply. */
	memset(req + 5, 'a', 506);
	req[511] = '\n';
	request_noreply("512 bytes with newline", req, 512, false);
	/* 512 bytes, no newline. */
	request_noreply("512 bytes without newline", req, 511, true);
	memset(req, 'b', sizeof(req));
	request_noreply("600 bytes", req, 600, false);
	/* 512 bytes in small pieces. */
	{
		fd = client(path);
		calls = handler_calls;
		for (i = 0; i < 512; i += 64) {
			csend(fd, req, 64);
			pump(0.001);
		}
		collect(fd, 2.0, &r);
		OK(r.eof || r.err, "512 bytes in pieces: closed");
		INT_EQ(r.len, 0, "512 bytes in pieces: no reply");
		INT_EQ(handler_calls, calls, "512 in pieces: no handler");
		close(fd);
	}

	/* EOF before the newline. */
	request_noreply("EOF before newline", "show", 4, true);
	request_noreply("EOF at once", "", 0, true);
	pump(0.01);
	INT_EQ(admin_nconns(), 0, "no connection left");
}

static void
test_timeout(void)
{
	struct reply r;
	double t0;
	int fd;

	admin_set_timeout(0.3);
	fd = client(path);
	csend(fd, "show", 4);
	t0 = now();
	pump(0.1);
	INT_EQ(admin_nconns(), 1, "timeout: still open at 0.1 s");
	collect(fd, 3.0, &r);
	OK(r.eof || r.err, "timeout: closed");
	INT_EQ(r.len, 0, "timeout: no reply");
	OK(now() - t0 >= 0.25 && now() - t0 < 2.0,
	    "timeout: closed after about 0.3 s (%.2f)", now() - t0);
	INT_EQ(admin_nconns(), 0, "timeout: freed");
	close(fd);
}

static void
test_big_reply(void)
{
	struct reply r;
	double t0;
	int a, b, c;
	char small[100];

	/*
	 * A asks for a big reply and never reads.  The timeout is long
	 * enough that a loaded machine cannot drop A before B is done.
	 */
	admin_set_timeout(2.0);
	a = client(path);
	csend(a, "show big\n", 9);
	pump(0.1);
	INT_EQ(admin_nconns(), 1, "stalled reader: connection kept");

	/* B is served meanwhile, while A is still connected. */
	t0 = now();
	b = client(path);
	csend(b, "show\n", 5);
	collect(b, 2.0, &r);
	OK(r.eof, "second client served while first stalls");
	STR_EQ(r.head, "cmd=2 args=[]\n", "second client reply");
	INT_EQ(admin_nconns(), 1, "first client still connected then");
	OK(now() - t0 < 1.5, "second client served promptly (%.3f s)",
	    now() - t0);
	close(b);

	/* A is dropped once no progress was made for the timeout. */
	pump(2.5);
	INT_EQ(admin_nconns(), 0, "stalled reader dropped after timeout");
	collect(a, 1.0, &r);
	OK(r.len > 0 && r.len < BIG_REPLY, "stalled reader got a part (%zu)",
	    r.len);
	OK(r.eof || r.err, "stalled reader sees the close");
	close(a);
	admin_set_timeout(0.5);

	/* A slow but steady reader gets everything (timer restarts). */
	a = client(path);
	csend(a, "show big\n", 9);
	collect(a, 10.0, &r);
	INT_EQ(r.len, 12 + BIG_REPLY, "full big reply when read");
	OK(r.eof, "full big reply: EOF");
	close(a);

	/* C reads a little and goes away: no SIGPIPE, connection freed. */
	c = client(path);
	csend(c, "show big\n", 9);
	pump(0.05);
	OK(recv(c, small, sizeof(small), MSG_DONTWAIT) > 0,
	    "early closer read something");
	close(c);
	pump(0.1);
	INT_EQ(admin_nconns(), 0, "early closer: freed, daemon alive");
	request_reply("after early close", "show\n", 5, "cmd=2 args=[]\n");
	admin_set_timeout(10);
}

static void
test_conn_cap(void)
{
	struct reply r;
	int fds[5], i, served = 0;

	admin_set_max_conns(2);
	for (i = 0; i < 5; i++) {
		fds[i] = client(path);
		csend(fds[i], "sho", 3);
	}
	pump(0.05);
	INT_EQ(admin_nconns(), 2, "cap: only 2 accepted");
	for (i = 0; i < 5; i++)
		csend(fds[i], "w\n", 2);
	for (i = 0; i < 5; i++) {
		collect(fds[i], 2.0, &r);
		if (r.eof && strcmp(r.head, "cmd=2 args=[]\n") == 0)
			served++;
		close(fds[i]);
	}
	INT_EQ(served, 5, "cap: the waiting clients are served later");
	admin_set_max_conns(64);
}

static void
test_emfile(void)
{
	struct rlimit rl, low;
	struct reply r;
	int a, b, probe;

	admin_set_accept_pause(0.1);
	a = client(path);
	b = client(path);
	csend(a, "show\n", 5);
	csend(b, "show\n", 5);
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || (probe = open("/dev/null", O_RDONLY)) < 0) {
		OK(0, "emfile: setup");
		return;
	}
	close(probe);
	low = rl;
	low.rlim_cur = (rlim_t)probe;	/* no new descriptor possible */
	setrlimit(RLIMIT_NOFILE, &low);
	pump(0.05);
	OK(admin_accept_paused(), "EMFILE: accepting paused");
	INT_EQ(admin_nconns(), 0, "EMFILE: nothing accepted");
	setrlimit(RLIMIT_NOFILE, &rl);
	collect(a, 2.0, &r);
	STR_EQ(r.head, "cmd=2 args=[]\n", "EMFILE: served after the pause");
	collect(b, 2.0, &r);
	STR_EQ(r.head, "cmd=2 args=[]\n", "EMFILE: second served too");
	OK(!admin_accept_paused(), "EMFILE: accepting again");
	close(a);
	close(b);
}

static int
listener_at(const char *p, bool listening)
{
	struct sockaddr_un sun;
	int fd;

	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", p);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		close(fd);
		return -1;
	}
	if (listening)
		listen(fd, 1);
	return fd;
}

static void
test_socket_file(void)
{
	struct stat st, st2;
	char p2[160], p3[160];
	int fd, rc;
	mode_t old;

	snprintf(p2, sizeof(p2), "%s/live.sock", dir);
	snprintf(p3, sizeof(p3), "%s/file", dir);

	/* Ours is unlinked at shutdown. */
	admin_shutdown();
	OK(lstat(path, &st) < 0 && errno == ENOENT,
	    "shutdown unlinks our socket");

	/* A stale socket file is replaced. */
	fd = listener_at(path, false);
	close(fd);
	OK(lstat(path, &st) == 0 && S_ISSOCK(st.st_mode), "stale file made");
	rc = admin_init(loop, path, handler, NULL);
	INT_EQ(rc, 0, "stale socket replaced");
	OK(lstat(path, &st2) == 0 && S_ISSOCK(st2.st_mode), "socket file");
	request_reply("after stale", "show\n", 5, "cmd=2 args=[]\n");
	INT_EQ(admin_init(loop, path, handler, NULL), -EALREADY,
	    "second init refused");

	/* A file that is not ours any more is left at shutdown. */
	unlink(path);
	fd = listener_at(path, true);
	lstat(path, &st);
	admin_shutdown();
	OK(lstat(path, &st2) == 0 && st2.st_ino == st.st_ino,
	    "shutdown leaves a foreign socket file");
	close(fd);
	unlink(path);

	/* A live daemon's socket is never taken over. */
	fd = listener_at(p2, true);
	lstat(p2, &st);
	rc = admin_init(loop, p2, handler, NULL);
	INT_EQ(rc, -EADDRINUSE, "live socket: EADDRINUSE");
	OK(lstat(p2, &st2) == 0 && st2.st_ino == st.st_ino,
	    "live socket file untouched");
	{
		int c = client(p2);

		OK(c >= 0, "live daemon still reachable");
		close(c);
	}
	close(fd);
	unlink(p2);

	/* Not a socket: left alone. */
	close(open(p3, O_CREAT | O_WRONLY, 0600));
	INT_EQ(admin_init(loop, p3, handler, NULL), -EEXIST,
	    "regular file: EEXIST");
	OK(lstat(p3, &st) == 0 && S_ISREG(st.st_mode),
	    "regular file untouched");
	unlink(p3);

	/* Path too long. */
	{
		char longp[200];

		memset(longp, 'x', sizeof(longp) - 1);
		longp[sizeof(longp) - 1] = '\0';
		INT_EQ(admin_init(loop, longp, handler, NULL), -ENAMETOOLONG,
		    "path too long");
	}

	/* Mode follows the umask. */
	old = umask(077);
	rc = admin_init(loop, path, handler, NULL);
	umask(old);
	INT_EQ(rc, 0, "init under umask 077");
	OK(lstat(path, &st) == 0 && (st.st_mode & 0777) == 0700,
	    "umask 077 -> mode 0700 (%o)", (unsigned)(st.st_mode & 0777));
	admin_shutdown();
	old = umask(0);
	rc = admin_init(loop, path, handler, NULL);
	umask(old);
	OK(lstat(path, &st) == 0 && (st.st_mode & 0777) == 0777,
	    "umask 0 -> mode 0777 (%o)", (unsigned)(st.st_mode & 0777));
	request_reply("final", "show\n", 5, "cmd=2 args=[]\n");
	admin_shutdown();
	OK(lstat(path, &st) < 0, "unlinked at the end");
}

int
main(void)
{
	int rc;

	signal(SIGPIPE, SIG_DFL);
	snprintf(dir, sizeof(dir), "/tmp/nhrp-admin-test.XXXXXX");
	if (mkdtemp(dir) == NULL) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	snprintf(path, sizeof(path), "%s/admin.sock", dir);
	loop = ev_loop_new(EVFLAG_AUTO);

	rc = admin_init(loop, path, handler, NULL);
	INT_EQ(rc, 0, "admin_init");
	if (rc == 0) {
		test_requests();
		test_timeout();
		test_big_reply();
		test_deferred();
		test_conn_cap();
		test_emfile();
		test_socket_file();
	}
	admin_shutdown();
	ev_loop_destroy(loop);
	rmdir(dir);
	return tap_done();
}
