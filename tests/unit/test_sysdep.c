/*
 * test_sysdep.c - the rtnetlink parsers, builders, dispatcher and the
 * acknowledged request queue of nhrp/sysdep_netlink.c, fed with netlink
 * messages built here with libmnl; and the packet delivery rule.
 */
#include "config.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <linux/if.h>
#include <linux/if_arp.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <linux/if_tunnel.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <libmnl/libmnl.h>

#include "addr.h"
#include "nhrp/sysdep.h"
#include "nhrp/sysdep_nl.h"
#include "tests/tap.h"

static union {
	struct nlmsghdr	h;
	uint8_t		b[8192];
} mbuf;

static uint32_t
ip4(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return a.s_addr;
}

static int
addr_is(const struct nhrp_addr *a, const char *s)
{
	struct nhrp_addr b;

	if (nhrp_addr_parse(s, &b, 0, NULL) != 0)
		return 0;
	return nhrp_addr_equal(a, &b);
}

static struct nlmsghdr *
msg_start(void *buf, uint16_t type)
{
	struct nlmsghdr *nlh;

	memset(buf, 0, 4096);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	return nlh;
}

/* ---- links ----------------------------------------------------------- */

static struct nlmsghdr *
build_link(void *buf, uint16_t type, int ifindex, const char *name,
    const char *kind, bool gre_data)
{
	struct nlmsghdr *nlh = msg_start(buf, type);
	struct ifinfomsg *ifi;
	struct nlattr *li, *data;

	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_index = ifindex;
	ifi->ifi_type = kind != NULL && strcmp(kind, "gre") == 0 ?
	    ARPHRD_IPGRE : ARPHRD_ETHER;
	ifi->ifi_flags = IFF_UP | IFF_RUNNING | IFF_NOARP;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put_u32(nlh, IFLA_MTU, 1476);
	if (kind != NULL) {
		li = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
		mnl_attr_put_strz(nlh, IFLA_INFO_KIND, kind);
		if (gre_data) {
			data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
			mnl_attr_put_u32(nlh, IFLA_GRE_LINK, 3);
			mnl_attr_put_u16(nlh, IFLA_GRE_IFLAGS, htons(GRE_KEY));
			mnl_attr_put_u32(nlh, IFLA_GRE_IKEY, htonl(0x01020304));
			mnl_attr_put_u32(nlh, IFLA_GRE_OKEY, htonl(5678));
			mnl_attr_put_u32(nlh, IFLA_GRE_LOCAL,
			    ip4("198.51.100.2"));
			mnl_attr_put_u32(nlh, IFLA_GRE_REMOTE, 0);
			mnl_attr_put_u8(nlh, IFLA_GRE_TTL, 64);
			mnl_attr_nest_end(nlh, data);
		}
		mnl_attr_nest_end(nlh, li);
	}
	return nlh;
}

static void
test_link(void)
{
	struct sysdep_link l;
	struct nlmsghdr *nlh;

	nlh = build_link(&mbuf, RTM_NEWLINK, 7, "gre1", "gre", true);
	INT_EQ(sysdep_nl_parse_link(nlh, &l), 0, "link: gre parses");
	INT_EQ(l.ifindex, 7, "link: ifindex");
	STR_EQ(l.name, "gre1", "link: name");
	INT_EQ(l.mtu, 1476, "link: mtu");
	INT_EQ(l.type, ARPHRD_IPGRE, "link: type 778");
	INT_EQ(l.flags, IFF_UP | IFF_RUNNING | IFF_NOARP, "link: flags");
	OK(!l.deleted, "link: not deleted");
	OK(l.is_gre, "link: is_gre");
	INT_EQ(l.gre_ikey, 0x01020304, "link: ikey in host order");
	INT_EQ(l.gre_okey, 5678, "link: okey in host order");
	OK(addr_is(&l.gre_local, "198.51.100.2"), "link: gre local");
	INT_EQ(l.gre_remote.afn, NHRP_AFN_NONE, "link: remote 0 = multipoint");
	INT_EQ(l.gre_link, 3, "link: bound link");

	nlh = build_link(&mbuf, RTM_DELLINK, 7, "gre1", "gre", false);
	INT_EQ(sysdep_nl_parse_link(nlh, &l), 0, "dellink parses");
	OK(l.deleted && l.is_gre, "dellink: deleted gre");
	INT_EQ(l.gre_ikey, 0, "dellink: no info data, key 0");
	INT_EQ(l.gre_local.afn, NHRP_AFN_NONE, "dellink: no local");

	nlh = build_link(&mbuf, RTM_NEWLINK, 8, "tap0", "gretap", true);
	INT_EQ(sysdep_nl_parse_link(nlh, &l), 0, "gretap parses");
	OK(!l.is_gre && l.gre_ikey == 0, "gretap: no GRE handling");

	nlh = build_link(&mbuf, RTM_NEWLINK, 9, "grexyz", "gre0", true);
	sysdep_nl_parse_link(nlh, &l);
	OK(!l.is_gre, "kind gre0 is not gre");

	nlh = build_link(&mbuf, RTM_NEWLINK, 2, "eth0", NULL, false);
	INT_EQ(sysdep_nl_parse_link(nlh, &l), 0, "plain link parses");
	OK(!l.is_gre && l.type == ARPHRD_ETHER, "plain link: not gre");

	nlh = build_link(&mbuf, RTM_NEWLINK, 2,
	    "a-name-that-is-far-too-long", NULL, false);
	INT_EQ(sysdep_nl_parse_link(nlh, &l), 0, "long name parses");
	INT_EQ(strlen(l.name), sizeof(l.name) - 1, "long name truncated");

	nlh = build_link(&mbuf, RTM_NEWLINK, 0, "x", NULL, false);
	INT_EQ(sysdep_nl_parse_link(nlh, &l), -1, "ifindex 0 rejected");

	nlh = msg_start(&mbuf, RTM_NEWLINK);
	mnl_nlmsg_put_extra_header(nlh, 4);
	INT_EQ(sysdep_nl_parse_link(nlh, &l), -1, "short ifinfomsg rejected");

	nlh = build_link(&mbuf, RTM_NEWADDR, 2, "eth0", NULL, false);
	INT_EQ(sysdep_nl_parse_link(nlh, &l), -1, "wrong type rejected");
}

