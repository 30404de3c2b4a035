/*
 * test_capture - the capture filters (nhrp/sysdep_capture.c) run in a
 * small classic-BPF interpreter against crafted packets, the kernel's
 * own filter checker, the user-space validation, the API's argument
 * checks, and (as root only) a live redirect capture on the loopback
 * device.
 */
#include "config.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <linux/filter.h>
#include <linux/if_packet.h>

#include <ev.h>

#include "tests/tap.h"
#include "addr.h"
#include "nhrp/capture.h"

/* ---- a classic BPF interpreter, enough for our programs ----------------- */

struct skb {
	const uint8_t	*data;		/* from the network header */
	size_t		 len;
	uint32_t	 pkttype;
	uint32_t	 protocol;	/* host order */
	uint32_t	 ifindex;
};

/* Returns the accept length (0 = drop), or -1 for an invalid program. */
static long
bpf_run(const struct capture_insn *p, size_t n, const struct skb *s)
{
	uint32_t A = 0, X = 0, k;
	size_t pc = 0, steps = 0;

	while (pc < n) {
		const struct capture_insn *i = &p[pc];

		if (++steps > 10000)
			return -1;
		k = i->k;
		switch (i->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			if (k >= (uint32_t)SKF_AD_OFF) {
				switch (k - (uint32_t)SKF_AD_OFF) {
				case SKF_AD_PKTTYPE:
					A = s->pkttype;
					break;
				case SKF_AD_PROTOCOL:
					A = s->protocol;
					break;
				case SKF_AD_IFINDEX:
					A = s->ifindex;
					break;
				default:
					return -1;
				}
				break;
			}
			if (k + 4 > s->len)
				return 0;	/* out of bounds: drop */
			A = (uint32_t)s->data[k] << 24 |
			    (uint32_t)s->data[k + 1] << 16 |
			    (uint32_t)s->data[k + 2] << 8 | s->data[k + 3];
			break;
		case BPF_LD | BPF_H | BPF_ABS:
			if (k + 2 > s->len)
				return 0;
			A = (uint32_t)s->data[k] << 8 | s->data[k + 1];
			break;
		case BPF_LD | BPF_B | BPF_ABS:
			if (k + 1 > s->len)
				return 0;
			A = s->data[k];
			break;
		case BPF_ALU | BPF_AND | BPF_K:
			A &= k;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			pc += A == k ? i->jt : i->jf;
			break;
		case BPF_JMP | BPF_JSET | BPF_K:
			pc += (A & k) ? i->jt : i->jf;
			break;
		case BPF_JMP | BPF_JGT | BPF_K:
			pc += A > k ? i->jt : i->jf;
			break;
		case BPF_JMP | BPF_JGE | BPF_K:
			pc += A >= k ? i->jt : i->jf;
			break;
		case BPF_RET | BPF_K:
			return (long)k;
		case BPF_RET | BPF_A:
			return (long)A;
		case BPF_MISC | BPF_TAX:
			X = A;
			break;
		default:
			return -1;
		}
		(void)X;
		pc++;
	}
	return -1;		/* fell off the end */
}

/* Structural checks: every jump lands inside, the program ends in RET. */
static bool
prog_sane(const struct capture_insn *p, size_t n)
{
	size_t i;

	if (n == 0 || n > CAPTURE_FILTER_MAX ||
	    BPF_CLASS(p[n - 1].code) != BPF_RET)
		return false;
	for (i = 0; i < n; i++) {
		if (BPF_CLASS(p[i].code) != BPF_JMP)
			continue;
		if (i + 1 + p[i].jt >= n || i + 1 + p[i].jf >= n)
			return false;
	}
	return true;
}

/* an IPv4 packet: tot bytes, src, dst (dotted), version 4 unless told */
static size_t
mkpkt(uint8_t *b, size_t tot, const char *src, const char *dst)
{
	struct in_addr a;
	size_t i;

	memset(b, 0, tot);
	b[0] = 0x45;
	b[2] = (uint8_t)(tot >> 8);
	b[3] = (uint8_t)tot;
	b[8] = 64;
	b[9] = 17;
	inet_pton(AF_INET, src, &a);
	memcpy(b + 12, &a, 4);
	inet_pton(AF_INET, dst, &a);
	memcpy(b + 16, &a, 4);
	for (i = 20; i < tot; i++)
		b[i] = (uint8_t)i;
	return tot;
}

