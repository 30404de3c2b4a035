/*
 * log.c - syslog logging with an optional stderr copy.
 *
 * Own syslog client instead of glibc's syslog(): glibc tries to connect
 * to /dev/log on every message while no syslogd listens (socket +
 * connect + close per line, a third of a busy hub's CPU).  Here the
 * connection is made lazily and a failed one is retried at most every
 * LOG_RETRY seconds.  Sends never block: when the socket is full the
 * message is dropped and counted (a line reports the count once the
 * socket drains).  The wire format is glibc's: "<PRI>Mmm dd hh:mm:ss
 * opennhrp[PID]: message", facility daemon, no trailing newline
 * (a NUL terminates each message on a stream socket).
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define LOG_IDENT	"opennhrp"
#define LOG_PATH	"/dev/log"
#define LOG_RETRY	5.0	/* s between connection attempts */
#define LOG_BUFSZ	2048

static int log_verbose;
static int log_to_stderr = 1;

static int log_fd = -1;
static int log_stream;		/* log_fd is SOCK_STREAM */
static int log_tried;		/* a connection attempt was made */
static double log_last_try;	/* monotonic time of the last attempt */
static unsigned long log_drops, log_drops_reported;
static pid_t log_pid;
static time_t log_stamp_sec = (time_t)-1;

static void
log_atfork_child(void)
{
	log_pid = 0;
}

void
log_init(int foreground, int verbose)
{
	static int atfork;

	log_verbose = verbose;
	log_to_stderr = foreground;
	if (!atfork) {
		atfork = 1;
		pthread_atfork(NULL, NULL, log_atfork_child);
	}
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

int
log_debug_enabled(void)
{
	return log_verbose != 0;
}

unsigned long
log_dropped(void)
{
	return log_drops;
}

void
log_stderr(int on)
{
	log_to_stderr = on;
	log_pid = 0;
}

static double
log_mono(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0.;
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
log_disconnect(void)
{
	if (log_fd >= 0)
		close(log_fd);
	log_fd = -1;
}

/* one attempt, DGRAM first (EPROTOTYPE: the listener is a stream) */
static int
log_connect(void)
{
	struct sockaddr_un sun;
	int fd, type = SOCK_DGRAM;

	log_tried = 1;
	log_last_try = log_mono();
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strncpy(sun.sun_path, LOG_PATH, sizeof(sun.sun_path) - 1);
	for (;;) {
		fd = socket(AF_UNIX, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (fd < 0)
			return -1;
		if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
			break;
		close(fd);
		if (errno != EPROTOTYPE || type == SOCK_STREAM)
			return -1;
		type = SOCK_STREAM;
	}
	log_fd = fd;
	log_stream = type == SOCK_STREAM;
	return 0;
}

/* 0 sent, 1 dropped (full), -1 connection broken */
static int
log_send(const char *buf, size_t len)
{
	ssize_t n;

	if (log_stream)
		len++;		/* the NUL terminates it */
	n = send(log_fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (n == (ssize_t)len)
		return 0;
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
	    errno == ENOBUFS || errno == EINTR))
		return 1;
	/* broken, or a partial stream write: the framing is lost */
	return -1;
}

/*
 * "<PRI>" then "Mmm dd hh:mm:ss opennhrp[PID]: ", the latter rebuilt
 * only when the second or the pid changes.
 */
static size_t
log_header(char *buf, size_t size, int pri)
{
	static char hdr[80];
	static size_t hdrlen;
	static pid_t hdrpid;
	struct tm tm;
	time_t now = time(NULL);
	char stamp[32];
	unsigned v = (unsigned)(pri | LOG_DAEMON);
	size_t n = 0;
	int r;

	if (log_pid == 0)
		log_pid = getpid();
	if (now != log_stamp_sec || log_pid != hdrpid) {
		log_stamp_sec = now;
		hdrpid = log_pid;
		if (localtime_r(&now, &tm) == NULL ||
		    strftime(stamp, sizeof(stamp), "%h %e %T ", &tm) == 0)
			stamp[0] = '\0';
		r = snprintf(hdr, sizeof(hdr), "%s" LOG_IDENT "[%d]: ",
		    stamp, (int)log_pid);
		hdrlen = r < 0 ? 0 : (size_t)r;
	}
	if (size < hdrlen + 8)
		return 0;
	buf[n++] = '<';
	if (v >= 100)
		buf[n++] = (char)('0' + v / 100 % 10);
	if (v >= 10)
		buf[n++] = (char)('0' + v / 10 % 10);
	buf[n++] = (char)('0' + v % 10);
	buf[n++] = '>';
	memcpy(buf + n, hdr, hdrlen);
	return n + hdrlen;
}

/* worth formatting for syslogd: connected, or time to try again */
static int
log_syslog_wanted(void)
{
	return log_fd >= 0 || !log_tried ||
	    log_mono() - log_last_try >= LOG_RETRY;
}

static void log_emit(int, const char *, ...)
    __attribute__((format(printf, 2, 3)));

/* hands one formatted line (header + message, len bytes) to syslogd */
static void
log_write(char *buf, size_t len)
{
	int r;

	if (log_fd < 0 && log_connect() != 0)
		return;		/* no syslogd: dropped silently, like syslog(3) */
	r = log_send(buf, len);
	if (r < 0) {
		/* syslogd restarted: reconnect at once, once */
		log_disconnect();
		if (log_connect() != 0)
			return;
		r = log_send(buf, len);
		if (r < 0) {
			log_disconnect();
			return;
		}
	}
	if (r > 0) {
		log_drops++;
		return;
	}
	if (log_drops != log_drops_reported) {
		unsigned long d = log_drops - log_drops_reported;

		log_drops_reported = log_drops;
		log_emit(LOG_WARNING, "%lu log messages dropped (syslog "
		    "socket full)", d);
	}
}

static void vlog(int, const char *, va_list) __attribute__((format(printf, 2, 0)));

/* formats once for both stderr and syslogd */
static void
vlog(int pri, const char *fmt, va_list ap)
{
	char buf[LOG_BUFSZ];
	va_list ap2;
	size_t off = 0, room;
	int n, sys, saved = errno;

	sys = log_syslog_wanted();
	if (!sys && !log_to_stderr)
		goto out;
	if (sys)
		off = log_header(buf, sizeof(buf), pri);
	room = sizeof(buf) - off;
	va_copy(ap2, ap);
	n = vsnprintf(buf + off, room, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		goto out;
	if (log_to_stderr) {
		if ((size_t)n < room) {
			buf[off + (size_t)n] = '\n';
			fwrite(buf + off, 1, (size_t)n + 1, stderr);
			buf[off + (size_t)n] = '\0';
		} else {
			/* too long for the buffer: stderr gets it whole */
			vfprintf(stderr, fmt, ap);
			fputc('\n', stderr);
		}
		fflush(stderr);
	}
	if (sys) {
		if ((size_t)n >= room)
			n = (int)(room - 1);
		log_write(buf, off + (size_t)n);
	}
out:
	errno = saved;
}

static void
log_emit(int pri, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(pri, fmt, ap);
	va_end(ap);
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
(log_debug)(const char *fmt, ...)
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
	log_emit(pri, "%s: %s", buf, strerror(err));
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