/* ---- addresses ------------------------------------------------------- */

static struct nlmsghdr *
build_addr(void *buf, uint16_t type, int family, int ifindex, int plen,
    const char *local, const char *address, uint8_t flags,
    uint32_t ext_flags)
{
	struct nlmsghdr *nlh = msg_start(buf, type);
	struct ifaddrmsg *ifa;

	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = family;
	ifa->ifa_prefixlen = plen;
	ifa->ifa_index = ifindex;
	ifa->ifa_flags = flags;
	if (local != NULL)
		mnl_attr_put_u32(nlh, IFA_LOCAL, ip4(local));
	if (address != NULL)
		mnl_attr_put_u32(nlh, IFA_ADDRESS, ip4(address));
	if (ext_flags != 0)
		mnl_attr_put_u32(nlh, IFA_FLAGS, ext_flags);
	return nlh;
}

static void
test_addr(void)
{
	struct sysdep_addr a;
	struct nlmsghdr *nlh;

	nlh = build_addr(&mbuf, RTM_NEWADDR, AF_INET, 5, 24, "10.0.0.1",
	    "10.0.0.9", 0, 0);
	INT_EQ(sysdep_nl_parse_addr(nlh, &a), 0, "addr parses");
	OK(addr_is(&a.addr, "10.0.0.1"), "addr: IFA_LOCAL preferred");
	INT_EQ(a.prefix, 24, "addr: prefix");
	INT_EQ(a.ifindex, 5, "addr: ifindex");
	OK(!a.secondary && !a.deleted, "addr: primary, new");

	nlh = build_addr(&mbuf, RTM_DELADDR, AF_INET, 5, 16, NULL,
	    "172.16.0.1", IFA_F_SECONDARY, 0);
	INT_EQ(sysdep_nl_parse_addr(nlh, &a), 0, "deladdr parses");
	OK(addr_is(&a.addr, "172.16.0.1"), "addr: IFA_ADDRESS fallback");
	OK(a.secondary && a.deleted, "addr: secondary, deleted");

	nlh = build_addr(&mbuf, RTM_NEWADDR, AF_INET, 5, 24, "10.0.0.2",
	    NULL, 0, IFA_F_SECONDARY | IFA_F_NOPREFIXROUTE);
	sysdep_nl_parse_addr(nlh, &a);
	OK(a.secondary, "addr: secondary from IFA_FLAGS");

	nlh = build_addr(&mbuf, RTM_NEWADDR, AF_INET, 5, 24, NULL, NULL, 0, 0);
	INT_EQ(sysdep_nl_parse_addr(nlh, &a), -1, "addr: no address rejected");

	nlh = build_addr(&mbuf, RTM_NEWADDR, AF_INET, 5, 33, "10.0.0.1",
	    NULL, 0, 0);
	INT_EQ(sysdep_nl_parse_addr(nlh, &a), -1, "addr: prefix 33 rejected");

	nlh = build_addr(&mbuf, RTM_NEWADDR, AF_PACKET, 5, 24, "10.0.0.1",
	    NULL, 0, 0);
	INT_EQ(sysdep_nl_parse_addr(nlh, &a), -1, "addr: unknown family");

	/* an IPv6 address attribute on an AF_INET message: wrong size */
	nlh = msg_start(&mbuf, RTM_NEWADDR);
	((struct ifaddrmsg *)mnl_nlmsg_put_extra_header(nlh,
	    sizeof(struct ifaddrmsg)))->ifa_family = AF_INET;
	mnl_attr_put(nlh, IFA_LOCAL, 16, "0123456789abcdef");
	INT_EQ(sysdep_nl_parse_addr(nlh, &a), -1, "addr: bad length rejected");
}

/* ---- routes ---------------------------------------------------------- */

struct attrs {
	const struct nlattr *tb[32];
};

static int
attrs_cb(const struct nlattr *a, void *data)
{
	struct attrs *t = data;

	if (mnl_attr_get_type(a) < 32)
		t->tb[mnl_attr_get_type(a)] = a;
	return MNL_CB_OK;
}

#define MAXROUTES 8
static struct sysdep_route routes[MAXROUTES];
static int nroutes;

static void
route_cb(void *arg, const struct sysdep_route *r)
{
	if (nroutes < MAXROUTES)
		routes[nroutes] = *r;
	nroutes++;
}

struct hop {
	int		oif;
	const char	*gw;
};

