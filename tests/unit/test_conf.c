/*
 * test_conf.c - opennhrp.conf parser, printer and comparison.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nhrp/conf.h"
#include "tests/tap.h"

static char errs[8192];
static int nerrs;

static void
collect(void *arg, const char *msg)
{
	size_t n = strlen(errs);

	nerrs++;
	snprintf(errs + n, sizeof(errs) - n, "%s\n", msg);
}

static struct nhrp_conf *
parse(const char *text)
{
	errs[0] = '\0';
	nerrs = 0;
	return conf_parse_buffer("t.conf", text, strlen(text), collect, NULL);
}

/* Parses text, which must fail with exactly the messages in want. */
static void
expect_error(const char *text, const char *want, const char *what)
{
	struct nhrp_conf *c = parse(text);

	OK(c == NULL, "%s: rejected", what);
	STR_EQ(errs, want, "%s: messages", what);
	conf_free(c);
}

/* Parses text, printed canonically it must be want. */
static char *
print(const struct nhrp_conf *c)
{
	static char out[8192];
	FILE *f;

	memset(out, 0, sizeof(out));
	if ((f = fmemopen(out, sizeof(out) - 1, "w")) == NULL)
		return out;
	conf_print(f, c);
	fclose(f);
	return out;
}

static void
expect_print(const char *text, const char *want, const char *what)
{
	struct nhrp_conf *c = parse(text), *c2;
	char *out;

	if (!OK(c != NULL, "%s: accepted", what)) {
		printf("# %s", errs);
		return;
	}
	out = print(c);
	STR_EQ(out, want, "%s: canonical form", what);
	c2 = conf_parse_buffer("rt", out, strlen(out), NULL, NULL);
	OK(c2 != NULL && conf_equal(c, c2), "%s: round trip", what);
	conf_free(c2);
	conf_free(c);
}

static uint32_t
ip(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		return 0xdeadbeef;
	return a.s_addr;
}

static void
test_keyword_table(void)
{
	const char *prev = NULL, *k;
	unsigned i;
	int sorted = 1;

	for (i = 0; (k = conf_keyword(i)) != NULL; i++) {
		if (prev != NULL && strcmp(prev, k) >= 0)
			sorted = 0;
		prev = k;
	}
	INT_EQ(i, 18, "keyword table size");
	OK(sorted, "keyword table sorted for bsearch");
}

static void
test_empty(void)
{
	struct nhrp_conf *c;

	c = parse("");
	OK(c != NULL && TAILQ_EMPTY(&c->ifaces), "empty buffer is valid");
	OK(c != NULL && c->script_timeout == 120 &&
	    c->script_max_running == 16 && c->shutdown_purge == 1,
	    "global defaults");
	STR_EQ(c != NULL ? c->source : NULL, "t.conf", "source name kept");
	conf_free(c);
	c = parse("  # only a comment\n\n\t\n");
	OK(c != NULL && TAILQ_EMPTY(&c->ifaces), "comments only is valid");
	conf_free(c);
	c = conf_parse_buffer(NULL, NULL, 0, NULL, NULL);
	OK(c != NULL, "NULL buffer is empty");
	conf_free(c);
}

