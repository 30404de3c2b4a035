/*
 * test_admin_parse.c - admin request language: command table, selectors,
 * reply texts (behaviour spec 3.2, 3.3, 3.5; CTL-05, -06, -17..-21).
 */
#include "config.h"

#include <arpa/inet.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "nhrp/admin.h"
#include "tests/tap.h"

/* Test names stay on one line: control characters are shown as '?'. */
static const char *
printable(const char *s)
{
	static char buf[256];
	size_t i;

	for (i = 0; s[i] != '\0' && i < sizeof(buf) - 1; i++)
		buf[i] = (unsigned char)s[i] < ' ' ? '?' : s[i];
	buf[i] = '\0';
	return buf;
}

/* ------------------------------------------------------------------ */
/* Commands */

static void
cmd_is(const char *req, enum admin_cmd want, const char *want_args)
{
	const char *args = (const char *)1;
	enum admin_cmd got;

	got = admin_parse_command(req, &args);
	INT_EQ(got, want, "command \"%s\" -> %d", printable(req), (int)want);
	if (want == ADMIN_CMD_NONE)
		OK(args == NULL, "command \"%s\": no args", printable(req));
	else
		STR_EQ(args, want_args, "command \"%s\": args",
		    printable(req));
}

static void
test_commands(void)
{
	/* Every table row, exact. */
	cmd_is("route show", ADMIN_CMD_ROUTE_SHOW, "");
	cmd_is("show", ADMIN_CMD_SHOW, "");
	cmd_is("cache show", ADMIN_CMD_SHOW, "");
	cmd_is("flush", ADMIN_CMD_FLUSH, "");
	cmd_is("cache flush", ADMIN_CMD_FLUSH, "");
	cmd_is("purge", ADMIN_CMD_PURGE, "");
	cmd_is("cache purge", ADMIN_CMD_PURGE, "");
	cmd_is("cache lowerdown", ADMIN_CMD_LOWERDOWN, "");
	cmd_is("interface show", ADMIN_CMD_INTERFACE_SHOW, "");
	cmd_is("redirect purge", ADMIN_CMD_REDIRECT_PURGE, "");
	cmd_is("update nbma", ADMIN_CMD_UPDATE_NBMA, "");

	/* Arguments are whatever follows the prefix, verbatim. */
	cmd_is("show nbma 1.2.3.4", ADMIN_CMD_SHOW, " nbma 1.2.3.4");
	cmd_is("cache show  protocol 10.0.0.0/8 ", ADMIN_CMD_SHOW,
	    "  protocol 10.0.0.0/8 ");
	cmd_is("update nbma 1.2.3.4 10.0.0.1", ADMIN_CMD_UPDATE_NBMA,
	    " 1.2.3.4 10.0.0.1");
	cmd_is("cache lowerdown nbma 1.1.1.1 local-nbma 2.2.2.2",
	    ADMIN_CMD_LOWERDOWN, " nbma 1.1.1.1 local-nbma 2.2.2.2");

	/* No word boundary: "showx" is show with args "x". */
	cmd_is("showx", ADMIN_CMD_SHOW, "x");
	cmd_is("flushed", ADMIN_CMD_FLUSH, "ed");
	cmd_is("purgeall", ADMIN_CMD_PURGE, "all");
	cmd_is("route showing", ADMIN_CMD_ROUTE_SHOW, "ing");
	cmd_is("interface show whatever", ADMIN_CMD_INTERFACE_SHOW,
	    " whatever");

	/* Case-insensitive prefix; args keep their case. */
	cmd_is("SHOW", ADMIN_CMD_SHOW, "");
	cmd_is("Cache Show Nbma 1.2.3.4", ADMIN_CMD_SHOW, " Nbma 1.2.3.4");
	cmd_is("ROUTE SHOW", ADMIN_CMD_ROUTE_SHOW, "");
	cmd_is("Cache LowerDown", ADMIN_CMD_LOWERDOWN, "");
	cmd_is("uPDATE nBMA", ADMIN_CMD_UPDATE_NBMA, "");
	cmd_is("ReDiReCt PuRgE", ADMIN_CMD_REDIRECT_PURGE, "");

	/* "lowerdown" needs "cache"; incomplete prefixes do not match. */
	cmd_is("lowerdown", ADMIN_CMD_NONE, NULL);
	cmd_is("lowerdown nbma 1.2.3.4", ADMIN_CMD_NONE, NULL);
	cmd_is("sho", ADMIN_CMD_NONE, NULL);
	cmd_is("cache", ADMIN_CMD_NONE, NULL);
	cmd_is("cache lower", ADMIN_CMD_NONE, NULL);
	cmd_is("route", ADMIN_CMD_NONE, NULL);
	cmd_is("interface", ADMIN_CMD_NONE, NULL);
	cmd_is("interfaceshow", ADMIN_CMD_NONE, NULL);
	cmd_is("cacheshow", ADMIN_CMD_NONE, NULL);
	cmd_is("cache  show", ADMIN_CMD_NONE, NULL);
	cmd_is("cache\tshow", ADMIN_CMD_NONE, NULL);
	cmd_is("update", ADMIN_CMD_NONE, NULL);
	cmd_is("redirect", ADMIN_CMD_NONE, NULL);
	cmd_is("schedule", ADMIN_CMD_NONE, NULL);
	cmd_is("help", ADMIN_CMD_NONE, NULL);

	/* Empty and leading whitespace. */
	cmd_is("", ADMIN_CMD_NONE, NULL);
	cmd_is(" show", ADMIN_CMD_NONE, NULL);
	cmd_is("\tshow", ADMIN_CMD_NONE, NULL);
	INT_EQ(admin_parse_command(NULL, NULL), ADMIN_CMD_NONE, "NULL");
	INT_EQ(admin_parse_command("show", NULL), ADMIN_CMD_SHOW,
	    "args pointer optional");

	/* Canonical names. */
	STR_EQ(admin_cmd_name(ADMIN_CMD_SHOW), "show", "name show");
	STR_EQ(admin_cmd_name(ADMIN_CMD_LOWERDOWN), "cache lowerdown",
	    "name lowerdown");
	STR_EQ(admin_cmd_name(ADMIN_CMD_UPDATE_NBMA), "update nbma",
	    "name update nbma");
	STR_EQ(admin_cmd_name(ADMIN_CMD_NONE), "", "name none");
}