static long
run(const struct capture_insn *p, int n, const uint8_t *b, size_t len,
    uint32_t pkttype, uint32_t proto)
{
	struct skb s = { b, len, pkttype, proto, 7 };

	return bpf_run(p, (size_t)n, &s);
}

static uint32_t
ip4(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return a.s_addr;
}

static void
test_filters(void)
{
	struct capture_insn p[CAPTURE_FILTER_MAX];
	uint32_t local[40];
	uint8_t b[2000];
	size_t len;
	int n, n0, i;
	char dst[32];

	n = capture_filter_build(0, NULL, 0, p, CAPTURE_FILTER_MAX);
	OK(n == -EINVAL, "mode 0 is refused");
	n = capture_filter_build(CAPTURE_REDIRECT | CAPTURE_MULTICAST, NULL, 0,
	    p, CAPTURE_FILTER_MAX);
	OK(n == -EINVAL, "both modes in one program are refused");
	n = capture_filter_build(CAPTURE_REDIRECT, NULL, 2, p,
	    CAPTURE_FILTER_MAX);
	OK(n == -EINVAL, "locals without an array are refused");
	n = capture_filter_build(CAPTURE_MULTICAST, NULL, 0, p, 3);
	OK(n == -ENOSPC, "too small an output array: -ENOSPC");

	/* ---- multicast ---- */
	n = capture_filter_build(CAPTURE_MULTICAST, NULL, 0, p,
	    CAPTURE_FILTER_MAX);
	OK(n > 0 && prog_sane(p, (size_t)n),
	    "multicast program: %d instructions, jumps in range", n);
	len = mkpkt(b, 1400, "10.255.255.1", "224.0.0.5");
	OK(run(p, n, b, len, PACKET_OUTGOING, 0x0800) >= 65535,
	    "multicast: outgoing 224.0.0.5 accepted whole");
	len = mkpkt(b, 60, "10.255.255.1", "239.255.255.250");
	OK(run(p, n, b, len, PACKET_OUTGOING, 0x0800) >= 65535,
	    "multicast: outgoing 239.255.255.250 accepted");
	OK(run(p, n, b, len, PACKET_HOST, 0x0800) == 0,
	    "multicast: received (PACKET_HOST) dropped");
	OK(run(p, n, b, len, PACKET_MULTICAST, 0x0800) == 0,
	    "multicast: received (PACKET_MULTICAST) dropped");
	OK(run(p, n, b, len, PACKET_LOOPBACK, 0x0800) == 0,
	    "multicast: looped back copy dropped");
	OK(run(p, n, b, len, PACKET_OUTGOING, 0x2001) == 0,
	    "multicast: NHRP ethertype dropped");
	OK(run(p, n, b, len, PACKET_OUTGOING, 0x86dd) == 0,
	    "multicast: IPv6 ethertype dropped");
	len = mkpkt(b, 60, "10.255.255.1", "10.255.255.2");
	OK(run(p, n, b, len, PACKET_OUTGOING, 0x0800) == 0,
	    "multicast: outgoing unicast dropped");
	len = mkpkt(b, 60, "10.255.255.1", "240.0.0.1");
	OK(run(p, n, b, len, PACKET_OUTGOING, 0x0800) == 0,
	    "multicast: class E (240.0.0.1) dropped");
	len = mkpkt(b, 60, "10.255.255.1", "255.255.255.255");
	OK(run(p, n, b, len, PACKET_OUTGOING, 0x0800) == 0,
	    "multicast: limited broadcast dropped");
	len = mkpkt(b, 60, "10.255.255.1", "224.0.0.5");
	b[0] = 0x65;
	OK(run(p, n, b, len, PACKET_OUTGOING, 0x0800) == 0,
	    "multicast: IP version 6 in an IPv4 frame dropped");
	len = mkpkt(b, 60, "10.255.255.1", "224.0.0.5");
	OK(run(p, n, b, 18, PACKET_OUTGOING, 0x0800) == 0,
	    "multicast: 18-byte runt (no destination) dropped");

	/* ---- redirect ---- */
	n0 = capture_filter_build(CAPTURE_REDIRECT, NULL, 0, p,
	    CAPTURE_FILTER_MAX);
	OK(n0 > 0 && prog_sane(p, (size_t)n0),
	    "redirect program without locals: %d instructions", n0);
	local[0] = ip4("10.255.255.1");
	local[1] = ip4("10.255.255.255");
	n = capture_filter_build(CAPTURE_REDIRECT, local, 2, p,
	    CAPTURE_FILTER_MAX);
	OK(n == n0 + 2 && prog_sane(p, (size_t)n),
	    "two locals: two more instructions (%d)", n);
	len = mkpkt(b, 1400, "192.168.1.2", "192.168.2.2");
	OK(run(p, n, b, len, PACKET_HOST, 0x0800) == CAPTURE_SNAPLEN,
	    "redirect: forwarded unicast sampled, %d bytes", CAPTURE_SNAPLEN);
	OK(run(p, n, b, len, PACKET_OUTGOING, 0x0800) == 0,
	    "redirect: outgoing dropped");
	OK(run(p, n, b, len, PACKET_OTHERHOST, 0x0800) == 0,
	    "redirect: PACKET_OTHERHOST dropped");
	OK(run(p, n, b, len, PACKET_HOST, 0x2001) == 0,
	    "redirect: NHRP ethertype dropped");
	len = mkpkt(b, 60, "192.168.1.2", "10.255.255.1");
	OK(run(p, n, b, len, PACKET_HOST, 0x0800) == 0,
	    "redirect: to our own address dropped in the kernel");
	len = mkpkt(b, 60, "192.168.1.2", "10.255.255.255");
	OK(run(p, n, b, len, PACKET_HOST, 0x0800) == 0,
	    "redirect: to our subnet broadcast dropped");
	len = mkpkt(b, 60, "192.168.1.2", "255.255.255.255");
	OK(run(p, n, b, len, PACKET_HOST, 0x0800) == 0,
	    "redirect: limited broadcast dropped");
	len = mkpkt(b, 60, "10.255.255.2", "224.0.0.5");
	OK(run(p, n, b, len, PACKET_HOST, 0x0800) == 0,
	    "redirect: multicast dropped");
	len = mkpkt(b, 60, "10.255.255.2", "10.255.255.3");
	OK(run(p, n, b, len, PACKET_HOST, 0x0800) == CAPTURE_SNAPLEN,
	    "redirect: spoke to spoke sampled");
	OK(run(p, n, b, 19, PACKET_HOST, 0x0800) == 0,
	    "redirect: runt dropped");

	/* many locals: the program stays bounded, the jumps stay valid */
	for (i = 0; i < 40; i++) {
		snprintf(dst, sizeof(dst), "10.1.%d.1", i);
		local[i] = ip4(dst);
	}
	n = capture_filter_build(CAPTURE_REDIRECT, local, 40, p,
	    CAPTURE_FILTER_MAX);
	OK(n == n0 + CAPTURE_MAX_LOCAL && prog_sane(p, (size_t)n),
	    "40 locals: capped at %d in the kernel (%d instructions)",
	    CAPTURE_MAX_LOCAL, n);
	len = mkpkt(b, 100, "192.168.1.2", "10.1.15.1");
	OK(run(p, n, b, len, PACKET_HOST, 0x0800) == 0,
	    "the 16th local is excluded");
	len = mkpkt(b, 100, "192.168.1.2", "10.1.0.1");
	OK(run(p, n, b, len, PACKET_HOST, 0x0800) == 0,
	    "the first local is excluded");
	len = mkpkt(b, 100, "192.168.1.2", "10.1.16.1");
	OK(run(p, n, b, len, PACKET_HOST, 0x0800) == CAPTURE_SNAPLEN,
	    "the 17th is left to user space");
}