static void
test_words(void)
{
	struct nhrp_conf *c;
	struct conf_iface *ifc;
	struct conf_map *m;
	char big[4096];

	/* arguments on later lines, any whitespace */
	c = parse("interface\n\tgre1\r\n map\v10.0.0.1/24\f\n\n192.0.2.1\n"
	    "register");
	ifc = c != NULL ? conf_iface_find(c, "gre1") : NULL;
	m = ifc != NULL ? TAILQ_FIRST(&ifc->maps) : NULL;
	OK(m != NULL, "arguments may span lines");
	INT_EQ(m != NULL ? m->flags : 0, CONF_PEER_REGISTER,
	    "last word without newline kept whole");
	INT_EQ(m != NULL ? m->line : 0, 3, "map line is the keyword's");
	INT_EQ(ifc != NULL ? ifc->line : 0, 1, "interface line");
	conf_free(c);

	/* '#' only starts a comment where a word starts */
	c = parse("interface gre1 # comment map 1.2.3.4 5.6.7.8\n"
	    "cisco-authentication sec#ret#1 #c\nredirect#x\n");
	OK(c == NULL, "redirect#x is one (unknown) word");
	STR_EQ(errs, "t.conf:3: syntax error near word 'redirect#x'\n",
	    "hash inside a word");
	c = parse("interface gre1 # comment map 1.2.3.4 5.6.7.8\n"
	    "cisco-authentication sec#ret#1 #c\n#\nredirect\n");
	ifc = c != NULL ? conf_iface_find(c, "gre1") : NULL;
	OK(ifc != NULL && TAILQ_EMPTY(&ifc->maps), "comment to end of line");
	MEM_EQ(ifc != NULL ? ifc->auth : NULL, ifc != NULL ? ifc->auth_len : 0,
	    "sec#ret#1", 9, "hash kept inside the secret");
	OK(ifc != NULL && (ifc->flags & CONF_IF_REDIRECT), "flag after comment");
	conf_free(c);

	/* keywords are case-sensitive */
	expect_error("interface gre1\nRedirect\n",
	    "t.conf:2: syntax error near word 'Redirect'\n", "case-sensitive");

	/* no word-length limit */
	memset(big, 'a', sizeof(big));
	memcpy(big, "interface gre1 map 10.0.0.1 ", 28);
	memcpy(big + sizeof(big) - 14, ".example.com\n", 14);
	c = parse(big);
	ifc = c != NULL ? TAILQ_FIRST(&c->ifaces) : NULL;
	m = ifc != NULL ? TAILQ_FIRST(&ifc->maps) : NULL;
	OK(m != NULL && m->hostname != NULL &&
	    strlen(m->hostname) == sizeof(big) - 28 - 2,
	    "a 4 KB host name is kept whole");
	conf_free(c);

	/* a long unknown word is quoted shortened */
	memset(big, 'x', 100);
	big[100] = '\0';
	c = parse(big);
	OK(c == NULL && strstr(errs, "near word 'xxxxxxxxxx") != NULL &&
	    strstr(errs, "...'") != NULL && strlen(errs) < 120,
	    "long word shortened in the message");
	conf_free(c);

	/* non-printable bytes are escaped, NUL is an error */
	c = conf_parse_buffer("t.conf", "interface gre1\nfo\001o\n", 20,
	    collect, NULL);
	OK(c == NULL, "control byte word rejected");
	conf_free(c);
	errs[0] = '\0';
	c = conf_parse_buffer("t.conf", "interface g\0re1\n", 16, collect,
	    NULL);
	OK(c == NULL && strstr(errs, "t.conf:1: invalid NUL byte near word "
	    "'g\\x00re1'") != NULL, "NUL byte rejected");
	conf_free(c);
}

static void
test_line_numbers(void)
{
	expect_error("interface gre1\n\n   foo\n",
	    "t.conf:3: syntax error near word 'foo'\n", "line of the word");
	expect_error("interface gre1\nfoo",
	    "t.conf:2: syntax error near word 'foo'\n", "line at EOF");
	expect_error("# c\n# c\ninterface gre1 redirect\nbar\n",
	    "t.conf:4: syntax error near word 'bar'\n", "line after comments");
	expect_error("interface gre1\r\nbaz\r\n",
	    "t.conf:2: syntax error near word 'baz'\n", "CRLF lines");
	/* a syntax error skips the rest of its line only */
	expect_error("interface gre1\nfoo bar baz\nqux\n",
	    "t.conf:2: syntax error near word 'foo'\n"
	    "t.conf:3: syntax error near word 'qux'\n",
	    "syntax errors are counted, one per line");
}

static void
test_interface(void)
{
	struct nhrp_conf *c;
	struct conf_iface *ifc;

	c = parse("interface gre1\nholding-time 100\nmap 10.0.0.1 1.1.1.1\n"
	    "interface lo\nshortcut-destination\n"
	    "interface gre1\nholding-time 200\nredirect\nmap 10.0.0.2 2.2.2.2\n"
	    "route-table 10\n");
	OK(c != NULL, "merge parses");
	ifc = c != NULL ? TAILQ_FIRST(&c->ifaces) : NULL;
	STR_EQ(ifc != NULL ? ifc->name : NULL, "gre1", "file order");
	ifc = c != NULL ? conf_iface_find(c, "gre1") : NULL;
	INT_EQ(ifc != NULL ? ifc->holding_time : 0, 200, "merge: last wins");
	INT_EQ(ifc != NULL ? ifc->route_table : 0, 10, "merge: table");
	INT_EQ(ifc != NULL ? ifc->flags : 0, CONF_IF_REDIRECT, "merge: flags");
	OK(ifc != NULL && TAILQ_FIRST(&ifc->maps) != NULL &&
	    TAILQ_NEXT(TAILQ_FIRST(&ifc->maps), entry) != NULL,
	    "merge: maps appended");
	INT_EQ(ifc != NULL ? ifc->line : 0, 1, "merge: first line kept");
	OK(c != NULL && conf_iface_find(c, "lo") != NULL &&
	    conf_iface_find(c, "gre2") == NULL, "find");
	conf_free(c);

	c = parse("interface abcdefghijklmno\n");
	OK(c != NULL && conf_iface_find(c, "abcdefghijklmno") != NULL,
	    "15-character name");
	conf_free(c);
	expect_error("interface abcdefghijklmnop\nredirect\nfoo\n",
	    "t.conf:1: interface name too long near word 'abcdefghijklmnop'\n"
	    "t.conf:3: syntax error near word 'foo'\n",
	    "16-character name, parsing goes on");
	expect_error("interface\n\nabcdefghijklmnop\n",
	    "t.conf:3: interface name too long near word 'abcdefghijklmnop'\n",
	    "name error on the line of the name");
	expect_error("interface a/b\n", "t.conf:1: invalid interface name "
	    "near word 'a/b'\n", "slash in name");
	expect_error("interface ..\n", "t.conf:1: invalid interface name "
	    "near word '..'\n", "dot-dot name");
	expect_error("interface",
	    "t.conf:1: missing keyword near word 'interface'\n",
	    "interface at EOF");
	expect_error("interface gre1\nshortcut\n\ninterface  # x\n",
	    "t.conf:4: missing keyword near word 'interface'\n",
	    "interface then comment at EOF");
}