/* ------------------------------------------------------------------ */
/* Replies */

static void
test_replies(void)
{
	struct admin_out out = { 0 };

	admin_reply_unrecognized(&out);
	STR_EQ(out.buf, "Status: error\nReason: unrecognized command\n",
	    "unrecognized command reply");
	INT_EQ(out.len, strlen(out.buf), "len matches");

	admin_out_reset(&out);
	INT_EQ(out.len, 0, "reset");
	admin_reply_affected(&out, 0);
	STR_EQ(out.buf, "Status: ok\nEntries-Affected: 0\n", "affected 0");
	admin_out_reset(&out);
	admin_reply_affected(&out, 50000);
	STR_EQ(out.buf, "Status: ok\nEntries-Affected: 50000\n",
	    "affected 50000");

	admin_out_reset(&out);
	admin_reply_failed(&out, "syntax-error", "foo");
	STR_EQ(out.buf, "Status: failed\nReason: syntax-error\n"
	    "Near-Keyword: 'foo'\n", "failed reply");

	/* admin_printf appends and grows. */
	{
		char big[3000];
		size_t i;

		admin_out_reset(&out);
		memset(big, 'x', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		admin_printf(&out, "Status: ok\n\n");
		for (i = 0; i < 100; i++)
			admin_printf(&out, "%s\n", big);
		INT_EQ(out.len, 12 + 100 * 3000, "grown buffer length");
		OK(!out.oom, "no oom");
		OK(out.buf[out.len] == '\0', "NUL terminated");
		OK(memcmp(out.buf + out.len - 3, "xx\n", 3) == 0, "tail");
	}
	admin_out_free(&out);
	OK(out.buf == NULL && out.len == 0 && out.cap == 0, "freed");
}

/* ------------------------------------------------------------------ */
/* Selectors */

static int iface_gre1, iface_gre2;
static int by_name_calls, by_proto_calls, by_lnbma_calls;
static char last_name[600];
static bool lnbma_unambiguous;

static void *
stub_by_name(void *arg, const char *name)
{
	by_name_calls++;
	snprintf(last_name, sizeof(last_name), "%s", name);
	if (strcmp(name, "gre1") == 0)
		return &iface_gre1;
	if (strcmp(name, "gre2") == 0)
		return &iface_gre2;
	return NULL;
}

static void *
stub_by_proto(void *arg, const struct nhrp_addr *a)
{
	char buf[NHRP_ADDRSTRLEN];

	by_proto_calls++;
	nhrp_addr_format(a, buf, sizeof(buf));
	if (strcmp(buf, "10.255.255.2") == 0)
		return &iface_gre1;
	return NULL;
}

static void *
stub_by_lnbma(void *arg, const struct nhrp_addr *a)
{
	char buf[NHRP_ADDRSTRLEN];

	by_lnbma_calls++;
	nhrp_addr_format(a, buf, sizeof(buf));
	if (lnbma_unambiguous && strcmp(buf, "192.0.2.1") == 0)
		return &iface_gre2;
	return NULL;
}

static const struct admin_lookup lk = {
	stub_by_name, stub_by_proto, stub_by_lnbma, NULL,
};

static bool
addr_is(const struct nhrp_addr *a, const char *s)
{
	char buf[NHRP_ADDRSTRLEN];

	nhrp_addr_format(a, buf, sizeof(buf));
	return strcmp(buf, s) == 0;
}

/* Parses args, expects success; the out buffer must stay empty. */
static int
sel_ok(const char *args, struct admin_selector *sel)
{
	struct admin_out out = { 0 };
	int rc;

	rc = admin_parse_selector(args, &lk, sel, &out);
	INT_EQ(rc, 0, "selector \"%s\" accepted", printable(args));
	INT_EQ(out.len, 0, "selector \"%s\": no output", printable(args));
	admin_out_free(&out);
	return rc;
}

/* Parses args, expects the exact failure reply. */
static void
sel_err(const char *args, const char *reply)
{
	struct admin_selector sel;
	struct admin_out out = { 0 };
	int rc;

	rc = admin_parse_selector(args, &lk, &sel, &out);
	INT_EQ(rc, -1, "selector \"%s\" rejected", args);
	STR_EQ(out.buf, reply, "selector \"%s\" reply", args);
	OK(sel.hostname == NULL && sel.has == 0,
	    "selector \"%s\": cleared on failure", args);
	admin_selector_clear(&sel);
	admin_out_free(&out);
}

#define FAIL(r, k)	"Status: failed\nReason: " r "\nNear-Keyword: '" k "'\n"
#define NOIF(k, v)	"Status: failed\nReason: interface-not-found\n" \
			"Near-Keyword: '" k "'\nArgument: '" v "'\n"

static void
test_selectors_ok(void)
{
	struct admin_selector sel;

	/* Empty, NULL and whitespace-only selectors select everything. */
	sel_ok("", &sel);
	INT_EQ(sel.has, 0, "empty: nothing set");
	admin_selector_clear(&sel);
	sel_ok("   \t ", &sel);
	INT_EQ(sel.has, 0, "blank: nothing set");
	admin_selector_clear(&sel);
	{
		struct admin_out out = { 0 };

		INT_EQ(admin_parse_selector(NULL, &lk, &sel, &out), 0,
		    "NULL args");
		INT_EQ(sel.has, 0, "NULL args: nothing set");
	}

	/* interface / iface / dev */
	by_name_calls = 0;
	sel_ok(" interface gre1", &sel);
	INT_EQ(sel.has, ADMIN_SEL_IFACE, "interface: flag");
	OK(sel.iface == &iface_gre1, "interface: gre1");
	INT_EQ(by_name_calls, 1, "interface: one lookup");
	STR_EQ(last_name, "gre1", "interface: name passed");
	admin_selector_clear(&sel);
	sel_ok("iface gre2", &sel);
	OK(sel.iface == &iface_gre2 && sel.has == ADMIN_SEL_IFACE, "iface");
	admin_selector_clear(&sel);
	sel_ok("dev gre1", &sel);
	OK(sel.iface == &iface_gre1 && sel.has == ADMIN_SEL_IFACE, "dev");
	admin_selector_clear(&sel);

	/* host / hostname */
	sel_ok(" host hub.example.net", &sel);
	INT_EQ(sel.has, ADMIN_SEL_HOST, "host: flag");
	STR_EQ(sel.hostname, "hub.example.net", "host: value");
	admin_selector_clear(&sel);
	OK(sel.hostname == NULL && sel.has == 0, "clear resets");
	sel_ok("hostname 1.2.3.4.example.com", &sel);
	STR_EQ(sel.hostname, "1.2.3.4.example.com", "hostname: value");
	admin_selector_clear(&sel);
	/* A host name is not validated as an address. */
	sel_ok("host not/an/address", &sel);
	STR_EQ(sel.hostname, "not/an/address", "host: any string");
	admin_selector_clear(&sel);

	/* protocol A[/len] */
	sel_ok(" protocol 10.1.2.3", &sel);
	INT_EQ(sel.has, ADMIN_SEL_PROTO, "protocol: flag");
	OK(addr_is(&sel.proto, "10.1.2.3"), "protocol: address");
	INT_EQ(sel.proto_prefix, 32, "protocol: omitted len = 32");
	admin_selector_clear(&sel);
	sel_ok("protocol 10.0.0.0/8", &sel);
	OK(addr_is(&sel.proto, "10.0.0.0"), "protocol/8: address");
	INT_EQ(sel.proto_prefix, 8, "protocol/8: len");
	admin_selector_clear(&sel);
	sel_ok("protocol 10.1.2.3/24", &sel);
	OK(addr_is(&sel.proto, "10.1.2.3"), "protocol/24: host bits kept");
	INT_EQ(sel.proto_prefix, 24, "protocol/24: len");
	admin_selector_clear(&sel);
	sel_ok("protocol 10.1.2.3/32", &sel);
	INT_EQ(sel.proto_prefix, 32, "protocol/32");
	admin_selector_clear(&sel);
	/* Fixed (spec 10.2 bug 21): /0 means everything, not /32. */
	sel_ok("protocol 0.0.0.0/0", &sel);
	INT_EQ(sel.has, ADMIN_SEL_PROTO, "protocol/0: flag");
	INT_EQ(sel.proto_prefix, 0, "protocol 0.0.0.0/0 is /0");
	admin_selector_clear(&sel);
	sel_ok("protocol 10.0.0.0/0", &sel);
	INT_EQ(sel.proto_prefix, 0, "protocol 10.0.0.0/0 is /0");
	admin_selector_clear(&sel);

	/* nbma: any /len ignored */
	sel_ok("nbma 203.0.113.3", &sel);
	INT_EQ(sel.has, ADMIN_SEL_NBMA, "nbma: flag");
	OK(addr_is(&sel.nbma, "203.0.113.3"), "nbma: address");
	admin_selector_clear(&sel);
	sel_ok("nbma 203.0.113.3/24", &sel);
	OK(addr_is(&sel.nbma, "203.0.113.3"), "nbma/len: len ignored");
	admin_selector_clear(&sel);

	/* local-protocol: chooses the interface */
	by_proto_calls = 0;
	sel_ok("local-protocol 10.255.255.2", &sel);
	INT_EQ(sel.has, ADMIN_SEL_IFACE | ADMIN_SEL_LOCAL_PROTO,
	    "local-protocol: flags");
	OK(sel.iface == &iface_gre1, "local-protocol: interface");
	OK(addr_is(&sel.local_proto, "10.255.255.2"), "local-protocol: addr");
	INT_EQ(by_proto_calls, 1, "local-protocol: one lookup");
	admin_selector_clear(&sel);

	/* local-nbma: filter, interface only when unambiguous */
	lnbma_unambiguous = false;
	by_lnbma_calls = 0;
	sel_ok("local-nbma 192.0.2.1", &sel);
	INT_EQ(sel.has, ADMIN_SEL_LOCAL_NBMA, "local-nbma: flag");
	OK(addr_is(&sel.local_nbma, "192.0.2.1"), "local-nbma: address");
	OK(sel.iface == NULL, "local-nbma ambiguous: no interface, no error");
	INT_EQ(by_lnbma_calls, 1, "local-nbma: inference tried");
	admin_selector_clear(&sel);
	lnbma_unambiguous = true;
	sel_ok("local-nbma 192.0.2.1", &sel);
	OK(sel.iface == &iface_gre2, "local-nbma unambiguous: interface");
	INT_EQ(sel.has, ADMIN_SEL_LOCAL_NBMA, "local-nbma: IFACE bit unset");
	admin_selector_clear(&sel);
	lnbma_unambiguous = false;

	/* Combinations (the racoon hook line). */
	sel_ok(" nbma 198.51.100.7 local-nbma 192.0.2.1", &sel);
	INT_EQ(sel.has, ADMIN_SEL_NBMA | ADMIN_SEL_LOCAL_NBMA,
	    "racoon selector flags");
	OK(addr_is(&sel.nbma, "198.51.100.7") &&
	    addr_is(&sel.local_nbma, "192.0.2.1"), "racoon selector values");
	admin_selector_clear(&sel);
	sel_ok("interface gre1 protocol 10.0.0.0/8 nbma 1.2.3.4 host h",
	    &sel);
	INT_EQ(sel.has, ADMIN_SEL_IFACE | ADMIN_SEL_PROTO | ADMIN_SEL_NBMA |
	    ADMIN_SEL_HOST, "four keywords");
	admin_selector_clear(&sel);
	/* Any whitespace separates words; trailing blanks are fine. */
	sel_ok("\tprotocol\t10.0.0.1 \t nbma\n1.2.3.4  \n", &sel);
	INT_EQ(sel.has, ADMIN_SEL_PROTO | ADMIN_SEL_NBMA,
	    "tab/newline separated");
	admin_selector_clear(&sel);

	/* A lookup table without callbacks: names are never found. */
	{
		struct admin_lookup none = { NULL, NULL, NULL, NULL };
		struct admin_out out = { 0 };

		INT_EQ(admin_parse_selector("local-nbma 1.2.3.4", &none, &sel,
		    &out), 0, "local-nbma without callback");
		OK(sel.iface == NULL, "no interface without callback");
		admin_selector_clear(&sel);
		INT_EQ(admin_parse_selector("dev gre1", &none, &sel, &out),
		    -1, "dev without callback: not found");
		STR_EQ(out.buf, NOIF("dev", "gre1"),
		    "dev without callback reply");
		admin_out_free(&out);
	}
}

static void
test_selectors_err(void)
{
	/* missing-argument */
	sel_err("nbma", FAIL("missing-argument", "nbma"));
	sel_err(" protocol   ", FAIL("missing-argument", "protocol"));
	sel_err("interface", FAIL("missing-argument", "interface"));
	sel_err("host", FAIL("missing-argument", "host"));
	sel_err("x", FAIL("missing-argument", "x"));
	sel_err("nbma 1.2.3.4 dev", FAIL("missing-argument", "dev"));

	/* invalid-address: before the keyword is validated */
	sel_err("foo bar", FAIL("invalid-address", "foo"));
	sel_err("protocol bar", FAIL("invalid-address", "protocol"));
	sel_err("nbma 1.2.3", FAIL("invalid-address", "nbma"));
	sel_err("nbma 1.2.3.256", FAIL("invalid-address", "nbma"));
	sel_err("nbma 1.2.3.4x", FAIL("invalid-address", "nbma"));
	sel_err("nbma 1.2.3.4.example.com", FAIL("invalid-address", "nbma"));
	sel_err("protocol 10.0.0.0/33", FAIL("invalid-address", "protocol"));
	sel_err("protocol 10.0.0.0/", FAIL("invalid-address", "protocol"));
	sel_err("protocol 10.0.0.0/8x", FAIL("invalid-address", "protocol"));
	sel_err("local-protocol gre1",
	    FAIL("invalid-address", "local-protocol"));
	sel_err("local-nbma ::zz", FAIL("invalid-address", "local-nbma"));
	sel_err("Protocol nope", FAIL("invalid-address", "Protocol"));

	/* syntax-error: unknown keyword with a valid address */
	sel_err("foo 1.2.3.4", FAIL("syntax-error", "foo"));
	sel_err("x 10.0.0.0/8", FAIL("syntax-error", "x"));
	/* keywords are case-sensitive */
	sel_err("NBMA 1.2.3.4", FAIL("syntax-error", "NBMA"));
	sel_err("Interface 1.2.3.4", FAIL("syntax-error", "Interface"));
	sel_err("protocol 10.0.0.1 Host 1.2.3.4", FAIL("syntax-error", "Host"));
	sel_err("protocol 10.0.0.1 Host name",
	    FAIL("invalid-address", "Host"));

	/* conflicting-keyword: repeats */
	sel_err("nbma 1.2.3.4 nbma 1.2.3.5",
	    FAIL("conflicting-keyword", "nbma"));
	sel_err("protocol 10.0.0.1 protocol 10.0.0.2",
	    FAIL("conflicting-keyword", "protocol"));
	sel_err("host a hostname b", FAIL("conflicting-keyword", "hostname"));
	sel_err("host a host a", FAIL("conflicting-keyword", "host"));
	sel_err("interface gre1 dev gre2", FAIL("conflicting-keyword", "dev"));
	sel_err("iface gre1 iface gre1", FAIL("conflicting-keyword", "iface"));
	sel_err("local-protocol 10.255.255.2 local-protocol 10.255.255.2",
	    FAIL("conflicting-keyword", "local-protocol"));
	sel_err("local-nbma 1.2.3.4 local-nbma 1.2.3.4",
	    FAIL("conflicting-keyword", "local-nbma"));
	/* conflicting-keyword: interface together with local-* */
	sel_err("interface gre1 local-protocol 10.255.255.2",
	    FAIL("conflicting-keyword", "local-protocol"));
	sel_err("local-protocol 10.255.255.2 interface gre1",
	    FAIL("conflicting-keyword", "interface"));
	sel_err("dev gre1 local-nbma 1.2.3.4",
	    FAIL("conflicting-keyword", "local-nbma"));
	sel_err("local-nbma 1.2.3.4 dev gre1",
	    FAIL("conflicting-keyword", "dev"));
	sel_err("local-nbma 1.2.3.4 local-protocol 10.255.255.2",
	    FAIL("conflicting-keyword", "local-protocol"));
	sel_err("local-protocol 10.255.255.2 local-nbma 1.2.3.4",
	    FAIL("conflicting-keyword", "local-nbma"));
	/* The repeat is detected even with a bad interface name second,
	 * and before the lookup. */
	by_name_calls = 0;
	sel_err("dev gre1 dev nosuch", FAIL("conflicting-keyword", "dev"));
	INT_EQ(by_name_calls, 1, "conflict checked before lookup");
	/* invalid-address comes before conflict for address keywords */
	sel_err("nbma 1.2.3.4 nbma bad", FAIL("invalid-address", "nbma"));

	/* interface-not-found, with the 4th line */
	sel_err("interface gre9", NOIF("interface", "gre9"));
	sel_err("iface eth0", NOIF("iface", "eth0"));
	sel_err("dev x", NOIF("dev", "x"));
	sel_err("local-protocol 10.9.9.9", NOIF("local-protocol", "10.9.9.9"));
	sel_err("local-protocol 10.9.9.9/24",
	    NOIF("local-protocol", "10.9.9.9/24"));
	sel_err("nbma 1.2.3.4 dev gre0", NOIF("dev", "gre0"));
	/* No 63-byte word limit. */
	{
		char args[300], want[600];

		snprintf(args, sizeof(args), "dev %0200d", 7);
		snprintf(want, sizeof(want), NOIF("dev", "%0200d"), 7);
		sel_err(args, want);
		INT_EQ(strlen(last_name), 200, "long name passed whole");
	}
	/* An error after a successful host frees it (no leak under ASan). */
	sel_err("host foo nbma 1.2.3.4 nbma 1.2.3.4",
	    FAIL("conflicting-keyword", "nbma"));
	/* Parsing stops at the first error. */
	sel_err("foo 1.2.3.4 bar", FAIL("syntax-error", "foo"));
}

static void
test_update_nbma(void)
{
	struct nhrp_addr nbma, proto;
	struct admin_out out = { 0 };

	INT_EQ(admin_parse_update_nbma(" 192.0.2.1 10.255.255.1", &nbma,
	    &proto, &out), 0, "update nbma ok");
	OK(addr_is(&nbma, "192.0.2.1") && addr_is(&proto, "10.255.255.1"),
	    "update nbma values");
	INT_EQ(out.len, 0, "update nbma: no output");

	INT_EQ(admin_parse_update_nbma("", &nbma, &proto, &out), -1,
	    "update nbma: nothing");
	STR_EQ(out.buf, FAIL("syntax-error", ""), "update nbma: no word");
	admin_out_reset(&out);
	INT_EQ(admin_parse_update_nbma(" 192.0.2.1", &nbma, &proto, &out),
	    -1, "update nbma: one word");
	STR_EQ(out.buf, FAIL("syntax-error", "192.0.2.1"),
	    "update nbma: last word read");
	admin_out_reset(&out);
	INT_EQ(admin_parse_update_nbma(" bad 10.0.0.1", &nbma, &proto, &out),
	    -1, "update nbma: bad nbma");
	STR_EQ(out.buf, FAIL("syntax-error", "bad"), "update nbma: bad nbma");
	admin_out_reset(&out);
	INT_EQ(admin_parse_update_nbma(" 1.2.3.4 bad", &nbma, &proto, &out),
	    -1, "update nbma: bad proto");
	STR_EQ(out.buf, FAIL("syntax-error", "bad"),
	    "update nbma: bad proto reply");
	OK(nhrp_addr_is_unspec(&nbma), "update nbma: cleared on failure");
	admin_out_free(&out);
}

static void
test_redirect_purge(void)
{
	struct nhrp_addr a;
	struct admin_out out = { 0 };
	unsigned plen;

	INT_EQ(admin_parse_redirect_purge("", &a, &plen, &out), 0,
	    "redirect purge: all");
	INT_EQ(admin_parse_redirect_purge("  ", &a, &plen, &out), 0,
	    "redirect purge: blank = all");
	INT_EQ(admin_parse_redirect_purge(" 10.1.2.3", &a, &plen, &out), 1,
	    "redirect purge: address");
	OK(addr_is(&a, "10.1.2.3"), "redirect purge: value");
	INT_EQ(plen, 32, "redirect purge: default /32");
	INT_EQ(admin_parse_redirect_purge(" 10.0.0.0/8", &a, &plen, &out), 1,
	    "redirect purge: prefix");
	INT_EQ(plen, 8, "redirect purge: /8");
	INT_EQ(admin_parse_redirect_purge(" 0.0.0.0/0", &a, &plen, &out), 1,
	    "redirect purge: /0");
	INT_EQ(plen, 0, "redirect purge: /0 kept");
	INT_EQ(out.len, 0, "redirect purge: no output");
	INT_EQ(admin_parse_redirect_purge(" zzz", &a, &plen, &out), -1,
	    "redirect purge: bad");
	STR_EQ(out.buf, FAIL("invalid-address", "zzz"),
	    "redirect purge: invalid-address reply");
	admin_out_free(&out);
}

int
main(void)
{
	test_commands();
	test_replies();
	test_selectors_ok();
	test_selectors_err();
	test_update_nbma();
	test_redirect_purge();
	return tap_done();
}