/* The kernel's checker accepts both programs (any socket will do). */
static void
test_kernel_accepts(void)
{
	struct capture_insn p[CAPTURE_FILTER_MAX];
	uint32_t local[CAPTURE_MAX_LOCAL];
	struct sock_fprog fp;
	unsigned modes[2] = { CAPTURE_REDIRECT, CAPTURE_MULTICAST };
	int fd, n, i, j;

	for (j = 0; j < CAPTURE_MAX_LOCAL; j++)
		local[j] = htonl(0x0a000001u + (uint32_t)j);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd == -1) {
		OK(0, "UDP socket: %s", strerror(errno));
		return;
	}
	for (i = 0; i < 2; i++) {
		n = capture_filter_build(modes[i], local, CAPTURE_MAX_LOCAL, p,
		    CAPTURE_FILTER_MAX);
		fp.len = (unsigned short)n;
		fp.filter = (struct sock_filter *)(void *)p;
		OK(n > 0 && setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fp,
		    sizeof(fp)) == 0, "the kernel accepts the %s program "
		    "(%d instructions)", i == 0 ? "redirect" : "multicast", n);
	}
	close(fd);
}

static void
test_validate(void)
{
	uint8_t b[2000];
	size_t len;

	len = mkpkt(b, 1400, "192.168.1.2", "192.168.2.2");
	OK(capture_validate(CAPTURE_REDIRECT, b, 68, 68) == 68,
	    "validate: a 68-byte sample of a 1400-byte packet");
	OK(capture_validate(CAPTURE_MULTICAST, b, len, len) == -1,
	    "validate: unicast is not multicast");
	len = mkpkt(b, 40, "192.168.1.2", "192.168.2.2");
	OK(capture_validate(CAPTURE_REDIRECT, b, 46, 46) == 40,
	    "validate: link padding after the total length is cut");
	b[0] = 0x44;
	OK(capture_validate(CAPTURE_REDIRECT, b, 40, 40) == -1,
	    "validate: header length 16 refused");
	b[0] = 0x4f;
	OK(capture_validate(CAPTURE_REDIRECT, b, 40, 40) == -1,
	    "validate: header longer than the sample refused");
	b[0] = 0x55;
	OK(capture_validate(CAPTURE_REDIRECT, b, 40, 40) == -1,
	    "validate: version 5 refused");
	len = mkpkt(b, 40, "192.168.1.2", "192.168.2.2");
	b[2] = 0;
	b[3] = 12;
	OK(capture_validate(CAPTURE_REDIRECT, b, 40, 40) == -1,
	    "validate: total length below the header refused");
	OK(capture_validate(CAPTURE_REDIRECT, b, 19, 19) == -1,
	    "validate: 19 bytes refused");
	len = mkpkt(b, 40, "192.168.1.2", "255.255.255.255");
	OK(capture_validate(CAPTURE_REDIRECT, b, len, len) == -1,
	    "validate: redirect sample to limited broadcast refused");

	len = mkpkt(b, 1800, "10.255.255.1", "224.0.0.5");
	OK(capture_validate(CAPTURE_MULTICAST, b, len, len) == 1800,
	    "validate: 1800-byte multicast whole (no 1500 cap)");
	OK(capture_validate(CAPTURE_MULTICAST, b, 1500, 1800) == -1,
	    "validate: truncated multicast (MSG_TRUNC) refused");
	OK(capture_validate(CAPTURE_MULTICAST, b, 1500, 1500) == -1,
	    "validate: multicast shorter than its total length refused");
	OK(capture_validate(CAPTURE_REDIRECT, b, 68, 68) == -1,
	    "validate: multicast is no redirect sample");
	OK(capture_validate(0, b, len, len) == -1, "validate: mode 0");
}

