/*
 * tap.h - a tiny TAP test helper for opennhrp-ng unit tests.
 *
 * Every check prints one "ok N - name" / "not ok N - name" line; a failed
 * check also prints file:line and both values as TAP diagnostics.  Never
 * uses assert(): checks stay active with NDEBUG.
 */
#ifndef NHRP_TAP_H
#define NHRP_TAP_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_count, tap_failed;

static void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2), unused));
static void
tap_diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
}

static int tap_ok(int cond, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5), unused));
static int
tap_ok(int cond, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	tap_count++;
	printf("%sok %d - ", cond ? "" : "not ", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	if (!cond) {
		tap_failed++;
		printf("#   failed at %s:%d\n", file, line);
	}
	fflush(stdout);
	return cond;
}

static void tap_hexdump(const char *what, const void *p, size_t len)
    __attribute__((unused));
static void
tap_hexdump(const char *what, const void *p, size_t len)
{
	const unsigned char *b = p;
	size_t i;

	printf("#   %s (%zu bytes):", what, len);
	for (i = 0; i < len; i++)
		printf("%s%02x", (i % 16) == 0 ? "\n#     " : " ", b[i]);
	printf("\n");
}

static int tap_done(void) __attribute__((unused));
static int
tap_done(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}

#define OK(cond, ...)	tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

#define INT_EQ(a, b, ...) do {						\
	intmax_t a_ = (intmax_t)(a), b_ = (intmax_t)(b);		\
	if (!tap_ok(a_ == b_, __FILE__, __LINE__, __VA_ARGS__))		\
		printf("#   %s = %jd, expected %s = %jd\n",		\
		    #a, a_, #b, b_);					\
} while (0)

#define STR_EQ(a, b, ...) do {						\
	const char *a_ = (a), *b_ = (b);				\
	int eq_ = a_ != NULL && b_ != NULL && strcmp(a_, b_) == 0;	\
	if (!tap_ok(eq_, __FILE__, __LINE__, __VA_ARGS__))		\
		printf("#   %s = \"%s\"\n#   expected \"%s\"\n", #a,	\
		    a_ ? a_ : "(null)", b_ ? b_ : "(null)");		\
} while (0)

#define MEM_EQ(a, alen, b, blen, ...) do {				\
	const void *a_ = (a), *b_ = (b);				\
	size_t al_ = (alen), bl_ = (blen);				\
	int eq_ = al_ == bl_ && (al_ == 0 || memcmp(a_, b_, al_) == 0);	\
	if (!tap_ok(eq_, __FILE__, __LINE__, __VA_ARGS__)) {		\
		tap_hexdump(#a, a_, al_);				\
		tap_hexdump("expected " #b, b_, bl_);			\
	}								\
} while (0)

#endif
