/* Restart policies with Docker's meanings and backoff (docker run
 * --restart, Compose's restart:, systemd's Restart=): the decision and the
 * delay are pure, so the unit test runs them on a fake clock; the launch
 * builds each new sandbox from scratch (sandbox.c). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum restart_mode {
	RESTART_NO = 0,
	RESTART_ON_FAILURE, /* a status other than 0, or unhealthy */
	RESTART_ALWAYS,
	/* Docker's "unless the user stopped it": husk has no daemon that
	 * outlives a reboot, so within one husk it is always. */
	RESTART_UNLESS_STOPPED,
};

/* Docker's restart manager: 100 ms, doubled each time, at most a
 * minute, back to the start after a run of 10 s. */
#define RESTART_DEFAULT_DELAY_MS 100u
#define RESTART_DEFAULT_MAX_DELAY_MS 60000u
#define RESTART_STABLE_MS 10000u

struct restart_spec {
	enum restart_mode mode;
	uint32_t max;		/* on-failure:N, at most N restarts; 0: no bound */
	uint32_t delay_ms;	/* --restart-delay */
	uint32_t max_delay_ms;	/* --restart-max-delay */
};

struct restart_state {
	uint32_t count;	   /* restarts so far (never reset, as Docker's) */
	uint32_t delay_ms; /* the next one's; 0 before the first */
};

/* Why a run ended, for the decision. */
enum restart_reason {
	END_EXIT,      /* the service exited (code) */
	END_UNHEALTHY, /* husk stopped it: unhealthy, --health-on-unhealthy restart */
	END_STOPPED,   /* husk was told to stop (SIGTERM, SIGINT...): never restarted */
};

/* Whether a run that ended so, with code, after ran_ms, is followed by a
 * fresh one, and after how long (*delay_ms). Updates st. */
bool restart_next(const struct restart_spec *s, struct restart_state *st, enum restart_reason why,
		  int code, int64_t ran_ms, uint32_t *delay_ms);

/* no, on-failure[:N], always, unless-stopped; a one-line reason in err. */
int restart_parse(const char *arg, struct restart_spec *s, char *err, size_t errlen);
const char *restart_mode_name(enum restart_mode m);
