// SPDX-License-Identifier: GPL-2.0
/*
 * udpflood: a small-packet UDP generator and counter for benchmarks
 * (iperf3's UDP mode tops out near 2 kpps in the test VM).
 *
 *   udpflood send DST PORT SECONDS [SIZE [FLOWS [SPORT]]]
 *                                           sendmmsg() in batches of 64,
 *                                           FLOWS sockets, up to 4096
 *                                           (source ports,
 *                                           SPORT, SPORT+1, ... if given)
 *                                           taking turns
 *   udpflood recv ADDR PORT SECONDS         count what arrives for SECONDS
 *                                           after the first packet
 *   udpflood fill DST PORT SOCKETS PORTS    one packet from each of SOCKETS
 *                                           sockets to each of PORTS ports
 *                                           (PORT, PORT+1, ...): that many
 *                                           flows for a flow table
 * IPv4 or IPv6. Prints "<packets> packets <pps> pps".
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* SOCKETS x PORTS flows, one packet each; prints the packets sent. */
static int fill(int family, struct sockaddr *addr, socklen_t alen, int port,
		int sockets, int ports)
{
	static struct sockaddr_storage to[BATCH];
	static char payload[18];
	struct mmsghdr msgs[BATCH];
	struct iovec iov = { .iov_base = payload, .iov_len = sizeof(payload) };
	unsigned long long sent = 0;
	int s, p, i, n, fd;

	if (sockets < 1 || ports < 1 || port < 1 || port + ports - 1 > 65535)
		return 2;
	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < BATCH; i++) {
		memcpy(&to[i], addr, alen);
		msgs[i].msg_hdr.msg_name = &to[i];
		msgs[i].msg_hdr.msg_namelen = alen;
		msgs[i].msg_hdr.msg_iov = &iov;
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	for (s = 0; s < sockets; s++) {
		fd = socket(family, SOCK_DGRAM, 0);
		if (fd < 0)
			return 1;
		for (p = 0; p < ports; p += n) {
			int k = ports - p < BATCH ? ports - p : BATCH;

			for (i = 0; i < k; i++) {
				in_port_t dport = htons(port + p + i);

				if (family == AF_INET6)
					((struct sockaddr_in6 *)&to[i])->sin6_port = dport;
				else
					((struct sockaddr_in *)&to[i])->sin_port = dport;
			}
			n = sendmmsg(fd, msgs, k, 0);
			if (n <= 0) {
				/* a full queue: let it drain */
				usleep(1000);
				n = 0;
			}
			sent += n;
		}
		close(fd);
	}
	printf("%llu packets\n", sent);
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in6 sa6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct sockaddr *addr = (struct sockaddr *)&sa;
	socklen_t alen = sizeof(sa);
	int family = AF_INET, sport = 0;
	static char buf[BATCH][2048];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	unsigned long long count = 0;
	double secs, start, end;
	static int fds[4096];
	int fd, i, size = 18, n, nflows = 1;

	if (argc < 5) {
		fprintf(stderr, "usage: udpflood send|recv ADDR PORT SECONDS [SIZE]\n");
		return 2;
	}
	if (inet_pton(AF_INET6, argv[2], &sa6.sin6_addr) == 1) {
		family = AF_INET6;
		addr = (struct sockaddr *)&sa6;
		alen = sizeof(sa6);
	} else if (inet_pton(AF_INET, argv[2], &sa.sin_addr) != 1) {
		return 2;
	}
	sa.sin_port = htons(atoi(argv[3]));
	sa6.sin6_port = sa.sin_port;
	if (!strcmp(argv[1], "fill"))
		return fill(family, addr, alen, atoi(argv[3]), argc > 5 ?
			    atoi(argv[4]) : 0, argc > 5 ? atoi(argv[5]) : 0);
	secs = atof(argv[4]);
	if (argc > 5)
		size = atoi(argv[5]);
	if (argc > 6)
		nflows = atoi(argv[6]);
	if (argc > 7)
		sport = atoi(argv[7]);
	if (nflows < 1 || nflows > 4096)
		return 2;
	fd = socket(family, SOCK_DGRAM, 0);
	if (fd < 0)
		return 1;
	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < BATCH; i++) {
		iov[i].iov_base = buf[i];
		iov[i].iov_len = !strcmp(argv[1], "send") ? (size_t)size : sizeof(buf[i]);
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}

	if (!strcmp(argv[1], "send")) {
		fds[0] = fd;
		for (i = 1; i < nflows; i++) {
			fds[i] = socket(family, SOCK_DGRAM, 0);
			if (fds[i] < 0)
				return 1;
		}
		for (i = 0; i < nflows; i++) {
			if (sport) {
				struct sockaddr_in6 b6 = { .sin6_family = AF_INET6 };
				struct sockaddr_in b4 = { .sin_family = AF_INET };

				b4.sin_port = htons(sport + i);
				b6.sin6_port = b4.sin_port;
				if (bind(fds[i], family == AF_INET6 ?
					 (struct sockaddr *)&b6 : (struct sockaddr *)&b4,
					 family == AF_INET6 ? sizeof(b6) : sizeof(b4)))
					return 1;
			}
			if (connect(fds[i], addr, alen))
				return 1;
		}
		start = now();
		end = start + secs;
		for (i = 0; now() < end; i = (i + 1) % nflows) {
			n = sendmmsg(fds[i], msgs, BATCH, 0);
			if (n > 0)
				count += n;
		}
		printf("%llu packets %.0f pps\n", count, count / (now() - start));
		return 0;
	}

	{
		int rcvbuf = 8 << 20;
		struct timeval tv = { .tv_usec = 200000 };

		setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf));
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	}
	if (bind(fd, addr, alen))
		return 1;
	start = 0;
	end = now() + secs + 10;	/* give up if nothing comes */
	for (;;) {
		double t = now();

		if (start && t > start + secs)
			break;
		if (!start && t > end)
			break;
		n = recvmmsg(fd, msgs, BATCH, 0, NULL);
		if (n > 0) {
			if (!start)
				start = now();
			count += n;
		}
	}
	printf("%llu packets %.0f pps\n", count, start ? count / secs : 0.0);
	return 0;
}