static struct nlmsghdr *
build_route(void *buf, uint16_t type, const char *dst, int plen,
    const char *gw, int oif, uint8_t rtm_table, uint32_t table,
    const struct hop *hops, int nhops)
{
	struct nlmsghdr *nlh = msg_start(buf, type);
	struct rtmsg *rtm;
	struct rtnexthop *nh;
	struct nlattr *mp;
	int i;

	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	rtm->rtm_dst_len = plen;
	rtm->rtm_table = rtm_table;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_type = RTN_UNICAST;
	if (table != 0)
		mnl_attr_put_u32(nlh, RTA_TABLE, table);
	if (dst != NULL)
		mnl_attr_put_u32(nlh, RTA_DST, ip4(dst));
	if (gw != NULL)
		mnl_attr_put_u32(nlh, RTA_GATEWAY, ip4(gw));
	if (oif != 0)
		mnl_attr_put_u32(nlh, RTA_OIF, oif);
	if (nhops > 0) {
		mp = mnl_attr_nest_start(nlh, RTA_MULTIPATH);
		for (i = 0; i < nhops; i++) {
			nh = mnl_nlmsg_get_payload_tail(nlh);
			nlh->nlmsg_len += RTNH_ALIGN(sizeof(*nh));
			memset(nh, 0, sizeof(*nh));
			nh->rtnh_ifindex = hops[i].oif;
			if (hops[i].gw != NULL)
				mnl_attr_put_u32(nlh, RTA_GATEWAY,
				    ip4(hops[i].gw));
			nh->rtnh_len = (uint8_t *)mnl_nlmsg_get_payload_tail(nlh)
			    - (uint8_t *)nh;
		}
		mnl_attr_nest_end(nlh, mp);
	}
	return nlh;
}

static void
test_route(void)
{
	static const struct hop hops[] = {
		{ 2, "10.0.0.1" }, { 3, "10.0.1.1" }, { 4, NULL },
	};
	struct nlmsghdr *nlh;
	struct rtnexthop *nh;
	struct rtmsg *rtm;
	struct nhrp_addr src;
	struct attrs t;
	int oif;

	nroutes = 0;
	nlh = build_route(&mbuf, RTM_NEWROUTE, "192.168.2.0", 24, "10.0.0.7",
	    6, RT_TABLE_MAIN, 0, NULL, 0);
	INT_EQ(sysdep_nl_parse_route(nlh, route_cb, NULL), 1, "route parses");
	INT_EQ(nroutes, 1, "route: one callback");
	OK(addr_is(&routes[0].dst, "192.168.2.0"), "route: dst");
	INT_EQ(routes[0].prefix, 24, "route: prefix");
	OK(addr_is(&routes[0].gateway, "10.0.0.7"), "route: gateway");
	INT_EQ(routes[0].oif, 6, "route: oif");
	INT_EQ(routes[0].table, RT_TABLE_MAIN, "route: table from rtm_table");
	INT_EQ(routes[0].protocol, RTPROT_STATIC, "route: protocol");
	INT_EQ(routes[0].type, RTN_UNICAST, "route: type");
	OK(!routes[0].deleted, "route: new");

	nroutes = 0;
	nlh = build_route(&mbuf, RTM_DELROUTE, NULL, 0, "10.0.0.1", 2,
	    RT_TABLE_COMPAT, 1000, NULL, 0);
	INT_EQ(sysdep_nl_parse_route(nlh, route_cb, NULL), 1,
	    "default route parses");
	OK(routes[0].dst.afn == NHRP_AFN_IPV4 &&
	    nhrp_addr_is_unspec(&routes[0].dst), "default: dst 0.0.0.0");
	INT_EQ(routes[0].prefix, 0, "default: prefix 0");
	INT_EQ(routes[0].table, 1000, "route: table 1000 from RTA_TABLE");
	OK(routes[0].deleted, "route: deleted");

	nroutes = 0;
	nlh = build_route(&mbuf, RTM_NEWROUTE, "10.9.0.0", 16, NULL, 5,
	    RT_TABLE_MAIN, 0, NULL, 0);
	sysdep_nl_parse_route(nlh, route_cb, NULL);
	INT_EQ(routes[0].gateway.afn, NHRP_AFN_NONE, "route: no gateway");

	nroutes = 0;
	nlh = build_route(&mbuf, RTM_NEWROUTE, "10.10.0.0", 16, NULL, 0,
	    RT_TABLE_MAIN, 0, hops, 3);
	INT_EQ(sysdep_nl_parse_route(nlh, route_cb, NULL), 3,
	    "multipath: three hops");
	INT_EQ(nroutes, 3, "multipath: three callbacks");
	OK(addr_is(&routes[0].dst, "10.10.0.0") &&
	    addr_is(&routes[2].dst, "10.10.0.0") && routes[1].prefix == 16,
	    "multipath: same dst for each hop");
	OK(routes[0].oif == 2 && addr_is(&routes[0].gateway, "10.0.0.1"),
	    "multipath: hop 1");
	OK(routes[1].oif == 3 && addr_is(&routes[1].gateway, "10.0.1.1"),
	    "multipath: hop 2");
	OK(routes[2].oif == 4 && routes[2].gateway.afn == NHRP_AFN_NONE,
	    "multipath: hop 3 without gateway");

	/* a hop length past the attribute: nothing reported */
	nroutes = 0;
	nlh = build_route(&mbuf, RTM_NEWROUTE, "10.10.0.0", 16, NULL, 0,
	    RT_TABLE_MAIN, 0, hops, 2);
	memset(&t, 0, sizeof(t));
	mnl_attr_parse(nlh, sizeof(struct rtmsg), attrs_cb, &t);
	nh = mnl_attr_get_payload(t.tb[RTA_MULTIPATH]);
	nh->rtnh_len = 200;
	INT_EQ(sysdep_nl_parse_route(nlh, route_cb, NULL), -1,
	    "multipath: bad hop length rejected");
	INT_EQ(nroutes, 0, "multipath: no partial report");
	nh->rtnh_len = 4;
	INT_EQ(sysdep_nl_parse_route(nlh, route_cb, NULL), -1,
	    "multipath: short hop length rejected");

	nlh = build_route(&mbuf, RTM_NEWROUTE, "10.1.2.3", 32, NULL, 2,
	    RT_TABLE_MAIN, 0, NULL, 0);
	rtm = mnl_nlmsg_get_payload(nlh);
	rtm->rtm_flags |= RTM_F_CLONED;
	nroutes = 0;
	INT_EQ(sysdep_nl_parse_route(nlh, route_cb, NULL), 0,
	    "cloned route skipped");
	INT_EQ(nroutes, 0, "cloned route: no callback");

	nlh = build_route(&mbuf, RTM_NEWROUTE, NULL, 8, NULL, 2,
	    RT_TABLE_MAIN, 0, NULL, 0);
	INT_EQ(sysdep_nl_parse_route(nlh, route_cb, NULL), -1,
	    "prefix without RTA_DST rejected");
	nlh = build_route(&mbuf, RTM_NEWROUTE, "10.0.0.0", 40, NULL, 2,
	    RT_TABLE_MAIN, 0, NULL, 0);
	INT_EQ(sysdep_nl_parse_route(nlh, route_cb, NULL), -1,
	    "prefix 40 rejected");

	/* route lookup answer */
	nlh = build_route(&mbuf, RTM_NEWROUTE, "203.0.113.5", 32, NULL, 4,
	    RT_TABLE_MAIN, 0, NULL, 0);
	mnl_attr_put_u32(nlh, RTA_PREFSRC, ip4("198.51.100.2"));
	INT_EQ(sysdep_nl_parse_route_get(nlh, &src, &oif), 0,
	    "route get answer parses");
	OK(addr_is(&src, "198.51.100.2") && oif == 4,
	    "route get: prefsrc and oif");
	nlh = build_route(&mbuf, RTM_NEWROUTE, "203.0.113.5", 32, NULL, 4,
	    RT_TABLE_MAIN, 0, NULL, 0);
	INT_EQ(sysdep_nl_parse_route_get(nlh, &src, &oif), -1,
	    "route get without prefsrc rejected");
}