static int cb_redirects, cb_multicasts;
static uint8_t cb_last[CAPTURE_SNAPLEN];
static size_t cb_last_len;

static void
on_redirect(void *arg, int ifindex, const struct nhrp_addr *src,
    const uint8_t *ip, size_t len)
{
	/* only our marked packets: other tests may use loopback too */
	if (len >= 30 && memcmp(ip + 28, "\xca\xfe", 2) == 0) {
		cb_redirects++;
		cb_last_len = len;
		memcpy(cb_last, ip, len);
	}
}

static void
on_multicast(void *arg, int ifindex, const uint8_t *ip, size_t len)
{
	cb_multicasts++;
}

static const struct capture_ops ops = { on_redirect, on_multicast };

static void
stop_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	ev_break(loop, EVBREAK_ALL);
}

static void
run_loop(struct ev_loop *loop, double secs)
{
	ev_timer t;

	ev_timer_init(&t, stop_cb, secs, 0.);
	ev_timer_start(loop, &t);
	ev_run(loop, 0);
	ev_timer_stop(loop, &t);
}

static void
send_udp(const char *dst, size_t len)
{
	struct sockaddr_in sin;
	uint8_t payload[2000];
	int fd;

	memset(payload, 0x5a, sizeof(payload));
	payload[0] = 0xca;
	payload[1] = 0xfe;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(9);
	inet_pton(AF_INET, dst, &sin.sin_addr);
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1)
		return;
	(void)sendto(fd, payload, len, 0, (struct sockaddr *)&sin,
	    sizeof(sin));
	close(fd);
}

