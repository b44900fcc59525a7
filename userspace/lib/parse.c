// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/idmesh.h>

#include "parse.h"

int idm_parse_addr(const char *s, struct idm_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->bytes) == 1) {
		a->family = AF_INET;
		a->len = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, s, a->bytes) == 1) {
		a->family = AF_INET6;
		a->len = 16;
		return 0;
	}
	return -1;
}

void idm_addr46(const struct idm_addr *a, struct in6_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (a->family == AF_INET) {
		out->s6_addr[10] = 0xff;
		out->s6_addr[11] = 0xff;
		memcpy(&out->s6_addr[12], a->bytes, 4);
	} else {
		memcpy(out, a->bytes, 16);
	}
}

int idm_addr46_pton(const char *s, struct in6_addr *a)
{
	struct in_addr a4;

	if (inet_pton(AF_INET, s, &a4) == 1) {
		memset(a, 0, sizeof(*a));
		a->s6_addr[10] = 0xff;
		a->s6_addr[11] = 0xff;
		memcpy(&a->s6_addr[12], &a4, 4);
		return 0;
	}
	if (inet_pton(AF_INET6, s, a) != 1)
		return -1;
	/* IPv4 is written as IPv4: "::ffff:a.b.c.d" would be the same key. */
	return IN6_IS_ADDR_V4MAPPED(a) ? -1 : 0;
}

void idm_addr46_ntop(const struct in6_addr *a, char *buf, size_t len)
{
	if (IN6_IS_ADDR_V4MAPPED(a))
		inet_ntop(AF_INET, &a->s6_addr[12], buf, len);
	else
		inet_ntop(AF_INET6, a, buf, len);
}

bool idm_matches(const char *arg, const char *word)
{
	size_t n = strlen(arg);

	return n > 0 && strncmp(arg, word, n) == 0;
}

/* s starts with a digit, else "WHAT "S" is not a number". */
static int digits(const char *what, const char *s, char *err, size_t errlen)
{
	if (s && *s >= '0' && *s <= '9')
		return 0;
	snprintf(err, errlen, "%s \"%s\" is not a number", what, s ? s : "");
	return -1;
}

