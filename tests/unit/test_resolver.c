/*
 * test_resolver.c - c-ares resolver against a private dnsmasq on loopback.
 *
 * dnsmasq serves a few names under example.test on 127.0.0.1 with a
 * free high port; nothing ever reaches live DNS.  Skipped (TAP SKIP)
 * when dnsmasq is not installed.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <netinet/in.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ev.h>

#include "libnhrp/addr.h"
#include "nhrp/resolver.h"
#include "tests/tap.h"

struct answer {
	int			called;
	int			status;
	size_t			n;
	struct nhrp_addr	addrs[RESOLVER_MAX_ADDRS];
};

static struct ev_loop *loop;
static char dir[64];
static pid_t dns_pid = -1;
static ev_timer tick_w;

static void
tick_cb(struct ev_loop *l, ev_timer *w, int revents)
{
}

static double
now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
answer_cb(void *ctx, int status, const struct nhrp_addr *addrs, size_t n)
{
	struct answer *a = ctx;
	size_t i;

	a->called++;
	a->status = status;
	a->n = n;
	for (i = 0; i < n && i < RESOLVER_MAX_ADDRS; i++)
		a->addrs[i] = addrs[i];
}

static int
run_until_called(struct answer *a, double secs)
{
	double end = now_mono() + secs;

	while (a->called == 0 && now_mono() < end)
		ev_run(loop, EVRUN_ONCE);
	return a->called > 0;
}

static void
run_for(double secs)
{
	double end = now_mono() + secs;

	while (now_mono() < end)
		ev_run(loop, EVRUN_ONCE);
}

static const char *
addr_str(const struct nhrp_addr *a)
{
	static char buf[NHRP_ADDRSTRLEN];

	return nhrp_addr_format(a, buf, sizeof(buf));
}

static int
has_addr(const struct answer *a, const char *s)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		if (strcmp(addr_str(&a->addrs[i]), s) == 0)
			return 1;
	return 0;
}

/* A free port on 127.0.0.1, for both UDP and TCP (best effort). */
static int
free_port(void)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int s, port = 0;

	if ((s = socket(AF_INET, SOCK_DGRAM, 0)) == -1)
		return 0;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(s, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
	    getsockname(s, (struct sockaddr *)&sin, &len) == 0)
		port = ntohs(sin.sin_port);
	close(s);
	return port;
}

static int
tcp_ready(int port)
{
	struct sockaddr_in sin;
	int s, r;

	if ((s = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return 0;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	r = connect(s, (struct sockaddr *)&sin, sizeof(sin));
	close(s);
	return r == 0;
}

static const char *
find_dnsmasq(void)
{
	static const char *cand[] = {
		"/usr/sbin/dnsmasq", "/usr/bin/dnsmasq", "/sbin/dnsmasq",
		"/usr/local/sbin/dnsmasq", NULL
	};
	int i;

	for (i = 0; cand[i] != NULL; i++)
		if (access(cand[i], X_OK) == 0)
			return cand[i];
	return NULL;
}

static void
stop_dnsmasq(void)
{
	if (dns_pid > 0) {
		kill(dns_pid, SIGTERM);
		while (waitpid(dns_pid, NULL, 0) == -1 && errno == EINTR)
			;
		dns_pid = -1;
	}
}

static int
start_dnsmasq(const char *prog, int port)
{
	char a_port[32], a_hosts[128], a_pid[128], log[128];
	double end;
	int fd;

	snprintf(a_port, sizeof(a_port), "--port=%d", port);
	snprintf(a_hosts, sizeof(a_hosts), "--addn-hosts=%s/hosts", dir);
	snprintf(a_pid, sizeof(a_pid), "--pid-file=%s/dnsmasq.pid", dir);
	snprintf(log, sizeof(log), "%s/dnsmasq.log", dir);

	if ((dns_pid = fork()) == -1)
		return -1;
	if (dns_pid == 0) {
		if ((fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644)) != -1) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execl(prog, prog, "--no-daemon", "--conf-file=/dev/null",
		    "--no-resolv", "--no-hosts", "--no-poll", "--no-negcache",
		    "--bind-interfaces", "--listen-address=127.0.0.1",
		    a_port, a_pid, a_hosts,
		    "--address=/hub.example.test/192.0.2.1",
		    "--local=/example.test/",
		    (char *)NULL);
		_exit(127);
	}
	end = now_mono() + 10;
	while (now_mono() < end) {
		if (tcp_ready(port))
			return 0;
		if (waitpid(dns_pid, NULL, WNOHANG) == dns_pid) {
			dns_pid = -1;
			return -1;
		}
		usleep(20000);
	}
	return -1;
}

static void
write_hosts(void)
{
	char path[128];
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "%s/hosts", dir);
	if ((f = fopen(path, "w")) == NULL)
		return;
	fprintf(f, "192.0.2.11 multi.example.test\n");
	fprintf(f, "192.0.2.12 multi.example.test\n");
	fprintf(f, "192.0.2.13 multi.example.test\n");
	for (i = 1; i <= 20; i++)
		fprintf(f, "198.51.100.%d many.example.test\n", i);
	fclose(f);
	chmod(path, 0644);
}

