/*
 * ctl.h - the admin command handlers of the daemon.
 */
#ifndef NHRP_CTL_H
#define NHRP_CTL_H

#include "admin.h"

extern const struct admin_lookup ctl_lookup;
void	ctl_handler(void *arg, enum admin_cmd, const char *args,
	    struct admin_out *out);

#endif
