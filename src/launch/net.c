#include "launch/net.h"
#include "base/util.h"

#include <errno.h>
#include <sys/socket.h>
#include <stdbool.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void nlp_close(struct mnl_socket **nl)
{
	if (*nl)
		mnl_socket_close(*nl);
}

/* One request, its ACK read and checked: 0 or the kernel's negative errno. */
static int rtnl_talk(struct nlmsghdr *nlh)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	__attribute__((cleanup(nlp_close))) struct mnl_socket *nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return -errno;
	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = (uint32_t)time(NULL);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (n < 0)
		return -errno;
	if (mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq, mnl_socket_get_portid(nl), NULL, NULL) < 0)
		return -errno;
	return 0;
}

static int link_up(int index, int master)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = index;
	ifm->ifi_change = IFF_UP;
	ifm->ifi_flags = IFF_UP;
	if (master > 0)
		mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)master);
	return rtnl_talk(nlh);
}

static int addr_add(int index, uint32_t addr, int prefix)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWADDR;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = (unsigned char)prefix;
	ifa->ifa_index = (unsigned)index;
	mnl_attr_put_u32(nlh, IFA_LOCAL, addr);
	mnl_attr_put_u32(nlh, IFA_ADDRESS, addr);
	return rtnl_talk(nlh);
}

static int route_default(uint32_t gw)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWROUTE;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	struct rtmsg *rt = mnl_nlmsg_put_extra_header(nlh, sizeof(*rt));
	rt->rtm_family = AF_INET;
	rt->rtm_table = RT_TABLE_MAIN;
	rt->rtm_protocol = RTPROT_BOOT;
	rt->rtm_scope = RT_SCOPE_UNIVERSE;
	rt->rtm_type = RTN_UNICAST;
	mnl_attr_put_u32(nlh, RTA_GATEWAY, gw);
	return rtnl_talk(nlh);
}

int net_veth_create(const struct husk_policy *p, pid_t child, char *err, size_t errlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, p->veth.host_if);
	struct nlattr *info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	struct nlattr *data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	struct nlattr *peer = mnl_attr_nest_start(nlh, 1 /* VETH_INFO_PEER */);
	struct ifinfomsg *pifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*pifm));
	pifm->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth0");
	/* The peer is born in the sandbox's network namespace. */
	mnl_attr_put_u32(nlh, IFLA_NET_NS_PID, (uint32_t)child);
	mnl_attr_nest_end(nlh, peer);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	int r = rtnl_talk(nlh);
	if (r < 0)
		return errf(err, errlen, r, "--net veth: create %s: %s%s", p->veth.host_if,
			    strerror(-r), r == -EEXIST ? " (a sandbox with this name is running)" : "");
	int index = (int)if_nametoindex(p->veth.host_if);
	int master = p->veth.bridge[0] ? (int)if_nametoindex(p->veth.bridge) : 0;
	if (p->veth.bridge[0] && !master)
		return errf(err, errlen, -ENODEV, "--net veth: bridge %s: no such interface",
			    p->veth.bridge);
	if (!master && (r = addr_add(index, p->veth.host_addr, p->veth.prefix)) < 0)
		return errf(err, errlen, r, "--net veth: address on %s: %s", p->veth.host_if,
			    strerror(-r));
	if ((r = link_up(index, master)) < 0)
		return errf(err, errlen, r, "--net veth: bring %s up: %s", p->veth.host_if,
			    strerror(-r));
	return 0;
}

void net_veth_remove(const struct husk_policy *p)
{
	int index = (int)if_nametoindex(p->veth.host_if);
	if (!index)
		return; /* gone with the sandbox's namespace already */
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_DELLINK;
	struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = index;
	rtnl_talk(nlh);
}