/* ---- neighbours ------------------------------------------------------ */

static struct nlmsghdr *
build_neigh(void *buf, uint16_t type, int family, int ifindex,
    const char *dst, const void *lladdr, size_t lllen, uint16_t state)
{
	struct nlmsghdr *nlh = msg_start(buf, type);
	struct ndmsg *ndm;

	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = family;
	ndm->ndm_ifindex = ifindex;
	ndm->ndm_state = state;
	if (dst != NULL)
		mnl_attr_put_u32(nlh, NDA_DST, ip4(dst));
	if (lladdr != NULL)
		mnl_attr_put(nlh, NDA_LLADDR, lllen, lladdr);
	return nlh;
}

static void
test_neigh(void)
{
	static const uint8_t nbma[4] = { 198, 51, 100, 3 };
	static const uint8_t mac[6] = { 2, 0, 0, 0, 0, 1 };
	struct sysdep_neigh n;
	struct nlmsghdr *nlh;

	nlh = build_neigh(&mbuf, RTM_NEWNEIGH, AF_INET, 7, "10.255.255.3",
	    nbma, 4, NUD_REACHABLE);
	INT_EQ(sysdep_nl_parse_neigh(nlh, &n), 0, "neigh parses");
	INT_EQ(n.kind, SYSDEP_NEIGH_NEW, "neigh: new");
	INT_EQ(n.ifindex, 7, "neigh: ifindex");
	OK(addr_is(&n.dst, "10.255.255.3"), "neigh: dst");
	OK(addr_is(&n.lladdr, "198.51.100.3"), "neigh: lladdr as NBMA");
	INT_EQ(n.state, NUD_REACHABLE, "neigh: state");

	nlh = build_neigh(&mbuf, RTM_DELNEIGH, AF_INET, 7, "10.255.255.3",
	    NULL, 0, NUD_FAILED);
	INT_EQ(sysdep_nl_parse_neigh(nlh, &n), 0, "delneigh parses");
	OK(n.kind == SYSDEP_NEIGH_DEL && n.lladdr.afn == NHRP_AFN_NONE,
	    "delneigh: del, no lladdr");

	nlh = build_neigh(&mbuf, RTM_GETNEIGH, AF_INET, 7, "10.255.255.4",
	    NULL, 0, NUD_INCOMPLETE);
	INT_EQ(sysdep_nl_parse_neigh(nlh, &n), 0, "getneigh parses");
	INT_EQ(n.kind, SYSDEP_NEIGH_REQUEST, "getneigh: request (app probe)");
	OK(addr_is(&n.dst, "10.255.255.4"), "getneigh: dst");

	nlh = build_neigh(&mbuf, RTM_NEWNEIGH, AF_INET, 2, "192.168.1.1",
	    mac, 6, NUD_STALE);
	INT_EQ(sysdep_nl_parse_neigh(nlh, &n), 0, "ethernet neigh parses");
	INT_EQ(n.lladdr.afn, NHRP_AFN_NONE, "ethernet lladdr is not NBMA");

	nlh = build_neigh(&mbuf, RTM_NEWNEIGH, AF_INET, 2, NULL, nbma, 4,
	    NUD_STALE);
	INT_EQ(sysdep_nl_parse_neigh(nlh, &n), -1, "neigh without dst");
	nlh = build_neigh(&mbuf, RTM_NEWROUTE, AF_INET, 2, "1.2.3.4", NULL, 0,
	    0);
	INT_EQ(sysdep_nl_parse_neigh(nlh, &n), -1, "neigh: wrong type");
}