static void
test_defaults(void)
{
	struct nhrp_conf *c = parse("interface gre1\n");
	struct conf_iface *ifc = c != NULL ? TAILQ_FIRST(&c->ifaces) : NULL;

	OK(ifc != NULL, "bare interface");
	if (ifc == NULL)
		return;
	INT_EQ(ifc->holding_time, 7200, "default holding-time");
	INT_EQ(ifc->route_table, 254, "default route-table");
	INT_EQ(ifc->flags, 0, "no flags");
	INT_EQ(ifc->auth_len, 0, "no secret");
	INT_EQ(ifc->mcast_mode, CONF_MCAST_NONE, "no multicast");
	OK(TAILQ_EMPTY(&ifc->maps) && TAILQ_EMPTY(&ifc->dynmaps) &&
	    TAILQ_EMPTY(&ifc->targets) && TAILQ_EMPTY(&ifc->mcast_addrs),
	    "no lists");
	conf_free(c);
}

static void
test_map(void)
{
	struct nhrp_conf *c;
	struct conf_iface *ifc;
	struct conf_map *m, *m2;

	c = parse("interface gre1\nmap 10.255.255.1/24 192.0.2.1 register\n"
	    "map 10.255.255.1/24 192.0.2.1 cisco no-unique\n"
	    "map 10.0.0.9 hub.example.com\n"
	    "map 10.0.0.8 1.2.3.4.example.com\n");
	ifc = c != NULL ? TAILQ_FIRST(&c->ifaces) : NULL;
	m = ifc != NULL ? TAILQ_FIRST(&ifc->maps) : NULL;
	if (!OK(m != NULL, "maps parse")) {
		printf("# %s", errs);
		conf_free(c);
		return;
	}
	INT_EQ(nhrp_addr_ipv4(&m->proto), ip("10.255.255.1"), "not masked");
	INT_EQ(m->prefix, 24, "prefix");
	INT_EQ(nhrp_addr_ipv4(&m->nbma), ip("192.0.2.1"), "nbma address");
	OK(m->hostname == NULL, "no hostname for an address");
	INT_EQ(m->flags, CONF_PEER_REGISTER, "register");
	INT_EQ(m->line, 2, "map line");
	m2 = TAILQ_NEXT(m, entry);
	OK(m2 != NULL && nhrp_addr_equal(&m->proto, &m2->proto),
	    "duplicate map gives two entries");
	INT_EQ(m2 != NULL ? m2->flags : 0, CONF_PEER_CISCO | CONF_PEER_NO_UNIQUE,
	    "cisco no-unique");
	m = m2 != NULL ? TAILQ_NEXT(m2, entry) : NULL;
	INT_EQ(m != NULL ? m->prefix : 0, 32, "default prefix 32");
	STR_EQ(m != NULL ? m->hostname : NULL, "hub.example.com", "hostname");
	OK(m != NULL && nhrp_addr_is_unspec(&m->nbma),
	    "nbma unspecified for a hostname");
	m = m != NULL ? TAILQ_NEXT(m, entry) : NULL;
	STR_EQ(m != NULL ? m->hostname : NULL, "1.2.3.4.example.com",
	    "dotted-quad prefix is a hostname");
	conf_free(c);

	expect_error("interface gre1\nmap bad 1.2.3.4\n",
	    "t.conf:2: invalid address near word 'map'\n", "bad proto");
	expect_error("interface gre1\nmap 300.1.1.1 1.2.3.4\n",
	    "t.conf:2: invalid address near word 'map'\n", "octet > 255");
	expect_error("interface gre1\nmap 1.2.3.4foo 1.2.3.4\n",
	    "t.conf:2: invalid address near word 'map'\n", "trailing garbage");
	expect_error("interface gre1\nmap 1.2.3.4/33 1.2.3.4\n",
	    "t.conf:2: invalid address near word 'map'\n", "prefix 33");
	expect_error("interface gre1\nmap 1.2.3.4/ 1.2.3.4\n",
	    "t.conf:2: invalid address near word 'map'\n", "empty prefix");
	expect_error("interface gre1\nmap 1.2.3 1.2.3.4\n",
	    "t.conf:2: invalid address near word 'map'\n", "three octets");
	expect_error("interface gre1\nmap 2001:db8::1 1.2.3.4\n",
	    "t.conf:2: invalid address near word 'map'\n", "IPv6 proto");
	expect_error("interface gre1\nmap 1.2.3.4 1.2.3\n",
	    "t.conf:2: invalid address near word 'map'\n", "numeric NBMA");
	expect_error("interface gre1\nmap 1.2.3.4 1.2.3.4.5\n",
	    "t.conf:2: invalid address near word 'map'\n", "five octets NBMA");
	expect_error("interface gre1\nmap 1.2.3.4 192.0.2.1/24\n",
	    "t.conf:2: invalid address near word 'map'\n", "NBMA with prefix");
	expect_error("interface gre1\nmap 1.2.3.4 2001:db8::1\n",
	    "t.conf:2: invalid address near word 'map'\n", "IPv6 NBMA");
	expect_error("interface gre1\nmap 1.2.3.4/40 1.2.3\n",
	    "t.conf:2: invalid address near word 'map'\n",
	    "one message per map");
	expect_error("interface gre1\nmap\n 1.2.3.4",
	    "t.conf:2: missing keyword near word 'map'\n", "map at EOF");
	/* an invalid map still takes its modifiers */
	expect_error("interface gre1\nmap bad 1.2.3.4 register cisco\n",
	    "t.conf:2: invalid address near word 'map'\n",
	    "modifiers after a bad map: no second error");
}

