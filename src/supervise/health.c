#include "supervise/health.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

const char *health_status_name(enum health_status s)
{
	switch (s) {
	case HS_HEALTHY:
		return "healthy";
	case HS_UNHEALTHY:
		return "unhealthy";
	default:
		return "starting";
	}
}

void health_start(struct health *h, const struct health_spec *s, int64_t now)
{
	*h = (struct health){ .status = HS_STARTING, .started = now, .next = now + s->interval_ms };
}

bool health_result(struct health *h, const struct health_spec *s, bool ok, int64_t began,
		   int64_t now)
{
	enum health_status was = h->status;
	h->probes++;
	/* The next probe one interval after this one ended, as Docker's
	 * monitor waits: probes never overlap. */
	h->next = now + s->interval_ms;
	if (ok) {
		h->streak = 0;
		h->status = HS_HEALTHY;
		return was != h->status;
	}
	h->failures++;
	/* Docker: until a probe has passed, failures of probes that began
	 * inside the start period are not counted. */
	if (h->status == HS_STARTING && began - h->started < (int64_t)s->start_period_ms)
		return false;
	if (h->streak < UINT32_MAX)
		h->streak++;
	if (h->streak >= s->retries)
		h->status = HS_UNHEALTHY;
	return was != h->status;
}

int health_parse_duration(const char *s, uint32_t *ms, char *err, size_t errlen)
{
	static const struct {
		const char *unit;
		uint64_t ms;
	} units[] = { { "ms", 1 }, { "h", 3600000 }, { "m", 60000 }, { "s", 1000 } };
	const uint64_t max = 24ull * 3600000;
	uint64_t total = 0;
	const char *p = s;
	if (!*p)
		return errf(err, errlen, -EINVAL, "expected a duration such as 30s, 1m30s or 500ms");
	do {
		uint64_t whole = 0, frac = 0, scale = 1;
		const char *start = p;
		while (*p >= '0' && *p <= '9' && whole <= max * 1000)
			whole = whole * 10 + (uint64_t)(*p++ - '0');
		if (*p == '.') {
			p++;
			/* Digits past the millisecond cannot matter. */
			while (*p >= '0' && *p <= '9') {
				if (scale < 1000000) {
					frac = frac * 10 + (uint64_t)(*p - '0');
					scale *= 10;
				}
				p++;
			}
		}
		if (*p >= '0' && *p <= '9')
			return errf(err, errlen, -ERANGE, "more than 24h");
		if (p == start || (*start == '.' && p == start + 1))
			return errf(err, errlen, -EINVAL,
				    "expected a duration such as 30s, 1m30s or 500ms");
		uint64_t unit = 0;
		for (size_t i = 0; i < ARRAY_SIZE(units) && !unit; i++)
			if (str_has_prefix(p, units[i].unit)) {
				unit = units[i].ms;
				p += strlen(units[i].unit);
			}
		/* A bare number is seconds (docker run's --health-* take
		 * units only; husk's --stop-timeout takes seconds). */
		if (!unit) {
			if (*p)
				return errf(err, errlen, -EINVAL, "unknown unit (use h, m, s or ms)");
			if (start != s)
				return errf(err, errlen, -EINVAL, "a unit is needed after each number");
			unit = 1000;
		}
		if (whole > max)
			return errf(err, errlen, -ERANGE, "more than 24h");
		total += whole * unit + frac * unit / scale;
		if (total > max)
			return errf(err, errlen, -ERANGE, "more than 24h");
	} while (*p);
	*ms = (uint32_t)total;
	return 0;
}

int health_parse_cmd(const char *s, struct strv *out, char *err, size_t errlen)
{
	size_t len = strlen(s);
	_cleanup_free_ char *word = xcalloc(1, len + 1);
	const char *p = s;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		size_t n = 0;
		while (*p && *p != ' ' && *p != '\t') {
			if (*p == '\'' || *p == '"') {
				char q = *p++;
				while (*p && *p != q) {
					if (q == '"' && *p == '\\' && (p[1] == '"' || p[1] == '\\'))
						p++;
					word[n++] = *p++;
				}
				if (*p != q) {
					strv_free(out);
					return errf(err, errlen, -EINVAL, "unterminated %c quote", q);
				}
				p++;
			} else if (*p == '\\' && p[1]) {
				word[n++] = p[1];
				p += 2;
			} else {
				word[n++] = *p++;
			}
		}
		word[n] = '\0';
		strv_push(out, word);
	}
	if (!out->n)
		return errf(err, errlen, -EINVAL, "expected a program and its arguments");
	return 0;
}

