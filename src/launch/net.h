/* Networking inside the sandbox. Today: bring up lo in a new netns. */
#pragma once

/* Child side, in the new network namespace: sets lo up over rtnetlink
 * (libmnl). The kernel then gives it 127.0.0.1/8 and ::1. */
int net_loopback_up(void);