static void
test_context(void)
{
	expect_error("map 1.2.3.4 5.6.7.8 register\n",
	    "t.conf:1: keyword valid only for 'interface' definition near word "
	    "'map'\n", "map before interface");
	expect_error("redirect\nshortcut\n",
	    "t.conf:1: keyword valid only for 'interface' definition near word "
	    "'redirect'\n"
	    "t.conf:2: keyword valid only for 'interface' definition near word "
	    "'shortcut'\n", "flags before interface, counted");
	expect_error("\ncisco-authentication x\nroute-table 5\nmulticast nhs\n"
	    "dynamic-map 10.0.0.0/8 h\nshortcut-target 1.0.0.0/8\n"
	    "non-caching\nshortcut-destination\n",
	    "t.conf:2: keyword valid only for 'interface' definition near word "
	    "'cisco-authentication'\n"
	    "t.conf:3: keyword valid only for 'interface' definition near word "
	    "'route-table'\n"
	    "t.conf:4: keyword valid only for 'interface' definition near word "
	    "'multicast'\n"
	    "t.conf:5: keyword valid only for 'interface' definition near word "
	    "'dynamic-map'\n"
	    "t.conf:6: keyword valid only for 'interface' definition near word "
	    "'shortcut-target'\n"
	    "t.conf:7: keyword valid only for 'interface' definition near word "
	    "'non-caching'\n"
	    "t.conf:8: keyword valid only for 'interface' definition near word "
	    "'shortcut-destination'\n", "every interface keyword");
	expect_error("interface gre1\nregister\n",
	    "t.conf:2: keyword valid only for 'map' definition near word "
	    "'register'\n", "register without map");
	expect_error("interface gre1\nmap 1.2.3.4 5.6.7.8 shortcut register\n",
	    "t.conf:2: keyword valid only for 'map' definition near word "
	    "'register'\n", "interface keyword clears the peer context");
	expect_error("interface gre1\nmap 1.2.3.4 5.6.7.8\ninterface gre2 cisco\n",
	    "t.conf:3: keyword valid only for 'map' definition near word "
	    "'cisco'\n", "interface clears the peer context");
	expect_error("interface gre1\nshortcut-target 1.0.0.0/8 no-unique\n",
	    "t.conf:2: keyword valid only for 'map' definition near word "
	    "'no-unique'\n", "modifier after shortcut-target");
	expect_error("interface gre1\nmap 1.2.3.4 5.6.7.8 holding-time 60 "
	    "register\n",
	    "t.conf:2: keyword valid only for 'map' definition near word "
	    "'register'\n", "holding-time after map clears the context");
	expect_error("holding-time 60\ninterface gre1\n",
	    "t.conf:1: keyword valid only for 'interface' and "
	    "'shortcut-target' definition near word 'holding-time'\n",
	    "holding-time outside any context, reported where it is");
	expect_error("interface gre1\nmap 1.2.3.4 5.6.7.8 script-timeout 5 "
	    "register\n",
	    "t.conf:2: keyword valid only for 'map' definition near word "
	    "'register'\n", "a global keyword clears the peer context");
}

