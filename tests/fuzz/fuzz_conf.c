/*
 * fuzz_conf.c - libFuzzer target: opennhrp.conf parser on arbitrary bytes.
 *
 * Besides not crashing, a file that parses must print in a canonical form
 * that parses back to an equal tree and prints the same again.  With
 * FUZZ_REPLAY_MAIN it is a TAP test that replays the committed corpus
 * (tests/fuzz/corpus/conf) without libFuzzer.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nhrp/conf.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char *
print(const struct nhrp_conf *c, size_t *len)
{
	char *out = NULL;
	FILE *f;

	if ((f = open_memstream(&out, len)) == NULL)
		abort();
	conf_print(f, c);
	if (fclose(f) != 0)
		abort();
	return out;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nhrp_conf *c, *c2;
	char *out, *out2;
	size_t len, len2;

	c = conf_parse_buffer("fuzz", (const char *)data, size, NULL, NULL);
	if (c == NULL)
		return 0;
	(void)conf_warnings(c, NULL, NULL);
	out = print(c, &len);
	c2 = conf_parse_buffer("canonical", out, len, NULL, NULL);
	if (c2 == NULL || !conf_equal(c, c2))
		abort();		/* the canonical form must read back */
	out2 = print(c2, &len2);
	if (len != len2 || memcmp(out, out2, len) != 0)
		abort();		/* and be a fixed point */
	free(out);
	free(out2);
	conf_free(c2);
	conf_free(c);
	return 0;
}

#ifdef FUZZ_REPLAY_MAIN
#include <dirent.h>

static int
replay(const char *path)
{
	FILE *f;
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if ((f = fopen(path, "rb")) == NULL)
		return -1;
	do {
		if (len == cap) {
			cap = cap ? cap * 2 : 4096;
			if ((buf = realloc(buf, cap)) == NULL)
				abort();
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	fclose(f);
	LLVMFuzzerTestOneInput((const uint8_t *)buf, len);
	free(buf);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *top = getenv("top_srcdir");
	char dir[4096], path[8192];
	struct dirent **ents;
	int i, n, count = 0, failed = 0;

	if (argc > 1)
		snprintf(dir, sizeof(dir), "%s", argv[1]);
	else
		snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/conf",
		    top != NULL ? top : ".");
	if ((n = scandir(dir, &ents, NULL, alphasort)) < 0) {
		printf("not ok 1 - corpus %s\n1..1\n", dir);
		return 1;
	}
	for (i = 0; i < n; i++) {
		if (ents[i]->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", dir,
			    ents[i]->d_name);
			/* a crash or abort() fails the whole test */
			if (replay(path) == 0)
				printf("ok %d - %s\n", ++count, ents[i]->d_name);
			else {
				printf("not ok %d - %s\n", ++count,
				    ents[i]->d_name);
				failed++;
			}
		}
		free(ents[i]);
	}
	free(ents);
	if (count == 0) {
		printf("not ok 1 - empty corpus %s\n", dir);
		count = failed = 1;
	}
	printf("1..%d\n", count);
	return failed != 0;
}
#endif