static void
cleanup(void)
{
	char cmd[128];

	stop_dnsmasq();
	if (dir[0] != '\0') {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			tap_diag("could not remove %s", dir);
	}
}

/* Every socket but `except' has close-on-exec set. */
static int
sockets_cloexec(int except, int *nsock)
{
	struct stat st;
	int fd, fl, ok = 1;

	*nsock = 0;
	for (fd = 3; fd < 1024; fd++) {
		if (fd == except || fstat(fd, &st) == -1 || !S_ISSOCK(st.st_mode))
			continue;
		(*nsock)++;
		if ((fl = fcntl(fd, F_GETFD)) == -1 || !(fl & FD_CLOEXEC))
			ok = 0;
	}
	return ok;
}

static void
test_answers(void)
{
	struct answer a, b;
	struct resolver_query *q, *q2;

	memset(&a, 0, sizeof(a));
	q = resolver_lookup("hub.example.test", answer_cb, &a);
	OK(q != NULL, "lookup handle");
	OK(run_until_called(&a, 10), "hub answered");
	INT_EQ(a.status, 0, "hub status");
	INT_EQ(a.n, 1, "hub has one address");
	OK(a.n == 1 && strcmp(addr_str(&a.addrs[0]), "192.0.2.1") == 0,
	    "hub is 192.0.2.1");
	OK(a.n == 1 && a.addrs[0].afn == NHRP_AFN_IPV4 && a.addrs[0].len == 4,
	    "IPv4 address");

	memset(&a, 0, sizeof(a));
	resolver_lookup("multi.example.test", answer_cb, &a);
	OK(run_until_called(&a, 10), "multi answered");
	INT_EQ(a.status, 0, "multi status");
	INT_EQ(a.n, 3, "multi has all three records");
	OK(has_addr(&a, "192.0.2.11") && has_addr(&a, "192.0.2.12") &&
	    has_addr(&a, "192.0.2.13"), "multi records are .11 .12 .13");

	memset(&a, 0, sizeof(a));
	resolver_lookup("many.example.test", answer_cb, &a);
	OK(run_until_called(&a, 10), "many answered");
	INT_EQ(a.status, 0, "many status");
	INT_EQ(a.n, RESOLVER_MAX_ADDRS, "at most RESOLVER_MAX_ADDRS addresses");

	memset(&a, 0, sizeof(a));
	resolver_lookup("nx.example.test", answer_cb, &a);
	OK(run_until_called(&a, 10), "nx answered");
	OK(a.status != 0, "NXDOMAIN is a failure");
	INT_EQ(a.n, 0, "NXDOMAIN has no address");
	INT_EQ(a.called, 1, "callback once");

	/* a numeric name is answered by c-ares at once: still from the loop */
	memset(&a, 0, sizeof(a));
	q = resolver_lookup("192.0.2.99", answer_cb, &a);
	OK(q != NULL && a.called == 0, "numeric answer not delivered inside lookup");
	OK(run_until_called(&a, 5), "numeric answered from the loop");
	OK(a.status == 0 && a.n == 1 &&
	    strcmp(addr_str(&a.addrs[0]), "192.0.2.99") == 0, "numeric address");

	memset(&a, 0, sizeof(a));
	q = resolver_lookup("192.0.2.98", answer_cb, &a);
	resolver_cancel(q);
	run_for(0.1);
	INT_EQ(a.called, 0, "cancelled numeric lookup never calls back");

	/* cancelling one query leaves the other in flight */
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	q = resolver_lookup("hub.example.test", answer_cb, &a);
	q2 = resolver_lookup("multi.example.test", answer_cb, &b);
	OK(q != NULL && q2 != NULL, "two queries in flight");
	resolver_cancel(q);
	OK(run_until_called(&b, 10), "the other query still answers");
	INT_EQ(b.status, 0, "the other query succeeds");
	INT_EQ(b.n, 3, "the other query has its records");
	run_for(0.3);
	INT_EQ(a.called, 0, "the cancelled query never calls back");

	OK(resolver_lookup(NULL, answer_cb, &a) == NULL, "NULL name refused");
	resolver_cancel(NULL);
}