/* ---- dispatcher ------------------------------------------------------ */

static int nlinks, naddrs, nneighs, last_neigh_kind;

static void
d_link(void *arg, const struct sysdep_link *l)
{
	nlinks++;
}

static void
d_addr(void *arg, const struct sysdep_addr *a)
{
	naddrs++;
}

static void
d_neigh(void *arg, const struct sysdep_neigh *n)
{
	nneighs++;
	last_neigh_kind = n->kind;
}

static const struct sysdep_ops dops = {
	.link = d_link,
	.addr = d_addr,
	.route = route_cb,
	.neigh = d_neigh,
};

static size_t
append(uint8_t *out, size_t off, const struct nlmsghdr *nlh)
{
	memcpy(out + off, nlh, nlh->nlmsg_len);
	return off + NLMSG_ALIGN(nlh->nlmsg_len);
}

static void
test_dispatch(void)
{
	static const struct hop hops[] = { { 2, "10.0.0.1" }, { 3, NULL } };
	static const uint8_t nbma[4] = { 198, 51, 100, 3 };
	static union {
		struct nlmsghdr	h;
		uint8_t		b[16384];
	} batch;
	uint8_t tmp[4096] __attribute__((aligned(4)));
	struct nlmsghdr *nlh;
	struct nlmsgerr *e;
	size_t off = 0;
	bool done = false;
	int err = 1;

	off = append(batch.b, off, build_link(tmp, RTM_NEWLINK, 7, "gre1",
	    "gre", true));
	off = append(batch.b, off, build_addr(tmp, RTM_NEWADDR, AF_INET, 7,
	    24, "10.255.255.1", NULL, 0, 0));
	nlh = build_addr(tmp, RTM_NEWADDR, AF_INET6, 7, 64, NULL, NULL, 0, 0);
	off = append(batch.b, off, nlh);	/* IPv6: not delivered */
	off = append(batch.b, off, build_route(tmp, RTM_NEWROUTE,
	    "10.10.0.0", 16, NULL, 0, RT_TABLE_MAIN, 0, hops, 2));
	off = append(batch.b, off, build_neigh(tmp, RTM_GETNEIGH, AF_INET, 7,
	    "10.255.255.9", NULL, 0, NUD_INCOMPLETE));
	off = append(batch.b, off, build_neigh(tmp, RTM_NEWNEIGH, AF_INET6, 7,
	    NULL, nbma, 4, NUD_REACHABLE));	/* IPv6: not delivered */
	nlh = msg_start(tmp, NLMSG_DONE);
	off = append(batch.b, off, nlh);

	nlinks = naddrs = nneighs = nroutes = 0;
	INT_EQ(sysdep_nl_dispatch(batch.b, off, &dops, NULL, &done, &err), 7,
	    "dispatch: seven messages");
	INT_EQ(nlinks, 1, "dispatch: one link");
	INT_EQ(naddrs, 1, "dispatch: one IPv4 address (IPv6 filtered)");
	INT_EQ(nroutes, 2, "dispatch: multipath route as two");
	INT_EQ(nneighs, 1, "dispatch: one IPv4 neighbour");
	INT_EQ(last_neigh_kind, SYSDEP_NEIGH_REQUEST, "dispatch: app probe");
	OK(done, "dispatch: NLMSG_DONE seen");
	INT_EQ(err, 1, "dispatch: no error");

	nlh = msg_start(tmp, NLMSG_ERROR);
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = -ENODEV;
	INT_EQ(sysdep_nl_dispatch(tmp, nlh->nlmsg_len, &dops, NULL, NULL,
	    &err), 1, "dispatch: error message");
	INT_EQ(err, -ENODEV, "dispatch: error code");

	/*
	 * Deterministic mutations of the whole batch: every truncation and
	 * every single-bit flip.  Nothing may crash or read out of bounds
	 * (run under ASan/valgrind); delivered routes keep a sane prefix.
	 */
	{
		static union {
			struct nlmsghdr	h;
			uint8_t		b[16384];
		} mut;
		size_t cut, byte;
		int bit, bad = 0, i;

		for (cut = 0; cut <= off; cut++) {
			memcpy(mut.b, batch.b, cut);
			nroutes = 0;
			sysdep_nl_dispatch(mut.b, cut, &dops, NULL, NULL, NULL);
		}
		for (byte = 0; byte < off; byte++) {
			for (bit = 0; bit < 8; bit++) {
				memcpy(mut.b, batch.b, off);
				mut.b[byte] ^= 1 << bit;
				nroutes = 0;
				sysdep_nl_dispatch(mut.b, off, &dops, NULL,
				    NULL, NULL);
				for (i = 0; i < nroutes && i < MAXROUTES; i++)
					if (routes[i].prefix > 32 ||
					    routes[i].dst.afn != NHRP_AFN_IPV4)
						bad++;
			}
		}
		INT_EQ(bad, 0, "mutations: %zu truncations, %zu bit flips, "
		    "no bad route", off + 1, off * 8);
	}

	/* garbage after a good message */
	nlinks = 0;
	off = append(batch.b, 0, build_link(tmp, RTM_NEWLINK, 7, "gre1",
	    "gre", true));
	memset(batch.b + off, 0xff, 8);
	INT_EQ(sysdep_nl_dispatch(batch.b, off + 8, &dops, NULL, NULL, NULL),
	    -1, "dispatch: trailing garbage reported");
	INT_EQ(nlinks, 1, "dispatch: good message before it delivered");
	/* a length field past the buffer */
	nlinks = 0;
	batch.h.nlmsg_len = 60000;
	INT_EQ(sysdep_nl_dispatch(batch.b, off, &dops, NULL, NULL, NULL), -1,
	    "dispatch: overlong message rejected");
	INT_EQ(nlinks, 0, "dispatch: overlong message not delivered");
}