static void
test_dynmap(void)
{
	struct nhrp_conf *c;
	struct conf_iface *ifc;
	struct conf_dynmap *d;

	c = parse("interface gre1\ndynamic-map 10.0.0.0/8 hubs.example.com "
	    "register cisco no-unique\ndynamic-map 10.1.2.3 1.2.3.4\n");
	ifc = c != NULL ? TAILQ_FIRST(&c->ifaces) : NULL;
	d = ifc != NULL ? TAILQ_FIRST(&ifc->dynmaps) : NULL;
	if (!OK(d != NULL, "dynamic-map parses")) {
		printf("# %s", errs);
		conf_free(c);
		return;
	}
	INT_EQ(nhrp_addr_ipv4(&d->proto), ip("10.0.0.0"), "network");
	INT_EQ(d->prefix, 8, "prefix");
	STR_EQ(d->hostname, "hubs.example.com", "hostname");
	INT_EQ(d->flags, CONF_PEER_REGISTER | CONF_PEER_CISCO |
	    CONF_PEER_NO_UNIQUE, "modifiers kept for its NHSs");
	d = TAILQ_NEXT(d, entry);
	INT_EQ(d != NULL ? d->prefix : 0, 32, "no /len: prefix 32");
	STR_EQ(d != NULL ? d->hostname : NULL, "1.2.3.4",
	    "numeric host name kept as a name");
	conf_free(c);

	expect_error("interface gre1\ndynamic-map 10.0.0.1/8 h\n",
	    "t.conf:2: dynamic-map requires a network address near word "
	    "'dynamic-map'\n", "host bits");
	expect_error("interface gre1\ndynamic-map 10.0.0/8 h\n",
	    "t.conf:2: invalid address near word 'dynamic-map'\n", "bad proto");
	expect_error("interface gre1\ndynamic-map 10.0.0.0/8 1.2.3\n",
	    "t.conf:2: invalid address near word 'dynamic-map'\n",
	    "bad numeric host");
	expect_error("interface gre1\ndynamic-map 10.0.0.0/8",
	    "t.conf:2: missing keyword near word 'dynamic-map'\n", "at EOF");
}

static void
test_target(void)
{
	struct nhrp_conf *c;
	struct conf_iface *ifc;
	struct conf_target *t;

	c = parse("interface gre1\nholding-time 600\n"
	    "shortcut-target 172.16.1.1/16 holding-time 1800 holding-time 900\n"
	    "shortcut-target 172.17.0.1\nholding-time 300\n");
	ifc = c != NULL ? TAILQ_FIRST(&c->ifaces) : NULL;
	t = ifc != NULL ? TAILQ_FIRST(&ifc->targets) : NULL;
	if (!OK(t != NULL, "shortcut-target parses")) {
		printf("# %s", errs);
		conf_free(c);
		return;
	}
	INT_EQ(nhrp_addr_ipv4(&t->proto), ip("172.16.1.1"), "not masked");
	INT_EQ(t->prefix, 16, "prefix");
	INT_EQ(t->holding_time, 900, "holding-time for the target, last wins");
	t = TAILQ_NEXT(t, entry);
	INT_EQ(t != NULL ? t->prefix : 0, 32, "default /32");
	INT_EQ(t != NULL ? t->holding_time : 1, 300,
	    "holding-time after target applies to it");
	INT_EQ(ifc->holding_time, 600, "interface holding-time untouched");
	conf_free(c);

	expect_error("interface gre1\nshortcut-target x\n",
	    "t.conf:2: invalid address near word 'shortcut-target'\n", "bad");
	expect_error("interface gre1\nshortcut-target x holding-time 5\n",
	    "t.conf:2: invalid address near word 'shortcut-target'\n",
	    "bad target takes its holding-time");
	expect_error("interface gre1\nshortcut-target\n",
	    "t.conf:2: missing keyword near word 'shortcut-target'\n", "EOF");
	expect_error("interface gre1\nshortcut-target 1.0.0.0/8 holding-time x\n",
	    "t.conf:2: invalid number near word 'x'\n", "bad target holding");
}