int net_veth_inside(const struct husk_policy *p)
{
	int index = (int)if_nametoindex("eth0");
	if (!index)
		return -ENODEV;
	int r = addr_add(index, p->veth.addr, p->veth.prefix);
	if (r == 0)
		r = link_up(index, 0);
	if (r == 0 && p->veth.gw)
		r = route_default(p->veth.gw);
	return r;
}

int net_loopback_up(void)
{
	int index = (int)if_nametoindex("lo");
	return index ? link_up(index, 0) : -ENODEV;
}

int net_listen_open(const struct listen_spec *specs, size_t n, int *fds, char *err, size_t errlen)
{
	for (size_t i = 0; i < n; i++)
		fds[i] = -1;
	for (size_t i = 0; i < n; i++) {
		const struct listen_spec *l = &specs[i];
		if (l->inherited >= 0) {
			fds[i] = fcntl(l->inherited, F_DUPFD_CLOEXEC, 3);
			if (fds[i] < 0)
				goto fail_errno;
			continue;
		}
		fds[i] = socket(l->family, l->type | SOCK_CLOEXEC, 0);
		if (fds[i] < 0)
			goto fail_errno;
		int one = 1;
		if (l->type == SOCK_STREAM)
			setsockopt(fds[i], SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		struct sockaddr_storage ss = { 0 };
		socklen_t len;
		if (l->family == AF_INET6) {
			struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
			a->sin6_family = AF_INET6;
			a->sin6_port = htons(l->port);
			inet_pton(AF_INET6, l->addr, &a->sin6_addr);
			len = sizeof(*a);
		} else {
			struct sockaddr_in *a = (struct sockaddr_in *)&ss;
			a->sin_family = AF_INET;
			a->sin_port = htons(l->port);
			inet_pton(AF_INET, l->addr, &a->sin_addr);
			len = sizeof(*a);
		}
		if (bind(fds[i], (struct sockaddr *)&ss, len) < 0) {
			int e = errno;
			const char *fix = e == EADDRINUSE ? "; the port is in use: choose another"
					  : e == EACCES	   ? "; ports below net.ipv4.ip_unprivileged_port_start "
							     "(1024 by default) need root: choose a higher one"
					  : e == EADDRNOTAVAIL ? "; no interface here has that address"
							       : "";
			errf(err, errlen, -e, "--listen %s:%u/%s: bind: %s%s", l->addr, l->port,
			     l->type == SOCK_DGRAM ? "udp" : "tcp", strerror(e), fix);
			goto fail;
		}
		if (l->type == SOCK_STREAM && listen(fds[i], SOMAXCONN) < 0)
			goto fail_errno;
	}
	return 0;
fail_errno:;
	int e = errno;
	errf(err, errlen, -e, "--listen: socket: %s", strerror(e));
fail:
	for (size_t i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return -EINVAL;
}

int net_listen_place(const int *fds, size_t n, int *keep)
{
	if (!n)
		return 0;
	int tmp[HUSK_MAX_LISTEN];
	int top = 3 + (int)n;
	/* Copies above the range first: a socket may itself sit in it. */
	for (size_t i = 0; i < n; i++)
		if ((tmp[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, top)) < 0)
			return -errno;
	/* What else holds 3 .. top - 1 (the monitor's pipe, the cgroup
	 * reaper's) moves above, open as before. */
	for (int fd = 3; fd < top; fd++) {
		if (fcntl(fd, F_GETFD) < 0)
			continue;
		bool ours = false;
		for (size_t i = 0; i < n; i++)
			ours |= fds[i] == fd;
		int moved = ours ? -1 : fcntl(fd, F_DUPFD_CLOEXEC, top);
		if (!ours && moved < 0)
			return -errno;
		if (keep && *keep == fd)
			*keep = moved;
		close(fd);
	}
	/* dup2 leaves the new fd without close-on-exec: the service keeps it. */
	for (size_t i = 0; i < n; i++) {
		if (dup2(tmp[i], 3 + (int)i) < 0)
			return -errno;
		close(tmp[i]);
	}
	return 0;
}
