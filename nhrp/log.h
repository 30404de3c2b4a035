/*
 * log.h - logging: syslog (ident "opennhrp", facility daemon, with pid),
 * mirrored to stderr while running in the foreground.
 */
#ifndef NHRP_LOG_H
#define NHRP_LOG_H

#include <stdarg.h>

void	log_init(int foreground, int verbose);
void	log_setverbose(int);
int	log_getverbose(void);
int	log_debug_enabled(void);	/* log_debug() would print: format args only then */
unsigned long log_dropped(void);	/* syslog lines dropped (socket full) */
void	log_stderr(int);	/* stop/start the stderr copy (daemonize) */
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_notice(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
/*
 * Without -v a debug line costs one call: its arguments (addresses to
 * format) are not even evaluated.
 */
#define log_debug(...)							\
	(log_debug_enabled() ? (log_debug)(__VA_ARGS__) : (void)0)
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));	/* + strerror(errno) */
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_error(const char *, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