/* IP[:PORT] with IPv6 in brackets, into hs->host and hs->port (kept when
 * no port is given). */
static int parse_hostport(const char *s, size_t len, struct health_spec *hs, bool need_port,
			  char *err, size_t errlen)
{
	char host[64] = "", port[8] = "";
	const char *colon;
	if (len && s[0] == '[') {
		const char *close = memchr(s, ']', len);
		if (!close || (size_t)(close - s) > sizeof(host) ||
		    (close + 1 < s + len && close[1] != ':'))
			return errf(err, errlen, -EINVAL, "%.*s: expected [IPv6]:PORT", (int)len, s);
		memcpy(host, s + 1, (size_t)(close - s - 1));
		colon = close + 1 < s + len ? close + 1 : NULL;
	} else {
		colon = memchr(s, ':', len);
		size_t hl = colon ? (size_t)(colon - s) : len;
		if (hl >= sizeof(host))
			return errf(err, errlen, -EINVAL, "%.*s: not an IP address", (int)len, s);
		memcpy(host, s, hl);
	}
	if (colon) {
		size_t pl = len - (size_t)(colon + 1 - s);
		if (pl >= sizeof(port))
			return errf(err, errlen, -EINVAL, "%.*s: not a port", (int)len, s);
		memcpy(port, colon + 1, pl);
	}
	unsigned char a[16];
	if (!inet_pton(AF_INET, host, a) && !inet_pton(AF_INET6, host, a))
		return errf(err, errlen, -EINVAL,
			    "%s: not an IP address (a probe names the sandbox's own address, such as "
			    "127.0.0.1 or ::1; names are not resolved)",
			    host);
	uint32_t v;
	if (*port && (parse_u32(port, &v) < 0 || v == 0 || v > 65535))
		return errf(err, errlen, -EINVAL, "%s: not a port from 1 to 65535", port);
	if (!*port && need_port)
		return errf(err, errlen, -EINVAL, "%.*s: expected a port", (int)len, s);
	snprintf(hs->host, sizeof(hs->host), "%s", host);
	if (*port)
		hs->port = (uint16_t)v;
	return 0;
}

int health_parse_http(const char *s, struct health_spec *hs, char *err, size_t errlen)
{
	if (str_has_prefix(s, "https://"))
		return errf(err, errlen, -EINVAL,
			    "https is not checked (husk speaks plain HTTP to the service's own "
			    "address; give an http:// URL or use --health-cmd)");
	if (!str_has_prefix(s, "http://"))
		return errf(err, errlen, -EINVAL, "expected http://IP[:PORT][/PATH]");
	const char *a = s + 7, *slash = strchr(a, '/');
	size_t alen = slash ? (size_t)(slash - a) : strlen(a);
	hs->port = 80;
	int r = parse_hostport(a, alen, hs, false, err, errlen);
	if (r < 0)
		return r;
	const char *path = slash ? slash : "/";
	if (strlen(path) >= sizeof(hs->path))
		return errf(err, errlen, -EINVAL, "the path is longer than %zu bytes",
			    sizeof(hs->path) - 1);
	for (const char *c = path; *c; c++)
		if ((unsigned char)*c <= ' ' || *c == 0x7f)
			return errf(err, errlen, -EINVAL, "a blank or control byte in the path");
	snprintf(hs->path, sizeof(hs->path), "%s", path);
	hs->kind = HEALTH_HTTP;
	return 0;
}

int health_parse_tcp(const char *s, struct health_spec *hs, char *err, size_t errlen)
{
	int r;
	if (!strchr(s, ':')) {
		char full[32];
		snprintf(full, sizeof(full), "127.0.0.1:%s", s);
		r = parse_hostport(full, strlen(full), hs, true, err, errlen);
	} else {
		r = parse_hostport(s, strlen(s), hs, true, err, errlen);
	}
	if (r == 0)
		hs->kind = HEALTH_TCP;
	return r;
}
