// SPDX-License-Identifier: GPL-2.0
/*
 * What a statically linked tool answers instead of NSS.
 *
 * libnl looks protocols up by name and number (nl_str2ip_proto(),
 * nl_ip_proto2str()) and resolves addresses (nl_addr_info()) through
 * getprotobyname(), getprotobynumber() and getaddrinfo(). glibc answers
 * those through NSS (/etc/protocols, /etc/hosts, DNS), which a static
 * program cannot load, and its linker warns. The tool calls none of
 * them itself: it names tcp, udp and sctp and takes numeric addresses
 * only. These answer from the IANA numbers of the protocols a node's
 * traffic uses, and numeric addresses and ports, and fail for the rest
 * as glibc's do for a name it cannot find. Linked only with STATIC=1.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static const struct {
	const char *name;
	int number;
} protocols[] = {
	{ "ip", 0 }, { "icmp", 1 }, { "igmp", 2 }, { "ipencap", 4 },
	{ "tcp", 6 }, { "udp", 17 }, { "ipv6", 41 }, { "ipv6-route", 43 },
	{ "ipv6-frag", 44 }, { "gre", 47 }, { "esp", 50 }, { "ah", 51 },
	{ "ipv6-icmp", 58 }, { "ipv6-nonxt", 59 }, { "ipv6-opts", 60 },
	{ "sctp", 132 }, { "udplite", 136 },
};

static struct protoent *proto_entry(size_t i)
{
	static char *aliases[] = { NULL };
	static struct protoent e;

	e.p_name = (char *)protocols[i].name;
	e.p_aliases = aliases;
	e.p_proto = protocols[i].number;
	return &e;
}

struct protoent *getprotobyname(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(protocols) / sizeof(protocols[0]); i++)
		if (!strcmp(protocols[i].name, name))
			return proto_entry(i);
	return NULL;
}

struct protoent *getprotobynumber(int proto)
{
	size_t i;

	for (i = 0; i < sizeof(protocols) / sizeof(protocols[0]); i++)
		if (protocols[i].number == proto)
			return proto_entry(i);
	return NULL;
}

/* A numeric port, or -1. */
static int nss_port(const char *service)
{
	char *end;
	long v;

	if (!service)
		return 0;
	v = strtol(service, &end, 10);
	if (!*service || *end || v < 0 || v > 65535)
		return -1;
	return v;
}

int getaddrinfo(const char *node, const char *service,
		const struct addrinfo *hints, struct addrinfo **res)
{
	int family = hints ? hints->ai_family : AF_UNSPEC;
	struct sockaddr_storage ss = { 0 };
	struct addrinfo *ai;
	socklen_t len;
	int port;

	port = nss_port(service);
	if (!node || port < 0)
		return EAI_NONAME;
	if (family != AF_INET6 &&
	    inet_pton(AF_INET, node, &((struct sockaddr_in *)&ss)->sin_addr) == 1) {
		ss.ss_family = AF_INET;
		((struct sockaddr_in *)&ss)->sin_port = htons(port);
		len = sizeof(struct sockaddr_in);
	} else if (family != AF_INET &&
		   inet_pton(AF_INET6, node, &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1) {
		ss.ss_family = AF_INET6;
		((struct sockaddr_in6 *)&ss)->sin6_port = htons(port);
		len = sizeof(struct sockaddr_in6);
	} else {
		return EAI_NONAME;
	}
	ai = calloc(1, sizeof(*ai) + len);
	if (!ai)
		return EAI_MEMORY;
	ai->ai_family = ss.ss_family;
	ai->ai_socktype = hints ? hints->ai_socktype : 0;
	ai->ai_protocol = hints ? hints->ai_protocol : 0;
	ai->ai_addrlen = len;
	ai->ai_addr = (struct sockaddr *)(ai + 1);
	memcpy(ai->ai_addr, &ss, len);
	*res = ai;
	return 0;
}

void freeaddrinfo(struct addrinfo *res)
{
	struct addrinfo *next;

	for (; res; res = next) {
		next = res->ai_next;
		free(res);
	}
}