static void
test_api(void)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct capture_stats st;
	struct nhrp_addr a[3];
	uint8_t b[100];
	int lo, fd, r;

	OK(capture_iface_set(1, CAPTURE_REDIRECT) == -ENOTCONN,
	    "capture_iface_set before capture_init: -ENOTCONN");
	OK(capture_init(NULL, &ops, NULL) == -EINVAL, "init without a loop");
	OK(capture_init(loop, &ops, NULL) == 0, "capture_init");
	OK(capture_iface_set(0, CAPTURE_REDIRECT) == -EINVAL, "ifindex 0");
	OK(capture_iface_set(1, 4) == -EINVAL, "unknown flag");
	OK(capture_iface_set(12345, 0) == 0, "removing an unknown interface");
	mkpkt(b, 60, "10.0.0.1", "224.0.0.5");
	OK(capture_mcast_send(1, b, 60, NULL, 0) == 0, "relay to nobody: 0");
	OK(capture_mcast_send(1, NULL, 60, a, 1) == -EINVAL,
	    "relay without a packet: -EINVAL");
	OK(capture_iface_stats(12345, &st) == -ENOENT,
	    "stats of an unknown interface: -ENOENT");

	/* live part: needs CAP_NET_RAW.  Besides our marked datagrams, lo
	 * carries their ICMP port unreachables (also samples) and maybe
	 * other traffic: only the marked ones are counted exactly. */
	fd = socket(PF_PACKET, SOCK_DGRAM, 0);
	if (fd == -1) {
		OK(1, "live loopback capture # SKIP no packet sockets (not root)");
		goto out;
	}
	close(fd);
	lo = (int)if_nametoindex("lo");
	nhrp_addr_set_ipv4(&a[0], ip4("127.0.0.3"));
	OK(capture_iface_set_local(lo, a, 1) == 0, "locals on lo");
	r = capture_iface_set(lo, CAPTURE_REDIRECT);
	OK(r == 0, "redirect capture on lo (%d)", r);
	OK(capture_iface_set(lo, CAPTURE_REDIRECT) == 0,
	    "same flags again: no-op");
	run_loop(loop, 0.05);
	send_udp("127.0.0.2", 1000);
	send_udp("127.0.0.3", 1000);	/* excluded in the BPF */
	run_loop(loop, 0.2);
	OK(cb_redirects == 1, "lo: one sample (%d), the local one excluded",
	    cb_redirects);
	OK(cb_last_len == CAPTURE_SNAPLEN, "lo: sample of %zu bytes",
	    cb_last_len);
	OK(cb_last_len >= 20 && memcmp(cb_last + 16, "\x7f\x00\x00\x02", 4) == 0,
	    "lo: destination 127.0.0.2");
	r = capture_iface_stats(lo, &st);
	OK(r == 0 && st.redirect_captured >= 1 && st.invalid == 0,
	    "lo: counted (%llu), nothing invalid",
	    (unsigned long long)st.redirect_captured);
	OK(capture_iface_set(lo, 0) == 0, "stop capturing on lo");
	send_udp("127.0.0.2", 100);
	run_loop(loop, 0.1);
	OK(cb_redirects == 1, "nothing captured after the stop");
	/* a hard send error (no such device): every copy counted dropped */
	nhrp_addr_set_ipv4(&a[1], ip4("192.0.2.1"));
	nhrp_addr_set_ipv4(&a[2], ip4("192.0.2.2"));
	r = capture_mcast_send(999999, b, 60, a + 1, 2);
	OK(r == -ENXIO || r == -ENODEV, "relay on a missing device: %d", r);
	nhrp_addr_clear(&a[0]);
	r = capture_mcast_send(999999, b, 60, a, 1);
	OK(r == 0, "relay to an unspecified NBMA: nothing sent (%d)", r);
	OK(capture_iface_stats(999999, &st) == -ENOENT,
	    "the relay-only interface is not kept");
	capture_get_stats(&st);
	OK(st.redirect_captured >= 1 && st.dropped == 3 && st.relayed == 0,
	    "global counters keep the removed interfaces' counts "
	    "(captured %llu dropped %llu)",
	    (unsigned long long)st.redirect_captured,
	    (unsigned long long)st.dropped);
out:
	capture_shutdown();
	ev_loop_destroy(loop);
	OK(cb_multicasts == 0, "no multicast callback");
}

int
main(void)
{
	test_filters();
	test_kernel_accepts();
	test_validate();
	test_api();
	return tap_done();
}