/* ---- builders -------------------------------------------------------- */

static void
test_build(void)
{
	uint8_t buf[SYSDEP_NL_REQ_MAX] __attribute__((aligned(4)));
	const struct nlmsghdr *nlh = (const void *)buf;
	const struct ndmsg *ndm;
	const struct ndtmsg *ndtm;
	const struct ifinfomsg *ifi;
	const struct rtmsg *rtm;
	struct nhrp_addr proto, nbma;
	struct attrs t, p;
	size_t len;
	uint32_t v;

	nhrp_addr_parse("10.255.255.3", &proto, 0, NULL);
	nhrp_addr_parse("198.51.100.3", &nbma, 0, NULL);

	len = sysdep_nl_build_neigh_set(buf, 42, 7, &proto, &nbma);
	OK(len > 0 && len == nlh->nlmsg_len, "neigh set: built");
	INT_EQ(nlh->nlmsg_type, RTM_NEWNEIGH, "neigh set: RTM_NEWNEIGH");
	INT_EQ(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_REPLACE |
	    NLM_F_ACK, "neigh set: request|create|replace|ack");
	INT_EQ(nlh->nlmsg_seq, 42, "neigh set: seq");
	ndm = mnl_nlmsg_get_payload(nlh);
	OK(ndm->ndm_family == AF_INET && ndm->ndm_ifindex == 7 &&
	    ndm->ndm_type == RTN_UNICAST, "neigh set: ndmsg");
	INT_EQ(ndm->ndm_state, NUD_REACHABLE, "neigh set: reachable");
	memset(&t, 0, sizeof(t));
	mnl_attr_parse(nlh, sizeof(*ndm), attrs_cb, &t);
	OK(t.tb[NDA_DST] != NULL && mnl_attr_get_payload_len(t.tb[NDA_DST]) ==
	    4 && mnl_attr_get_u32(t.tb[NDA_DST]) == ip4("10.255.255.3"),
	    "neigh set: NDA_DST");
	OK(t.tb[NDA_LLADDR] != NULL &&
	    mnl_attr_get_payload_len(t.tb[NDA_LLADDR]) == 4 &&
	    mnl_attr_get_u32(t.tb[NDA_LLADDR]) == ip4("198.51.100.3"),
	    "neigh set: NDA_LLADDR 4 bytes");

	len = sysdep_nl_build_neigh_set(buf, 43, 7, &proto, NULL);
	OK(len > 0, "neigh failed: built");
	INT_EQ(ndm->ndm_state, NUD_FAILED, "neigh failed: NUD_FAILED");
	memset(&t, 0, sizeof(t));
	mnl_attr_parse(nlh, sizeof(*ndm), attrs_cb, &t);
	OK(t.tb[NDA_LLADDR] == NULL, "neigh failed: no lladdr");
	nhrp_addr_clear(&proto);
	INT_EQ(sysdep_nl_build_neigh_set(buf, 1, 7, &proto, NULL), 0,
	    "neigh set: unspecified proto refused");

	len = sysdep_nl_build_neightbl(buf, 44, 9);
	OK(len > 0, "neightbl: built");
	OK(nlh->nlmsg_type == RTM_SETNEIGHTBL &&
	    nlh->nlmsg_flags == (NLM_F_REQUEST | NLM_F_ACK),
	    "neightbl: RTM_SETNEIGHTBL with ack");
	ndtm = mnl_nlmsg_get_payload(nlh);
	INT_EQ(ndtm->ndtm_family, AF_INET, "neightbl: AF_INET");
	memset(&t, 0, sizeof(t));
	mnl_attr_parse(nlh, sizeof(*ndtm), attrs_cb, &t);
	OK(t.tb[NDTA_NAME] != NULL &&
	    strcmp(mnl_attr_get_str(t.tb[NDTA_NAME]), "arp_cache") == 0,
	    "neightbl: arp_cache");
	memset(&p, 0, sizeof(p));
	if (t.tb[NDTA_PARMS] != NULL)
		mnl_attr_parse_nested(t.tb[NDTA_PARMS], attrs_cb, &p);
	OK(p.tb[NDTPA_IFINDEX] != NULL &&
	    mnl_attr_get_u32(p.tb[NDTPA_IFINDEX]) == 9, "neightbl: ifindex");
	OK(p.tb[NDTPA_APP_PROBES] != NULL &&
	    mnl_attr_get_u32(p.tb[NDTPA_APP_PROBES]) == 1,
	    "neightbl: app_probes 1");
	OK(p.tb[NDTPA_UCAST_PROBES] != NULL &&
	    mnl_attr_get_u32(p.tb[NDTPA_UCAST_PROBES]) == 0,
	    "neightbl: ucast_probes 0");
	OK(p.tb[NDTPA_MCAST_PROBES] != NULL &&
	    mnl_attr_get_u32(p.tb[NDTPA_MCAST_PROBES]) == 0,
	    "neightbl: mcast_probes 0");

	len = sysdep_nl_build_clear_noarp(buf, 45, 9);
	ifi = mnl_nlmsg_get_payload(nlh);
	OK(len > 0 && nlh->nlmsg_type == RTM_NEWLINK &&
	    ifi->ifi_index == 9 && ifi->ifi_change == IFF_NOARP &&
	    (ifi->ifi_flags & IFF_NOARP) == 0 &&
	    !(nlh->nlmsg_flags & (NLM_F_CREATE | NLM_F_EXCL)),
	    "clear noarp: ifi_change IFF_NOARP, flags 0");

	nhrp_addr_parse("203.0.113.5", &proto, 0, NULL);
	len = sysdep_nl_build_route_get(buf, 46, &proto);
	rtm = mnl_nlmsg_get_payload(nlh);
	memset(&t, 0, sizeof(t));
	mnl_attr_parse(nlh, sizeof(*rtm), attrs_cb, &t);
	OK(len > 0 && nlh->nlmsg_type == RTM_GETROUTE &&
	    rtm->rtm_family == AF_INET && rtm->rtm_dst_len == 32 &&
	    t.tb[RTA_DST] != NULL &&
	    mnl_attr_get_u32(t.tb[RTA_DST]) == ip4("203.0.113.5") &&
	    !(nlh->nlmsg_flags & NLM_F_DUMP), "route get: RTA_DST /32");

	len = sysdep_nl_build_dump(buf, 47, RTM_GETROUTE);
	OK(len > 0 && (nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP &&
	    ((const struct rtmsg *)mnl_nlmsg_get_payload(nlh))->rtm_family ==
	    AF_INET, "dump: route dump AF_INET");
	len = sysdep_nl_build_dump(buf, 48, RTM_GETLINK);
	OK(len > 0 && nlh->nlmsg_type == RTM_GETLINK, "dump: link dump");
	INT_EQ(sysdep_nl_build_dump(buf, 49, RTM_NEWLINK), 0,
	    "dump: unknown type refused");
	len = sysdep_nl_build_link_get(buf, 50, 4);
	ifi = mnl_nlmsg_get_payload(nlh);
	memcpy(&v, &nlh->nlmsg_seq, sizeof(v));
	OK(len > 0 && ifi->ifi_index == 4 && v == 50, "link get: ifindex");
}

/* ---- acknowledged request queue -------------------------------------- */

static int dones[16], ndones;
static char ctxs[8];
static struct sysdep_nl_reqq *reentrant_q;

static void
done_cb(void *ctx, int err)
{
	if (ndones < 16)
		dones[ndones] = (int)((char *)ctx - ctxs) * 1000 + -err;
	ndones++;
}

static void
done_reenter(void *ctx, int err)
{
	struct sysdep_nl_req *r;

	done_cb(ctx, err);
	/* a callback may queue another request and cancel others */
	r = sysdep_nl_reqq_add(reentrant_q, done_cb, &ctxs[7]);
	r->len = sysdep_nl_build_dump(r->msg, 0, RTM_GETLINK);
	sysdep_nl_reqq_cancel(reentrant_q, &ctxs[2]);
}

static size_t
build_ack(void *buf, size_t off, uint32_t seq, int error, uint32_t pid)
{
	struct nlmsghdr *nlh;
	struct nlmsgerr *e;

	nlh = mnl_nlmsg_put_header((uint8_t *)buf + off);
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_seq = seq;
	nlh->nlmsg_pid = pid;
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	memset(e, 0, sizeof(*e));
	e->error = error;
	e->msg.nlmsg_seq = seq;
	return off + NLMSG_ALIGN(nlh->nlmsg_len);
}

static void
test_reqq(void)
{
	struct sysdep_nl_reqq q;
	struct sysdep_nl_req *r[4], *x;
	uint8_t acks[512] __attribute__((aligned(4)));
	uint32_t seq[4], stale;
	size_t off;
	int i;

	sysdep_nl_reqq_init(&q, 2, 100);
	for (i = 0; i < 3; i++) {
		r[i] = sysdep_nl_reqq_add(&q, done_cb, &ctxs[i]);
		r[i]->len = sysdep_nl_build_dump(r[i]->msg, 0, RTM_GETLINK);
	}
	INT_EQ(q.nqueued, 3, "reqq: three queued");
	for (i = 0; i < 3 && (x = sysdep_nl_reqq_next(&q)) != NULL; i++) {
		seq[i] = x->seq;
		OK(x == r[i], "reqq: sent in order (%d)", i);
		sysdep_nl_reqq_sent(&q, x);
	}
	INT_EQ(i, 2, "reqq: window of two");
	INT_EQ(q.ninflight, 2, "reqq: two in flight");
	INT_EQ(((struct nlmsghdr *)(void *)r[0]->msg)->nlmsg_seq, seq[0],
	    "reqq: seq written into the message");
	OK(seq[0] != seq[1], "reqq: distinct seqs");

	/* answers out of order, and a stale seq */
	ndones = 0;
	off = build_ack(acks, 0, seq[1], 0, 4242);
	off = build_ack(acks, off, 7, -EINVAL, 4242);		/* stale */
	off = build_ack(acks, off, seq[0], -ENODEV, 4242);
	INT_EQ(sysdep_nl_reqq_input(&q, acks, off), 2, "reqq: two completed");
	INT_EQ(ndones, 2, "reqq: two callbacks");
	INT_EQ(dones[0], 1000, "reqq: ack for request 1 -> 0");
	INT_EQ(dones[1], ENODEV, "reqq: error for request 0 -> -ENODEV");
	INT_EQ(q.ninflight, 0, "reqq: none in flight");

	/* the third goes out; its answer is lost; requeue resends it */
	x = sysdep_nl_reqq_next(&q);
	OK(x == r[2], "reqq: third sent");
	seq[2] = x->seq;
	sysdep_nl_reqq_sent(&q, x);
	sysdep_nl_reqq_requeue(&q);
	INT_EQ(q.ninflight, 0, "requeue: back to queued");
	x = sysdep_nl_reqq_next(&q);
	OK(x == r[2] && x->seq != seq[2], "requeue: resent with a new seq");
	stale = seq[2];
	seq[2] = x->seq;
	sysdep_nl_reqq_sent(&q, x);
	ndones = 0;
	off = build_ack(acks, 0, stale, 0, 0);
	INT_EQ(sysdep_nl_reqq_input(&q, acks, off), 0,
	    "requeue: answer to the old seq ignored");
	off = build_ack(acks, 0, seq[2], -EEXIST, 0);
	INT_EQ(sysdep_nl_reqq_input(&q, acks, off), 1,
	    "requeue: answer to the new seq completes");
	OK(ndones == 1 && dones[0] == 2000 + EEXIST, "requeue: error passed");

	/* cancel: the request stays in flight, no callback */
	r[0] = sysdep_nl_reqq_add(&q, done_cb, &ctxs[3]);
	r[0]->len = sysdep_nl_build_dump(r[0]->msg, 0, RTM_GETLINK);
	x = sysdep_nl_reqq_next(&q);
	seq[0] = x->seq;
	sysdep_nl_reqq_sent(&q, x);
	sysdep_nl_reqq_cancel(&q, &ctxs[3]);
	ndones = 0;
	off = build_ack(acks, 0, seq[0], 0, 0);
	INT_EQ(sysdep_nl_reqq_input(&q, acks, off), 1,
	    "cancel: answer consumed");
	INT_EQ(ndones, 0, "cancel: no callback");
	OK(TAILQ_EMPTY(&q.head), "cancel: queue empty");

	/* a callback that queues and cancels */
	reentrant_q = &q;
	r[0] = sysdep_nl_reqq_add(&q, done_reenter, &ctxs[1]);
	r[1] = sysdep_nl_reqq_add(&q, done_cb, &ctxs[2]);
	for (i = 0; i < 2; i++) {
		x = sysdep_nl_reqq_next(&q);
		seq[i] = x->seq;
		sysdep_nl_reqq_sent(&q, x);
	}
	ndones = 0;
	off = build_ack(acks, 0, seq[0], 0, 0);
	off = build_ack(acks, off, seq[1], 0, 0);
	INT_EQ(sysdep_nl_reqq_input(&q, acks, off), 2,
	    "reentrant: both answers matched");
	INT_EQ(ndones, 1, "reentrant: cancelled one not called back");
	INT_EQ(q.nqueued, 1, "reentrant: new request queued");
	x = sysdep_nl_reqq_next(&q);
	OK(x != NULL && x->ctx == &ctxs[7], "reentrant: new request next");
	sysdep_nl_reqq_fail(&q, x, -ENOBUFS);
	OK(ndones == 2 && dones[1] == 7000 + ENOBUFS,
	    "fail: callback with the error");
	OK(TAILQ_EMPTY(&q.head) && q.nqueued == 0 && q.ninflight == 0,
	    "queue empty again");

	r[0] = sysdep_nl_reqq_add(&q, done_cb, &ctxs[0]);
	sysdep_nl_reqq_clear(&q);
	OK(TAILQ_EMPTY(&q.head) && q.nqueued == 0, "clear: empty");
}

/* ---- packet delivery rule -------------------------------------------- */

static void
test_packet(void)
{
	static const uint8_t nbma[8] = { 198, 51, 100, 7 };
	static const uint8_t zero[8];
	struct nhrp_addr src;

	INT_EQ(sysdep_packet_classify(PACKET_HOST, ARPHRD_IPGRE, 4, nbma,
	    100, 65536, &src), 0, "packet: GRE delivered");
	OK(addr_is(&src, "198.51.100.7"), "packet: source NBMA from sll_addr");
	INT_EQ(sysdep_packet_classify(PACKET_HOST, ARPHRD_IPGRE, 4, zero,
	    100, 65536, &src), 0, "packet: zero source delivered");
	INT_EQ(src.afn, NHRP_AFN_NONE, "packet: zero source unspecified");
	INT_EQ(sysdep_packet_classify(PACKET_HOST, ARPHRD_ETHER, 6, nbma,
	    100, 65536, &src), 0, "packet: ethernet delivered");
	INT_EQ(src.afn, NHRP_AFN_NONE, "packet: ethernet source unspecified");
	INT_EQ(sysdep_packet_classify(PACKET_OUTGOING, ARPHRD_IPGRE, 4, nbma,
	    100, 65536, &src), -1, "packet: outgoing ignored");
	INT_EQ(sysdep_packet_classify(PACKET_HOST, ARPHRD_IPGRE, 4, nbma,
	    70000, 65536, &src), -1, "packet: truncated dropped");
	INT_EQ(sysdep_packet_classify(PACKET_HOST, ARPHRD_IPGRE, 4, nbma,
	    65536, 65536, &src), 0, "packet: 64 KiB delivered");
}

int
main(void)
{
	test_link();
	test_addr();
	test_route();
	test_neigh();
	test_dispatch();
	test_build();
	test_reqq();
	test_packet();
	return tap_done();
}