/*
 * A tiny DNS server on the test's own loop that answers every A query
 * with 192.0.2.31, .32, .31 again and .33: duplicates from the wire.
 */
static void
crafted_cb(struct ev_loop *l, ev_io *w, int revents)
{
	static const uint8_t ans[] = { 31, 32, 31, 33 };
	struct sockaddr_in from;
	socklen_t flen = sizeof(from);
	uint8_t q[512], r[512];
	ssize_t n;
	size_t off = 12, rl;
	unsigned i;

	n = recvfrom(w->fd, q, sizeof(q), 0, (struct sockaddr *)&from, &flen);
	if (n < 12)
		return;
	while (off < (size_t)n && q[off] != 0)
		off += q[off] + 1;
	off += 1 + 4;			/* root label, qtype, qclass */
	if (off > (size_t)n)
		return;
	memcpy(r, q, off);
	r[2] = 0x81;			/* QR, RD */
	r[3] = 0x80;			/* RA, NOERROR */
	r[4] = 0; r[5] = 1;		/* one question */
	r[6] = 0; r[7] = sizeof(ans);	/* answers */
	memset(r + 8, 0, 4);		/* no authority, no additional */
	rl = off;
	for (i = 0; i < sizeof(ans); i++) {
		static const uint8_t rr[] = {
			0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2
		};

		memcpy(r + rl, rr, sizeof(rr));
		rl += sizeof(rr);
		r[rl++] = ans[i];
	}
	(void)sendto(w->fd, r, rl, 0, (struct sockaddr *)&from, flen);
}