static void
test_numbers(void)
{
	struct nhrp_conf *c;
	struct conf_iface *ifc;

	c = parse("interface gre1\nholding-time 65535\nroute-table 4294967295\n"
	    "interface gre2\nholding-time 1\nroute-table 0\n"
	    "interface gre3\nholding-time 0042\n");
	ifc = c != NULL ? conf_iface_find(c, "gre1") : NULL;
	INT_EQ(ifc != NULL ? ifc->holding_time : 0, 65535, "holding max");
	INT_EQ(ifc != NULL ? ifc->route_table : 0, 4294967295u, "table max");
	ifc = c != NULL ? conf_iface_find(c, "gre2") : NULL;
	INT_EQ(ifc != NULL ? ifc->holding_time : 0, 1, "holding min");
	INT_EQ(ifc != NULL ? ifc->route_table : 1, 0, "table 0");
	ifc = c != NULL ? conf_iface_find(c, "gre3") : NULL;
	INT_EQ(ifc != NULL ? ifc->holding_time : 0, 42, "leading zeros");
	conf_free(c);

	expect_error("interface gre1\nholding-time 65536\n",
	    "t.conf:2: number out of range 1..65535 near word '65536'\n",
	    "holding-time too big");
	expect_error("interface gre1\nholding-time\n0\n",
	    "t.conf:3: number out of range 1..65535 near word '0'\n",
	    "holding-time 0, line of the number");
	expect_error("interface gre1\nholding-time -1\n",
	    "t.conf:2: invalid number near word '-1'\n", "negative");
	expect_error("interface gre1\nholding-time 10s\n",
	    "t.conf:2: invalid number near word '10s'\n", "trailing garbage");
	expect_error("interface gre1\nholding-time +10\n",
	    "t.conf:2: invalid number near word '+10'\n", "plus sign");
	expect_error("interface gre1\nholding-time 0x10\n",
	    "t.conf:2: invalid number near word '0x10'\n", "hex");
	expect_error("interface gre1\nroute-table 4294967296\n",
	    "t.conf:2: number out of range 0..4294967295 near word "
	    "'4294967296'\n", "table too big");
	expect_error("interface gre1\nroute-table 99999999999999999999999\n",
	    "t.conf:2: number out of range 0..4294967295 near word "
	    "'99999999999999999999999'\n", "huge number");
	expect_error("interface gre1\nroute-table main\n",
	    "t.conf:2: invalid number near word 'main'\n", "table name");
	expect_error("interface gre1\nholding-time",
	    "t.conf:2: missing keyword near word 'holding-time'\n", "EOF");
}

static void
test_auth(void)
{
	struct nhrp_conf *c;
	struct conf_iface *ifc;
	char *msgs;

	c = parse("interface gre1\ncisco-authentication first\n"
	    "cisco-authentication 1234567890123456789012345678901\n");
	ifc = c != NULL ? TAILQ_FIRST(&c->ifaces) : NULL;
	MEM_EQ(ifc != NULL ? ifc->auth : NULL, ifc != NULL ? ifc->auth_len : 0,
	    "1234567890123456789012345678901", 31, "31 bytes, last wins");
	INT_EQ(ifc != NULL ? ifc->auth_line : 0, 3, "auth line");
	errs[0] = '\0';
	nerrs = 0;
	INT_EQ(c != NULL ? conf_warnings(c, collect, NULL) : -1, 1,
	    "one warning");
	STR_EQ(errs, "t.conf:3: cisco-authentication secret longer than 8 "
	    "bytes: Cisco peers use only the first 8\n", "warning text");
	conf_free(c);

	c = parse("interface gre1\ncisco-authentication 12345678\n");
	INT_EQ(c != NULL ? conf_warnings(c, NULL, NULL) : -1, 0,
	    "8 bytes: no warning");
	conf_free(c);

	expect_error("interface gre1\ncisco-authentication "
	    "12345678901234567890123456789012\n",
	    "t.conf:2: cisco-authentication secret longer than 31 bytes near "
	    "word 'cisco-authentication'\n", "32 bytes rejected");
	c = parse("interface gre1\ncisco-authentication "
	    "12345678901234567890123456789012\n");
	msgs = strstr(errs, "1234567");
	OK(msgs == NULL, "the secret is not echoed");
	conf_free(c);
	expect_error("interface gre1\ncisco-authentication\n",
	    "t.conf:2: missing keyword near word 'cisco-authentication'\n",
	    "EOF");
}

static void
test_flags(void)
{
	struct nhrp_conf *c;
	struct conf_iface *ifc;

	c = parse("interface gre1 shortcut redirect non-caching "
	    "shortcut-destination shortcut\n");
	ifc = c != NULL ? TAILQ_FIRST(&c->ifaces) : NULL;
	INT_EQ(ifc != NULL ? ifc->flags : 0, CONF_IF_SHORTCUT |
	    CONF_IF_REDIRECT | CONF_IF_NON_CACHING | CONF_IF_SHORTCUT_DEST,
	    "all flags, repeats harmless");
	conf_free(c);
}

