/*
 * log.c - syslog logging with an optional stderr copy.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "log.h"

static int log_verbose;
static int log_to_stderr = 1;

void
log_init(int foreground, int verbose)
{
	log_verbose = verbose;
	log_to_stderr = foreground;
	openlog("opennhrp", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_setverbose(int v)
{
	log_verbose = v;
}

int
log_getverbose(void)
{
	return log_verbose;
}

void
log_stderr(int on)
{
	log_to_stderr = on;
}

static void vlog(int, const char *, va_list) __attribute__((format(printf, 2, 0)));

static void
vlog(int pri, const char *fmt, va_list ap)
{
	va_list ap2;
	int saved = errno;

	if (log_to_stderr) {
		va_copy(ap2, ap);
		vfprintf(stderr, fmt, ap2);
		fputc('\n', stderr);
		fflush(stderr);
		va_end(ap2);
	}
	vsyslog(pri, fmt, ap);
	errno = saved;
}

#define LOGFN(name, pri)				\
void							\
name(const char *fmt, ...)				\
{							\
	va_list ap;					\
	va_start(ap, fmt);				\
	vlog(pri, fmt, ap);				\
	va_end(ap);					\
}
LOGFN(log_info, LOG_INFO)
LOGFN(log_notice, LOG_NOTICE)
LOGFN(log_warnx, LOG_WARNING)
LOGFN(log_error, LOG_ERR)

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!log_verbose)
		return;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap);
	va_end(ap);
}

static void vlog_errno(int, int, const char *, va_list)
    __attribute__((format(printf, 3, 0)));

static void
vlog_errno(int pri, int err, const char *fmt, va_list ap)
{
	char buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (log_to_stderr)
		fprintf(stderr, "%s: %s\n", buf, strerror(err));
	syslog(pri, "%s: %s", buf, strerror(err));
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	vlog_errno(LOG_WARNING, saved, fmt, ap);
	va_end(ap);
	errno = saved;
}

void
fatal(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	vlog_errno(LOG_CRIT, saved, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap);
	va_end(ap);
	exit(1);
}