static int
udp_socket(int *port)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int s;

	*port = 0;
	if ((s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(s, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
	    getsockname(s, (struct sockaddr *)&sin, &len) == 0)
		*port = ntohs(sin.sin_port);
	return s;
}

static void
test_crafted_server(void)
{
	struct answer a;
	ev_io io_w;
	char csv[64];
	int s, port;

	s = udp_socket(&port);
	OK(s != -1 && port > 0, "crafted server on port %d", port);
	ev_io_init(&io_w, crafted_cb, s, EV_READ);
	ev_io_start(loop, &io_w);
	snprintf(csv, sizeof(csv), "127.0.0.1:%d", port);
	OK(resolver_set_servers(csv) == 0, "servers %s", csv);

	memset(&a, 0, sizeof(a));
	resolver_lookup("dup.example.test", answer_cb, &a);
	OK(run_until_called(&a, 10), "crafted answer arrived");
	INT_EQ(a.status, 0, "crafted answer status");
	INT_EQ(a.n, 3, "a duplicate record is delivered once");
	OK(a.n == 3 && strcmp(addr_str(&a.addrs[0]), "192.0.2.31") == 0 &&
	    strcmp(addr_str(&a.addrs[1]), "192.0.2.32") == 0 &&
	    strcmp(addr_str(&a.addrs[2]), "192.0.2.33") == 0,
	    "records keep the DNS order");
	ev_io_stop(loop, &io_w);
	close(s);
}

static void
test_server_stopped(const char *dnsmasq_csv)
{
	struct answer a;
	double t0;

	OK(resolver_set_servers(dnsmasq_csv) == 0, "back to dnsmasq");
	stop_dnsmasq();
	memset(&a, 0, sizeof(a));
	t0 = now_mono();
	resolver_lookup("hub.example.test", answer_cb, &a);
	OK(run_until_called(&a, 20), "stopped server: answered");
	OK(a.status != 0 && a.n == 0, "stopped server: failure");
	OK(now_mono() - t0 < 15.0, "stopped server: within 2 s x 3 tries (%.2f s)",
	    now_mono() - t0);
}

static void
test_silent_server(void)
{
	struct answer a, b;
	char csv[64];
	double t0, dt;
	int s, cloexec, nsock = 0, port;

	/* a UDP socket that never answers */
	s = udp_socket(&port);
	OK(s != -1 && port > 0, "silent server on port %d", port);

	resolver_shutdown();
	resolver_set_timeout(200, 2);
	OK(resolver_init(loop) == 0, "resolver re-init with short timeouts");
	snprintf(csv, sizeof(csv), "127.0.0.1:%d", port);
	OK(resolver_set_servers(csv) == 0, "servers %s", csv);

	memset(&a, 0, sizeof(a));
	t0 = now_mono();
	resolver_lookup("hub.example.test", answer_cb, &a);
	run_for(0.05);
	cloexec = sockets_cloexec(s, &nsock);
	OK(cloexec && nsock > 0, "c-ares sockets are close-on-exec (%d)", nsock);
	OK(run_until_called(&a, 10), "silent server: answered");
	dt = now_mono() - t0;
	OK(a.status != 0 && a.n == 0, "silent server: failure");
	OK(dt >= 0.15 && dt < 3.0, "silent server: after the timeouts (%.2f s)", dt);

	/* shutdown with a query in flight: no callback, no crash */
	memset(&b, 0, sizeof(b));
	resolver_lookup("hub.example.test", answer_cb, &b);
	run_for(0.05);
	resolver_shutdown();
	run_for(0.1);
	INT_EQ(b.called, 0, "no callback after shutdown");
	OK(resolver_lookup("hub.example.test", answer_cb, &b) == NULL,
	    "lookup after shutdown refused");
	if (s != -1)
		close(s);
}

int
main(void)
{
	const char *prog;
	char csv[64];
	int port;

	if ((prog = find_dnsmasq()) == NULL) {
		printf("1..0 # SKIP dnsmasq not found\n");
		return 0;
	}
	snprintf(dir, sizeof(dir), "/tmp/test_resolver.XXXXXX");
	if (mkdtemp(dir) == NULL) {
		printf("Bail out! mkdtemp\n");
		return 1;
	}
	chmod(dir, 0755);	/* dnsmasq may drop privileges */
	write_hosts();
	signal(SIGPIPE, SIG_IGN);

	loop = ev_default_loop(0);
	ev_timer_init(&tick_w, tick_cb, 0.05, 0.05);
	ev_timer_start(loop, &tick_w);

	OK(resolver_lookup("hub.example.test", answer_cb, NULL) == NULL,
	    "lookup before init refused");
	OK(resolver_init(loop) == 0, "resolver_init");
	OK(resolver_set_servers("not an address") == -1, "bad server list refused");

	port = free_port();
	if (port == 0 || start_dnsmasq(prog, port) == -1) {
		printf("Bail out! dnsmasq did not start on port %d\n", port);
		cleanup();
		return 1;
	}
	snprintf(csv, sizeof(csv), "127.0.0.1:%d", port);
	OK(resolver_set_servers(csv) == 0, "servers %s", csv);

	test_answers();
	test_crafted_server();
	test_server_stopped(csv);
	test_silent_server();

	cleanup();
	return tap_done();
}
