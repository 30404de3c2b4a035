/*
 * fuzz_admin.c - libFuzzer target for the admin request language:
 * admin_parse_command, admin_parse_selector, admin_parse_update_nbma and
 * admin_parse_redirect_purge on arbitrary bytes, with stub lookups.  Any
 * broken invariant aborts.
 *
 * Built with FUZZ_REPLAY_MAIN it is a TAP test that replays the committed
 * corpus (tests/fuzz/corpus/admin, or the directories given as arguments)
 * without libFuzzer.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nhrp/admin.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int stub_iface;

static void *
by_name(void *arg, const char *name)
{
	return strcmp(name, "gre1") == 0 ? &stub_iface : NULL;
}

static void *
by_proto(void *arg, const struct nhrp_addr *a)
{
	return a->len > 0 && a->addr[0] == 10 ? &stub_iface : NULL;
}

static void *
by_local_nbma(void *arg, const struct nhrp_addr *a)
{
	return a->len > 0 && (a->addr[a->len - 1] & 1) ? &stub_iface : NULL;
}

static const struct admin_lookup lookup = {
	by_name, by_proto, by_local_nbma, NULL,
};

/* A failure reply is complete: status, reason, keyword, newline-ended. */
static void
check_failure(const struct admin_out *out, const char *reason)
{
	if (out->oom)
		return;
	if (out->buf == NULL || out->len != strlen(out->buf) ||
	    strncmp(out->buf, "Status: failed\nReason: ", 23) != 0 ||
	    strstr(out->buf, "\nNear-Keyword: '") == NULL ||
	    out->buf[out->len - 1] != '\n')
		abort();
	if (reason != NULL && strncmp(out->buf + 23, reason,
	    strlen(reason)) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct admin_selector sel;
	struct admin_out out = { 0 };
	struct nhrp_addr a, b;
	enum admin_cmd cmd;
	const char *args;
	unsigned plen;
	char *req;
	int rc;

	if ((req = malloc(size + 1)) == NULL)
		return 0;
	memcpy(req, data, size);
	req[size] = '\0';

	cmd = admin_parse_command(req, &args);
	if (cmd == ADMIN_CMD_NONE) {
		if (args != NULL)
			abort();
		args = req;	/* still feed everything to the parsers */
	} else {
		if (args == NULL || args < req || args > req + strlen(req))
			abort();
		if (req[0] == ' ' || req[0] == '\0')
			abort();
	}

	rc = admin_parse_selector(args, &lookup, &sel, &out);
	if (rc == 0) {
		if (out.len != 0 || out.oom)
			abort();
		if (((sel.has & ADMIN_SEL_HOST) != 0) != (sel.hostname != NULL))
			abort();
		if ((sel.has & ADMIN_SEL_PROTO) &&
		    sel.proto_prefix > nhrp_afn_maxprefix(sel.proto.afn))
			abort();
		if ((sel.has & ADMIN_SEL_IFACE) && sel.iface != &stub_iface)
			abort();
		if ((sel.has & ADMIN_SEL_IFACE) &&
		    (sel.has & ADMIN_SEL_LOCAL_NBMA))
			abort();
	} else if (rc == -1) {
		check_failure(&out, NULL);
		if (sel.has != 0 || sel.hostname != NULL)
			abort();
	} else
		abort();
	admin_selector_clear(&sel);

	admin_out_reset(&out);
	rc = admin_parse_update_nbma(args, &a, &b, &out);
	if (rc == 0 && (out.len != 0 || a.len == 0 || b.len == 0))
		abort();
	if (rc == -1)
		check_failure(&out, "syntax-error\n");

	admin_out_reset(&out);
	rc = admin_parse_redirect_purge(args, &a, &plen, &out);
	if (rc == 1 && (out.len != 0 || a.len == 0 ||
	    plen > nhrp_afn_maxprefix(a.afn)))
		abort();
	if (rc == -1)
		check_failure(&out, "invalid-address\n");
	if (rc < -1 || rc > 1)
		abort();

	admin_out_free(&out);
	free(req);
	return 0;
}

#ifdef FUZZ_REPLAY_MAIN
#include <dirent.h>

static int count, failed;

static void
replay_file(const char *path)
{
	FILE *f;
	char *buf = NULL, *nb;
	size_t len = 0, cap = 0, n;

	count++;
	if ((f = fopen(path, "rb")) == NULL) {
		failed++;
		printf("not ok %d - %s: cannot open\n", count, path);
		return;
	}
	for (;;) {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 8192;
			if ((nb = realloc(buf, cap)) == NULL)
				abort();
			buf = nb;
		}
		if ((n = fread(buf + len, 1, cap - len, f)) == 0)
			break;
		len += n;
	}
	fclose(f);
	/* An exact-size copy, so ASan sees reads past the end. */
	if ((nb = malloc(len ? len : 1)) == NULL)
		abort();
	memcpy(nb, buf, len);
	free(buf);
	LLVMFuzzerTestOneInput((const uint8_t *)nb, len);
	free(nb);
	printf("ok %d - %s\n", count, path);
	fflush(stdout);
}

static void
replay_dir(const char *dir)
{
	struct dirent **ents;
	char path[4096];
	int i, n;

	if ((n = scandir(dir, &ents, NULL, alphasort)) < 0) {
		printf("Bail out! cannot read %s\n", dir);
		exit(1);
	}
	for (i = 0; i < n; i++) {
		if (ents[i]->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", dir,
			    ents[i]->d_name);
			replay_file(path);
		}
		free(ents[i]);
	}
	free(ents);
}

int
main(int argc, char **argv)
{
	const char *top = getenv("top_srcdir");
	char dir[4096];
	int i;

	if (argc > 1)
		for (i = 1; i < argc; i++)
			replay_dir(argv[i]);
	else {
		snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/admin",
		    top != NULL ? top : ".");
		replay_dir(dir);
	}
	printf("1..%d\n", count);
	return failed ? 1 : 0;
}
#endif