static void
test_multicast(void)
{
	struct nhrp_conf *c;
	struct conf_iface *ifc;
	struct conf_mcast_addr *ma;

	c = parse("interface gre1\nmulticast nhs\nmulticast 224.0.0.5\n"
	    "multicast dynamic\nmulticast 224.0.0.6\nmulticast 224.0.0.5\n"
	    "interface gre2\nmulticast dynamic\nmulticast nhs\n");
	ifc = c != NULL ? conf_iface_find(c, "gre1") : NULL;
	INT_EQ(ifc != NULL ? ifc->mcast_mode : -1, CONF_MCAST_DYNAMIC,
	    "later mode replaces");
	ma = ifc != NULL ? TAILQ_FIRST(&ifc->mcast_addrs) : NULL;
	INT_EQ(ma != NULL ? nhrp_addr_ipv4(&ma->addr) : 0, ip("224.0.0.5"),
	    "first address");
	ma = ma != NULL ? TAILQ_NEXT(ma, entry) : NULL;
	INT_EQ(ma != NULL ? nhrp_addr_ipv4(&ma->addr) : 0, ip("224.0.0.6"),
	    "addresses accumulate");
	OK(ma != NULL && TAILQ_NEXT(ma, entry) == NULL,
	    "a repeated address is kept once");
	ifc = c != NULL ? conf_iface_find(c, "gre2") : NULL;
	INT_EQ(ifc != NULL ? ifc->mcast_mode : -1, CONF_MCAST_NHS,
	    "nhs replaces dynamic");
	conf_free(c);

	expect_error("interface gre1\nmulticast 224.0.0.0/4\n",
	    "t.conf:2: bad multicast destination near word '224.0.0.0/4'\n",
	    "prefix rejected");
	expect_error("interface gre1\nmulticast all\n",
	    "t.conf:2: bad multicast destination near word 'all'\n", "garbage");
	expect_error("interface gre1\nmulticast Dynamic\n",
	    "t.conf:2: bad multicast destination near word 'Dynamic'\n",
	    "case-sensitive mode");
	expect_error("interface gre1\nmulticast",
	    "t.conf:2: missing keyword near word 'multicast'\n", "EOF");
}

static void
test_globals(void)
{
	struct nhrp_conf *c;

	c = parse("script-timeout 30\ninterface gre1\nscript-max-running 64\n"
	    "no-shutdown-purge\nredirect\n");
	OK(c != NULL, "globals anywhere");
	INT_EQ(c != NULL ? c->script_timeout : 0, 30, "script-timeout");
	INT_EQ(c != NULL ? c->script_max_running : 0, 64, "script-max-running");
	INT_EQ(c != NULL ? c->shutdown_purge : 1, 0, "no-shutdown-purge");
	OK(c != NULL && (TAILQ_FIRST(&c->ifaces)->flags & CONF_IF_REDIRECT),
	    "interface context survives a global keyword");
	conf_free(c);

	expect_error("script-timeout 0\n",
	    "t.conf:1: number out of range 1..3600 near word '0'\n", "timeout 0");
	expect_error("script-timeout 3601\n",
	    "t.conf:1: number out of range 1..3600 near word '3601'\n",
	    "timeout too big");
	expect_error("script-max-running 4097\n",
	    "t.conf:1: number out of range 1..4096 near word '4097'\n",
	    "max-running too big");
	expect_error("script-timeout",
	    "t.conf:1: missing keyword near word 'script-timeout'\n", "EOF");
}

static void
test_print(void)
{
	expect_print("", "", "empty");
	expect_print("interface gre1\n", "interface gre1\n", "bare");
	expect_print("interface gre1 map 10.255.255.1/24 192.0.2.1 no-unique "
	    "register cisco shortcut-target 172.16.0.0/16 holding-time 1800 "
	    "multicast 224.0.0.5 multicast nhs dynamic-map 10.0.0.0/8 "
	    "h.example.com cisco shortcut-destination non-caching redirect "
	    "shortcut cisco-authentication s3cret route-table 10 "
	    "holding-time 600 no-shutdown-purge "
	    "script-max-running 2 script-timeout 5\n"
	    "interface lo\nshortcut-target 10.0.0.1/32\n"
	    "map 10.0.0.2/32 hub\n",
	    "script-timeout 5\n"
	    "script-max-running 2\n"
	    "no-shutdown-purge\n"
	    "\n"
	    "interface gre1\n"
	    "\tholding-time 600\n"
	    "\troute-table 10\n"
	    "\tcisco-authentication s3cret\n"
	    "\tshortcut\n"
	    "\tredirect\n"
	    "\tnon-caching\n"
	    "\tshortcut-destination\n"
	    "\tmulticast nhs\n"
	    "\tmulticast 224.0.0.5\n"
	    "\tmap 10.255.255.1/24 192.0.2.1 register cisco no-unique\n"
	    "\tdynamic-map 10.0.0.0/8 h.example.com cisco\n"
	    "\tshortcut-target 172.16.0.0/16 holding-time 1800\n"
	    "\n"
	    "interface lo\n"
	    "\tmap 10.0.0.2 hub\n"
	    "\tshortcut-target 10.0.0.1\n",
	    "everything, canonical order");
	expect_print("interface gre1\nholding-time 7200\nroute-table 254\n"
	    "script-timeout 120 script-max-running 16\n",
	    "interface gre1\n", "defaults omitted");
	expect_print("interface gre1\nmap 10.0.0.0/0 1.2.3.4\n",
	    "interface gre1\n\tmap 10.0.0.0/0 1.2.3.4\n", "prefix 0");
}

