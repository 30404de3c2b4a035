/*
 * driver.c - replays inputs through a libFuzzer target without libFuzzer.
 *
 * Link it with one file that defines LLVMFuzzerTestOneInput().  Every
 * input is passed in an exact-size malloc() copy, so sanitizers see any
 * read past its end.  Output is TAP, one line per input, so the replay is
 * a test for make check:
 *
 *	replay_X [FILE | DIR]...
 *
 * Directories are replayed in name order (dot files skipped).  Without
 * arguments the corpus is $FUZZ_CORPUS, or else
 * $top_srcdir/tests/fuzz/corpus/FUZZ_TARGET (FUZZ_TARGET is set at
 * compile time, e.g. -DFUZZ_TARGET='"packet"').  An empty corpus fails.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int ntests, nfailed;

static void
result(int ok, const char *path, const char *why)
{
	ntests++;
	if (!ok)
		nfailed++;
	printf("%sok %d - %s%s%s\n", ok ? "" : "not ", ntests, path,
	    why != NULL ? ": " : "", why != NULL ? why : "");
	fflush(stdout);
}

static void
run_file(const char *path)
{
	FILE *f;
	uint8_t *buf = NULL, *exact;
	size_t len = 0, cap = 0, n;

	if ((f = fopen(path, "rb")) == NULL) {
		result(0, path, strerror(errno));
		return;
	}
	for (;;) {
		if (len == cap) {
			cap = cap != 0 ? cap * 2 : 4096;
			if ((buf = realloc(buf, cap)) == NULL) {
				printf("Bail out! out of memory\n");
				exit(99);
			}
		}
		n = fread(buf + len, 1, cap - len, f);
		if (n == 0)
			break;
		len += n;
	}
	if (ferror(f)) {
		fclose(f);
		free(buf);
		result(0, path, "read error");
		return;
	}
	fclose(f);
	/* exact size: one byte more only for the empty input */
	if ((exact = malloc(len != 0 ? len : 1)) == NULL) {
		printf("Bail out! out of memory\n");
		exit(99);
	}
	if (len != 0)
		memcpy(exact, buf, len);
	free(buf);
	LLVMFuzzerTestOneInput(exact, len);	/* aborts on a failure */
	free(exact);
	result(1, path, NULL);
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
run_path(const char *path)
{
	struct stat st;
	struct dirent *de;
	char **names = NULL, *full;
	size_t n = 0, i, l;
	DIR *d;

	if (stat(path, &st) < 0) {
		result(0, path, strerror(errno));
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		run_file(path);
		return;
	}
	if ((d = opendir(path)) == NULL) {
		result(0, path, strerror(errno));
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if ((names = realloc(names, (n + 1) * sizeof(*names))) == NULL ||
		    (names[n] = strdup(de->d_name)) == NULL) {
			printf("Bail out! out of memory\n");
			exit(99);
		}
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_names);
	for (i = 0; i < n; i++) {
		l = strlen(path) + strlen(names[i]) + 2;
		if ((full = malloc(l)) == NULL) {
			printf("Bail out! out of memory\n");
			exit(99);
		}
		snprintf(full, l, "%s/%s", path, names[i]);
		run_path(full);
		free(full);
		free(names[i]);
	}
	free(names);
}

int
main(int argc, char **argv)
{
	char def[4096];
	const char *corpus, *srcdir;
	int i, before;

	if (argc > 1) {
		for (i = 1; i < argc; i++)
			run_path(argv[i]);
	} else {
		if ((corpus = getenv("FUZZ_CORPUS")) == NULL) {
#ifdef FUZZ_TARGET
			if ((srcdir = getenv("top_srcdir")) == NULL)
				srcdir = ".";
			snprintf(def, sizeof(def), "%s/tests/fuzz/corpus/%s",
			    srcdir, FUZZ_TARGET);
			corpus = def;
#else
			(void)srcdir;
			(void)def;
			fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
			return 2;
#endif
		}
		before = ntests;
		run_path(corpus);
		if (ntests == before)
			result(0, corpus, "empty corpus");
	}
	printf("1..%d\n", ntests);
	return nfailed != 0;
}
