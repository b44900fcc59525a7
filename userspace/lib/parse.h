/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The words every object's parser reads, once: numbers, protocols,
 * addresses, named values (allow/deny, on/off, ...) and KEY VALUE pairs.
 * No netlink in here. On failure a function returns -1 with a message in
 * err that names what was wrong (the caller prints it).
 */
#ifndef IDMESH_PARSE_H
#define IDMESH_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct in6_addr;

/* An IPv4 or IPv6 address as the user wrote it. */
struct idm_addr {
	int family;		/* 0: none */
	int len;		/* 4 or 16 */
	unsigned char bytes[16];
};

/* IPv4 or IPv6; 0, or -1 (no message: callers say what the address is). */
int idm_parse_addr(const char *s, struct idm_addr *a);
/* IPv6, or IPv4 kept IPv4-mapped (as the kernel keys the SACL tables). */
int idm_addr46_pton(const char *s, struct in6_addr *a);
/* An address as that key (IPv4 mapped into IPv6). */
void idm_addr46(const struct idm_addr *a, struct in6_addr *out);
void idm_addr46_ntop(const struct in6_addr *a, char *buf, size_t len);

/* Is arg a non-empty prefix of word (the way ip abbreviates)? */
bool idm_matches(const char *arg, const char *word);

/* An unsigned decimal number in [min, max]. */
int idm_parse_u32(const char *what, const char *s, uint32_t min, uint32_t max,
		  uint32_t *out, char *err, size_t errlen);
/* Decimal or 0x-hex, the whole 64 bits. */
int idm_parse_u64(const char *what, const char *s, uint64_t *out, char *err,
		  size_t errlen);
/* A protocol and a range of destination ports: what a rule applies to. */
struct idm_range {
	uint8_t proto;
	uint16_t lo, hi;
};

/*
 * "PROTO[:PORT[-END]][,...]" (tcp, udp or sctp; no port: all of them),
 * at most max ranges, into r[0..*n). 0, or -1 with a message in err.
 */
int idm_parse_ranges(const char *s, struct idm_range *r, uint32_t *n,
		     uint32_t max, char *err, size_t errlen);
/* The same words back, e.g. "tcp:80,udp:53-60,sctp". */
void idm_format_ranges(const struct idm_range *r, uint32_t n, char *buf,
		       size_t len);

/* A SACL ID, or a group of IDs "ID/BITS" (no bits set past BITS). */
int idm_parse_id_prefix(const char *what, const char *s, uint64_t *id,
			uint32_t *bits, char *err, size_t errlen);

/* Exactly len bytes as 2 * len hex digits (no "0x"); 0 or -1. */
int idm_hex_decode(const char *s, uint8_t *out, size_t len);
/* The same, with a message naming what. */
int idm_parse_hex(const char *what, const char *s, uint8_t *out, size_t len,
		  char *err, size_t errlen);
/* len bytes as 2 * len lower-case hex digits into out (2 * len + 1). */
void idm_hex_format(const uint8_t *b, size_t len, char *out);

/* tcp, udp, sctp, icmp, icmpv6 by number; NULL for any other. */
const char *idm_proto_name(unsigned int proto);
/*
 * A protocol name or number (1..255). Names: tcp, udp and sctp, and with
 * icmp set also icmp and icmpv6.
 */
int idm_parse_proto(const char *s, bool icmp, uint32_t *proto, char *err,
		    size_t errlen);

/* Named values of a setting, ended by a NULL name. */
struct idm_word {
	const char *name;
	uint32_t val;
};

extern const struct idm_word idm_action_words[];	/* allow, deny */
extern const struct idm_word idm_onoff_words[];		/* on, off */
extern const struct idm_word idm_direction_words[];	/* ingress, egress */
extern const struct idm_word idm_path_words[];	/* none, hook, pairs (sacl) */

/* The value named s: 0, or -1 (the caller says which names it takes). */
int idm_parse_word(const char *s, const struct idm_word *w, uint32_t *out);
/* The name of val, or "?". */
const char *idm_word_name(const struct idm_word *w, uint32_t val);

/*
 * KEY VALUE pairs: the value after the key at argv[*i] (and *i moves onto
 * it), or NULL with "\"KEY\" needs a value".
 */
const char *idm_kv_value(int argc, char **argv, int *i, char *err,
			 size_t errlen);
/* Note key (bit) as given: -1 with "\"KEY\" given twice" if it was. */
int idm_kv_once(uint64_t *seen, unsigned int bit, const char *key, char *err,
		size_t errlen);

#endif