static void
test_equal(void)
{
	struct nhrp_conf *a, *b;
	static const char *variants[] = {
		"interface gre1\nmap 10.0.0.1 1.2.3.4\n",
		"interface gre1\nmap 10.0.0.1 1.2.3.5\n",
		"interface gre1\nmap 10.0.0.1/24 1.2.3.4\n",
		"interface gre1\nmap 10.0.0.1 1.2.3.4 register\n",
		"interface gre1\nmap 10.0.0.1 host\n",
		"interface gre2\nmap 10.0.0.1 1.2.3.4\n",
		"interface gre1\n",
		"interface gre1\nredirect\n",
		"interface gre1\ncisco-authentication a\n",
		"interface gre1\ncisco-authentication b\n",
		"interface gre1\nmulticast nhs\n",
		"interface gre1\nmulticast 224.0.0.1\n",
		"interface gre1\ndynamic-map 10.0.0.0/8 h\n",
		"interface gre1\nshortcut-target 10.0.0.0/8\n",
		"interface gre1\nshortcut-target 10.0.0.0/8 holding-time 5\n",
		"interface gre1\nholding-time 5\n",
		"interface gre1\nroute-table 5\n",
		"no-shutdown-purge\n",
		"script-timeout 5\n",
		"",
	};
	size_t i, j, n = sizeof(variants) / sizeof(variants[0]);
	int good = 1;

	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++) {
			a = parse(variants[i]);
			b = parse(variants[j]);
			if (a == NULL || b == NULL ||
			    conf_equal(a, b) != (i == j)) {
				good = 0;
				printf("# variants %zu and %zu\n", i, j);
			}
			conf_free(a);
			conf_free(b);
		}
	OK(good, "conf_equal tells every variant apart");
	a = parse("interface gre1\n\n\nmap 10.0.0.1 1.2.3.4\n");
	b = parse("interface gre1 map 10.0.0.1 1.2.3.4");
	OK(a != NULL && b != NULL && conf_equal(a, b), "lines are ignored");
	conf_free(a);
	conf_free(b);
}

static void
test_file(void)
{
	char path[] = "/tmp/test_conf.XXXXXX";
	struct nhrp_conf *c;
	FILE *f;
	int fd;

	errs[0] = '\0';
	c = conf_parse_file("/nonexistent/opennhrp.conf", collect, NULL);
	OK(c == NULL, "missing file");
	STR_EQ(errs, "/nonexistent/opennhrp.conf: Unable to open "
	    "configuration file: No such file or directory\n",
	    "missing file message");
	errs[0] = '\0';
	c = conf_parse_file("/", collect, NULL);
	OK(c == NULL && strstr(errs, "/: Unable to read configuration file: ")
	    != NULL, "directory");

	if ((fd = mkstemp(path)) == -1 || (f = fdopen(fd, "w")) == NULL) {
		OK(0, "mkstemp");
		return;
	}
	fputs("interface gre1\nredirect\nfoo\n", f);
	fclose(f);
	errs[0] = '\0';
	c = conf_parse_file(path, collect, NULL);
	OK(c == NULL && strncmp(errs, path, strlen(path)) == 0 &&
	    strcmp(errs + strlen(path), ":3: syntax error near word 'foo'\n")
	    == 0, "file errors name the file");
	if ((f = fopen(path, "w")) != NULL) {
		fputs("interface gre1\nredirect", f);
		fclose(f);
	}
	c = conf_parse_file(path, collect, NULL);
	OK(c != NULL && c->source != NULL && strcmp(c->source, path) == 0,
	    "file parses, source kept");
	conf_free(c);
	unlink(path);
}

int
main(void)
{
	test_keyword_table();
	test_empty();
	test_words();
	test_line_numbers();
	test_interface();
	test_defaults();
	test_map();
	test_context();
	test_dynmap();
	test_target();
	test_numbers();
	test_auth();
	test_flags();
	test_multicast();
	test_globals();
	test_print();
	test_equal();
	test_file();
	return tap_done();
}
