/*
 * server.h - NHS role: registrations in progress wait for their entry.
 */
#ifndef NHRP_SERVER_H
#define NHRP_SERVER_H

struct srv_reg;
struct nhrp_peer;

#define SERVER_RESULT_OK		0	/* entry up: code 0 */
#define SERVER_RESULT_DROP		1	/* peer-up failed: code 4 */
#define SERVER_RESULT_NO_RESOURCES	2	/* neighbour not installed: code 5 */
#define SERVER_RESULT_GONE		3	/* entry removed meanwhile: code 5 */

void	server_peer_result(struct srv_reg *, struct nhrp_peer *, int result);
size_t	server_pending(void);

#endif