int idm_parse_u32(const char *what, const char *s, uint32_t min, uint32_t max,
		  uint32_t *out, char *err, size_t errlen)
{
	unsigned long long v;
	char *end;

	if (digits(what, s, err, errlen))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end) {
		snprintf(err, errlen, "%s \"%s\" is not a number", what, s);
		return -1;
	}
	if (errno == ERANGE || v < min || v > max) {
		snprintf(err, errlen, "%s %s is out of range [%u, %u]", what, s,
			 min, max);
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

int idm_parse_u64(const char *what, const char *s, uint64_t *out, char *err,
		  size_t errlen)
{
	unsigned long long v;
	char *end;

	if (digits(what, s, err, errlen))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (*end || errno == ERANGE) {
		snprintf(err, errlen, "%s \"%s\" is not a number of 64 bits",
			 what, s);
		return -1;
	}
	*out = v;
	return 0;
}

int idm_parse_id_prefix(const char *what, const char *s, uint64_t *id,
			uint32_t *bits, char *err, size_t errlen)
{
	const char *slash = strchr(s, '/');
	char num[32];

	*bits = 64;
	if (!slash)
		return idm_parse_u64(what, s, id, err, errlen);
	if ((size_t)(slash - s) >= sizeof(num)) {
		snprintf(err, errlen, "%s \"%s\" is not a number", what, s);
		return -1;
	}
	memcpy(num, s, slash - s);
	num[slash - s] = '\0';
	if (idm_parse_u64(what, num, id, err, errlen))
		return -1;
	if (idm_parse_u32("prefix length", slash + 1, 1, 64, bits, err, errlen))
		return -1;
	if (*bits < 64 && (*id & (~0ull >> *bits))) {
		snprintf(err, errlen, "%s \"%s\" has bits set past its prefix length",
			 what, s);
		return -1;
	}
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int idm_hex_decode(const char *s, uint8_t *out, size_t len)
{
	size_t i;

	if (strlen(s) != 2 * len)
		return -1;
	for (i = 0; i < len; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = hi << 4 | lo;
	}
	return 0;
}

int idm_parse_hex(const char *what, const char *s, uint8_t *out, size_t len,
		  char *err, size_t errlen)
{
	if (!idm_hex_decode(s, out, len))
		return 0;
	snprintf(err, errlen, "%s \"%s\" is not %zu hex digits", what, s,
		 2 * len);
	return -1;
}

void idm_hex_format(const uint8_t *b, size_t len, char *out)
{
	size_t i;

	for (i = 0; i < len; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
	out[2 * len] = '\0';
}

/* The transport protocols first: a VIP takes only those. */
static const struct idm_word protos[] = {
	{ "tcp", IPPROTO_TCP },
	{ "udp", IPPROTO_UDP },
	{ "sctp", IPPROTO_SCTP },
	{ "icmp", IPPROTO_ICMP },
	{ "icmpv6", IPPROTO_ICMPV6 },
	{ NULL, 0 },
};

#define N_TRANSPORT 3

const char *idm_proto_name(unsigned int proto)
{
	const char *name = idm_word_name(protos, proto);

	return strcmp(name, "?") ? name : NULL;
}

int idm_parse_proto(const char *s, bool icmp, uint32_t *proto, char *err,
		    size_t errlen)
{
	size_t i;

	for (i = 0; protos[i].name && (icmp || i < N_TRANSPORT); i++)
		if (!strcmp(s, protos[i].name)) {
			*proto = protos[i].val;
			return 0;
		}
	/* A number is passed on: the kernel says which it takes. */
	if (!idm_parse_u32("proto", s, 1, 255, proto, err, errlen))
		return 0;
	if (icmp)
		snprintf(err, errlen,
			 "proto \"%s\" is not tcp, udp, sctp, icmp, icmpv6 or a number",
			 s);
	else
		snprintf(err, errlen, "proto \"%s\" is not tcp, udp or sctp", s);
	return -1;
}

int idm_parse_ranges(const char *s, struct idm_range *r, uint32_t *n,
		     uint32_t max, char *err, size_t errlen)
{
	char buf[256], *tok, *save = NULL;
	uint32_t proto, lo, hi;

	*n = 0;
	if (strlen(s) >= sizeof(buf) || !*s) {
		snprintf(err, errlen, "ports \"%s\" is not PROTO[:PORT[-END]],...", s);
		return -1;
	}
	strcpy(buf, s);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *colon = strchr(tok, ':'), *dash;

		if (*n == max) {
			snprintf(err, errlen, "more than %u port ranges", max);
			return -1;
		}
		if (colon)
			*colon = '\0';
		if (idm_parse_proto(tok, false, &proto, err, errlen))
			return -1;
		if (proto != IPPROTO_TCP && proto != IPPROTO_UDP &&
		    proto != IPPROTO_SCTP) {
			snprintf(err, errlen, "ports: proto \"%s\" is not tcp, udp or sctp", tok);
			return -1;
		}
		lo = 1;
		hi = 65535;
		if (colon) {
			dash = strchr(colon + 1, '-');
			if (dash)
				*dash = '\0';
			if (idm_parse_u32("port", colon + 1, 1, 65535, &lo, err, errlen))
				return -1;
			hi = lo;
			if (dash && idm_parse_u32("port", dash + 1, 1, 65535, &hi, err,
						  errlen))
				return -1;
			if (hi < lo) {
				snprintf(err, errlen, "port range %u-%u ends before it starts",
					 lo, hi);
				return -1;
			}
		}
		r[*n].proto = (uint8_t)proto;
		r[*n].lo = (uint16_t)lo;
		r[*n].hi = (uint16_t)hi;
		(*n)++;
	}
	if (!*n) {
		snprintf(err, errlen, "ports \"%s\" is not PROTO[:PORT[-END]],...", s);
		return -1;
	}
	return 0;
}

void idm_format_ranges(const struct idm_range *r, uint32_t n, char *buf,
		       size_t len)
{
	size_t at = 0;
	uint32_t i;

	buf[0] = '\0';
	for (i = 0; i < n && at < len; i++) {
		const char *p = idm_proto_name(r[i].proto);

		at += snprintf(buf + at, len - at, "%s%s", i ? "," : "", p ? p : "?");
		if (at < len && !(r[i].lo == 1 && r[i].hi == 65535))
			at += snprintf(buf + at, len - at, ":%u", r[i].lo);
		if (at < len && r[i].hi != r[i].lo && !(r[i].lo == 1 && r[i].hi == 65535))
			at += snprintf(buf + at, len - at, "-%u", r[i].hi);
	}
}

const struct idm_word idm_action_words[] = {
	{ "allow", IDMESH_SACL_ALLOW },
	{ "deny", IDMESH_SACL_DENY },
	{ NULL, 0 },
};

const struct idm_word idm_path_words[] = {
	{ "none", IDMESH_SACL_PATH_NONE },
	{ "hook", IDMESH_SACL_PATH_HOOK },
	{ "pairs", IDMESH_SACL_PATH_PAIRS },
	{ NULL, 0 },
};

const struct idm_word idm_direction_words[] = {
	{ "ingress", IDMESH_SACL_INGRESS },
	{ "egress", IDMESH_SACL_EGRESS },
	{ NULL, 0 },
};

const struct idm_word idm_onoff_words[] = {
	{ "on", 1 },
	{ "off", 0 },
	{ NULL, 0 },
};

int idm_parse_word(const char *s, const struct idm_word *w, uint32_t *out)
{
	for (; w->name; w++)
		if (!strcmp(s, w->name)) {
			*out = w->val;
			return 0;
		}
	return -1;
}

const char *idm_word_name(const struct idm_word *w, uint32_t val)
{
	for (; w->name; w++)
		if (w->val == val)
			return w->name;
	return "?";
}

const char *idm_kv_value(int argc, char **argv, int *i, char *err,
			 size_t errlen)
{
	if (*i + 1 >= argc) {
		snprintf(err, errlen, "\"%s\" needs a value", argv[*i]);
		return NULL;
	}
	return argv[++*i];
}

int idm_kv_once(uint64_t *seen, unsigned int bit, const char *key, char *err,
		size_t errlen)
{
	if (*seen & (1ull << bit)) {
		snprintf(err, errlen, "\"%s\" given twice", key);
		return -1;
	}
	*seen |= 1ull << bit;
	return 0;
}
