/* Health checks with Docker's semantics (HEALTHCHECK, docker run
 * --health-*): a probe every interval, a probe that outlives its timeout
 * fails, failures inside the start period do not count until a probe has
 * passed, and retries failures in a row make the service unhealthy. The
 * state machine here is pure (times are arguments), so its unit test runs
 * on a fake clock; the monitor runs the probes (launch/probe.h). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "base/util.h"

enum health_kind {
	HEALTH_NONE = 0,
	HEALTH_CMD,  /* --health-cmd: a program run in the sandbox as the service */
	HEALTH_TCP,  /* --health-tcp PORT: a connect from the sandbox's netns */
	HEALTH_HTTP, /* --health-http URL: a GET from the sandbox's netns */
};

enum health_action {
	ON_UNHEALTHY_NONE = 0, /* say so (stderr, event) and go on: Docker's */
	ON_UNHEALTHY_RESTART,  /* stop the sandbox and start a fresh one */
	ON_UNHEALTHY_EXIT,     /* stop the sandbox and exit */
};

/* Docker's defaults. */
#define HEALTH_DEFAULT_INTERVAL_MS 30000u
#define HEALTH_DEFAULT_TIMEOUT_MS 30000u
#define HEALTH_DEFAULT_RETRIES 3u

struct health_spec {
	enum health_kind kind;
	struct strv cmd; /* HEALTH_CMD: the program and its arguments */
	/* HEALTH_TCP, HEALTH_HTTP: an address on the sandbox's side. */
	char host[64]; /* an IP literal, as given ("127.0.0.1", "::1") */
	uint16_t port;
	char path[256]; /* HEALTH_HTTP: starts with '/' */
	uint32_t interval_ms, timeout_ms, start_period_ms, retries;
	enum health_action on_unhealthy;
};

enum health_status { HS_STARTING = 0, HS_HEALTHY, HS_UNHEALTHY };

struct health {
	enum health_status status;
	uint32_t streak; /* failures in a row */
	int64_t started; /* when the service started */
	int64_t next;	 /* when the next probe is due */
	uint64_t probes, failures;
};

const char *health_status_name(enum health_status s);

/* A fresh service: starting, the first probe one interval after now. */
void health_start(struct health *h, const struct health_spec *s, int64_t now);

/* A probe begun at began ended at now, passed or not (a timeout is a
 * failure). Sets when the next is due; returns true when the status
 * changed. */
bool health_result(struct health *h, const struct health_spec *s, bool ok, int64_t began,
		   int64_t now);

/* Parsers for the options, each with a one-line reason in err. */
/* A duration: 1h2m3s500ms, 90s, 1.5s, or a plain number of seconds; up
 * to 24 hours. */
int health_parse_duration(const char *s, uint32_t *ms, char *err, size_t errlen);
/* Words split on blanks, with '...' and "..." quoting and \ escapes
 * outside single quotes; no shell, no expansion (a distroless root has
 * no shell: give sh -c '...' for one). */
int health_parse_cmd(const char *s, struct strv *out, char *err, size_t errlen);
/* http://IP[:PORT][/PATH], IPv6 in brackets; no https. */
int health_parse_http(const char *s, struct health_spec *hs, char *err, size_t errlen);
/* [IP:]PORT, 127.0.0.1 by default. */
int health_parse_tcp(const char *s, struct health_spec *hs, char *err, size_t errlen);
